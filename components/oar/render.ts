import { OarNodeSettings } from "./schema";

/** Where the image's entrypoint expects the per-stack keys and passwords (uploaded before the container starts). */
export const oarKeyPaths = {
    oarPrivate: "/run/clusterlab/oar_key",
    oarPublic: "/run/clusterlab/oar_key.pub",
    hostPrivate: "/run/clusterlab/ssh_host_key",
    hostPublic: "/run/clusterlab/ssh_host_key.pub",
    userAuthorizedKeys: "/run/clusterlab/user_authorized_keys",
    dbPassword: "/run/clusterlab/db_password",
    dbReadOnlyPassword: "/run/clusterlab/db_ro_password",
} as const;

export type OarRole = "server" | "frontend" | "node";

/** The env every role reads, secrets aside: the role, the server's name and the job user. */
export function renderOarEnv(role: OarRole, user: { name: string; uid: number }): Record<string, string> {
    return {
        OAR_ROLE: role,
        OAR_SERVER_HOST: "server",
        OAR_USER: user.name,
        OAR_USER_UID: String(user.uid),
    };
}

/** What a node joins OAR as, by itself once its sshd answers (images/oar): its name and cores. */
export function renderNodeEnv(node: OarNodeSettings): Record<string, string> {
    return { OAR_NODE_NAME: node.name, OAR_NODE_CORES: String(node.cores) };
}

/**
 * A login shell on a container as the job user: how to "connect" to the frontend or a node.
 * A login (`su -`), not `docker exec -u`: oarsub refuses a request from a session without one.
 */
export function renderConnectCommand(container: string, user: string): string {
    return `docker exec -it ${container} su - ${user}`;
}

/** A ready-to-paste job submission on the frontend, like the seed's first job. */
export function renderSubmitCommand(frontend: string, user: string, nodes: number): string {
    return `docker exec ${frontend} su - ${user} -c 'oarsub -l nodes=${nodes} hostname'`;
}

/** How to ssh to the frontend as the job user, where its sshd is published. */
export function renderSshCommand(user: string, address: string, port: number): string {
    return `ssh -p ${port} ${user}@${address}`;
}
