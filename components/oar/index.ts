import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import { ConfigProblem, parseOrThrow, renderProblems } from "../core/config";
import { Host } from "../core/host";
import { createDockerImage } from "../core/image";
import { dockerObjectName, renderLabelList, renderLabels } from "../core/labels";
import { createDockerNetwork } from "../core/network";
import { hostSet, loopbackProblems, resolveHosts } from "../core/placement";
import { ClusterSecrets } from "../core/stack-secrets";
import { containerNamesOf, Service } from "../core/service";
import {
    oarKeyPaths,
    OarRole,
    renderConnectCommand,
    renderNodeEnv,
    renderOarEnv,
    renderSshCommand,
    renderSubmitCommand,
} from "./render";
import { oarHostRefs, oarHostUses, oarPlacementProblems, placeOar } from "./placement";
import { OarClusterArgsInput, oarClusterArgsSchema, OarClusterSettings } from "./schema";

export { oarClusterArgsSchema } from "./schema";

/** OarCluster's args: the validated settings (see the schema for each field's default) and where it runs. */
export interface OarClusterArgs extends OarClusterArgsInput {
    /** The Docker host roles run on unless placed elsewhere. Default: the local engine, ports on 127.0.0.1. */
    host?: Host;
    /** Every host roles may be placed on by name (`server.host`, `nodes[].host`, `nodeHosts`). Default: only `host`. */
    hosts?: Record<string, Host>;
}

/** A shared host folder must exist where the engine runs; on the local engine that is checkable here. */
function missingSharedFolders(settings: OarClusterSettings, host: Host): ConfigProblem[] {
    const local = host.dockerHost === undefined || host.dockerHost.startsWith("unix://");
    return local ? settings.shared.flatMap((folder, i) => fs.existsSync(folder.hostPath) ? [] : [{
        propertyPath: `shared[${i}].hostPath`,
        reason: `must exist on the local Docker host, got "${folder.hostPath}", which does not`,
    }]) : [];
}

const oarHealthcheck = { test: ["/usr/local/bin/healthcheck"], startPeriodSeconds: 60 };
// Nodes are many: Docker tests each every 5 s, not 2 (each test is an exec, and 50 nodes tested
// every 2 s kept both cores of the bench machine busy while they joined OAR). A node is healthy
// once it has joined OAR by itself, which `up` waits for: Docker's first test comes 5 s after
// start, about when a node on a started server has joined. A dead sshd shows as unhealthy after
// 5 failed tests, under half a minute.
const oarNodeHealthcheck = { ...oarHealthcheck, intervalSeconds: 5 };

/**
 * An OAR batch cluster as oar-docker runs it, without its flaws: a server with its database, a
 * frontend where users submit jobs, and nodes registered as OAR resources once each is ready,
 * all sharing per-stack ssh keys kept as Pulumi secrets and one /home.
 */
export class OarCluster extends pulumi.ComponentResource {
    /** A shell on the frontend as the job user. */
    public readonly frontendCommand: pulumi.Output<string>;
    /** A shell on each node as the job user, by node name. */
    public readonly nodeCommands: pulumi.Output<Record<string, string>>;
    /** `ssh -p <port> user@<host>` to the frontend, where `frontend.sshPort` publishes its sshd; else empty. */
    public readonly sshCommand: pulumi.Output<string>;
    /** A job submission to paste: `oarsub` on every node. */
    public readonly submitCommand: pulumi.Output<string>;
    /** The OAR host names of the nodes. */
    public readonly nodeNames: pulumi.Output<string[]>;
    /** The public key of the oar user, for checking what the nodes trust. */
    public readonly oarPublicKey: pulumi.Output<string>;
    /** Every role's container name, by role or node name. */
    public readonly containerNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: OarClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusterlab:oar:OarCluster", name, {}, opts);
        const { host: givenHost, hosts: givenHosts, ...rest } = args;
        const settings = parseOrThrow(oarClusterArgsSchema, rest, `OarCluster "${name}" args`);
        const hosts = hostSet(givenHost ?? Host.local(), givenHosts);
        const { problems: unknownHosts, hostOf } = resolveHosts(hosts, oarHostRefs(settings));
        const placed = placeOar(settings, hosts.home.name);
        const host = hostOf(placed.server);
        const missing = [
            ...unknownHosts,
            ...oarPlacementProblems(settings, hosts.home.name),
            ...(unknownHosts.length > 0 ? [] : loopbackProblems(oarHostUses(settings, placed, hostOf))),
            ...missingSharedFolders(settings, host),
        ];
        if (missing.length > 0) {
            throw new pulumi.InputPropertiesError({ message: renderProblems(`invalid OarCluster "${name}" args:`, missing), errors: missing });
        }
        const stack = pulumi.getStack();
        // Per host: one image, one network, one shared /home (a volume lives on one engine; nodes
        // on another host share a home among themselves, not with the frontend). The cluster's
        // own host keeps the one-host names, so a one-host stack is exactly as before.
        // Each engine builds (or pulls) its own image: the OAR image is Debian packages, a build
        // of seconds to a minute, and the provider has no copy from engine to engine.
        const perHost = new Map<string, { image: pulumi.Output<string>; network: docker.Network; home: docker.Volume }>();
        const onHost = (target: Host) => {
            let found = perHost.get(target.name);
            if (found === undefined) {
                const suffix = target.name === hosts.home.name ? "" : `-${target.name}`;
                found = {
                    // The readable name (`clusterlab/oar:<content hash>`), which `docker ps` shows.
                    image: createDockerImage(`${name}-image${suffix}`, settings.image, { host: target, parent: this, baseImage: settings.baseImage }).name,
                    network: createDockerNetwork(`${name}-network${suffix}`, { stack, cluster: name, host: target }, this),
                    home: new docker.Volume(`${name}-home${suffix}`, {
                        name: dockerObjectName({ stack, cluster: name, role: "home" }),
                        labels: renderLabelList(renderLabels({ stack, cluster: name, role: "home" })),
                    }, { parent: this, provider: target.provider }),
                };
                perHost.set(target.name, found);
            }
            return found;
        };
        const { home } = onHost(host);
        const nodeHost = (node: { name: string }) => hostOf(placed.nodes[node.name]);
        // Roles on other hosts, as each host sees them: ssh peers (address:published port) and /etc/hosts lines.
        const peersSeenFrom = (from: Host) => settings.nodes
            .filter((node) => nodeHost(node).name !== from.name && node.sshPort !== false)
            .map((node) => `${node.name}=${nodeHost(node).advertiseAddress}:${node.sshPort}`)
            .join(" ");
        const almightyPort = settings.server.almightyPort;
        const crossHostEnv = (from: Host): Record<string, string> => ({
            ...(placed.spansHosts && almightyPort !== false ? { OAR_SERVER_PORT: String(almightyPort) } : {}),
            ...(peersSeenFrom(from) === "" ? {} : { OAR_SSH_PEERS: peersSeenFrom(from) }),
        });

        // Derived from the stack's secret seed: the same on every run, no resource of their own.
        const secrets = new ClusterSecrets(name);
        const oarKey = secrets.sshKeyPair("oar-key", `oar@${stack}-${name}`);
        const hostKey = secrets.sshKeyPair("host-key", `host@${stack}-${name}`);
        const dbPassword = { value: secrets.password("db-password") };
        const dbReadOnlyPassword = { value: secrets.password("db-ro-password") };
        const keyFiles = [
            { path: oarKeyPaths.oarPrivate, content: oarKey.privateKey, mode: 0o600 },
            { path: oarKeyPaths.oarPublic, content: oarKey.publicKey },
            { path: oarKeyPaths.hostPrivate, content: hostKey.privateKey, mode: 0o600 },
            { path: oarKeyPaths.hostPublic, content: hostKey.publicKey },
        ];
        // The database passwords as files, not env: the provider makes a whole list secret when
        // one entry is, so a secret env var would hide every plain one in a preview. Every role
        // gets them: on a node, oarsh reads the job's cpuset name from the database.
        const databaseFiles = [
            { path: oarKeyPaths.dbPassword, content: dbPassword.value, mode: 0o600 },
            { path: oarKeyPaths.dbReadOnlyPassword, content: dbReadOnlyPassword.value, mode: 0o600 },
        ];
        const shared = settings.shared.map((folder) => ({ ...folder }));

        const role = (roleName: OarRole, instance: string, extra: Partial<ConstructorParameters<typeof Service>[1]>, on: Host = host) =>
            new Service(`${name}-${instance}`, {
                scope: { stack, cluster: name, role: roleName },
                instance,
                host: on,
                image: onHost(on).image,
                network: onHost(on).network,
                env: { ...renderOarEnv(roleName, settings.user), ...crossHostEnv(on) },
                files: [...keyFiles, ...databaseFiles],
                healthcheck: oarHealthcheck,
                ...extra,
            }, { parent: this });

        const databasePort = settings.server.databasePort;
        const server = role("server", "server", {
            volumes: [{ name: "db", containerPath: "/var/lib/postgresql" }],
            memoryMb: settings.server.memoryMb,
            ports: !placed.spansHosts ? [] : [
                // Almighty listens on the published port itself (OAR_SERVER_PORT), so nodes and server agree on it.
                ...(almightyPort === false ? [] : [{ name: "almighty", internal: almightyPort, external: almightyPort, scheme: "tcp" }]),
                // PostgreSQL keeps 5432; a node on another host is told the published port (OAR_DB_PORT).
                ...(databasePort === false ? [] : [{ name: "database", internal: 5432, external: databasePort, scheme: "postgresql" }]),
            ],
        });
        const workspace = { sharedVolumes: [{ volume: home, containerPath: "/home" }], binds: shared };
        const frontend = role("frontend", "frontend", {
            ...workspace,
            files: [...keyFiles, ...databaseFiles, ...(settings.frontend.authorizedKeys.length === 0 ? []
                : [{ path: oarKeyPaths.userAuthorizedKeys, content: `${settings.frontend.authorizedKeys.join("\n")}\n` }])],
            memoryMb: settings.frontend.memoryMb,
            ports: [{ name: "ssh", internal: 22, external: settings.frontend.sshPort, scheme: "ssh" }],
            dependsOn: [server],
        });
        const nodes: Record<string, Service> = {};
        for (const node of settings.nodes) {
            const on = nodeHost(node);
            const remote = on.name !== host.name;
            nodes[node.name] = role("node", node.name, {
                // The node joins OAR by itself once its sshd answers, and leaves it when stopped
                // (images/oar): adding a node is starting its container, scaling in is stopping it.
                // A node container made anew (after a fault) joins anew, which revives it.
                env: {
                    ...renderOarEnv("node", settings.user), ...crossHostEnv(on), ...renderNodeEnv(node),
                    ...(remote && databasePort !== false ? { OAR_DB_PORT: String(databasePort) } : {}),
                },
                sharedVolumes: [{ volume: onHost(on).home, containerPath: "/home" }],
                binds: shared,
                memoryMb: node.memoryMb,
                healthcheck: oarNodeHealthcheck,
                // No dependsOn the server: a node needs nothing of it to start, so nodes start
                // beside the server (up), join once it answers, and go beside it (destroy).
                ...(node.sshPort === false ? {} : { ports: [{ name: "ssh", internal: 6667, external: node.sshPort, scheme: "ssh" }] }),
                ...(remote ? { extraHosts: { server: host.advertiseAddress } } : {}),
            }, on);
        }

        const user = settings.user.name;
        const frontendName = dockerObjectName({ stack, cluster: name, role: "frontend" });
        // On a remote engine the command says which: `docker -H tcp://… exec …`.
        const onEngine = (target: Host, command: string) =>
            (target.dockerHost === undefined || target.dockerHost.startsWith("unix://") ? command : command.replace(/^docker /, `docker -H ${target.dockerHost} `));
        this.frontendCommand = pulumi.output(onEngine(host, renderConnectCommand(frontendName, user)));
        this.nodeCommands = pulumi.output(Object.fromEntries(settings.nodes.map((node) =>
            [node.name, onEngine(nodeHost(node), renderConnectCommand(dockerObjectName({ stack, cluster: name, role: node.name }), user))])));
        this.submitCommand = pulumi.output(onEngine(host, renderSubmitCommand(frontendName, user, Math.min(2, settings.nodes.length))));
        const sshPort = settings.frontend.sshPort;
        this.sshCommand = pulumi.output(sshPort === false ? "" : renderSshCommand(user, host.advertiseAddress, sshPort));
        this.nodeNames = pulumi.output(settings.nodes.map((node) => node.name));
        this.oarPublicKey = oarKey.publicKey;
        const roles: Record<string, Service> = { server, frontend, ...nodes };
        this.containerNames = containerNamesOf(roles);
        this.registerOutputs({
            frontendCommand: this.frontendCommand,
            nodeCommands: this.nodeCommands,
            submitCommand: this.submitCommand,
            sshCommand: this.sshCommand,
            nodeNames: this.nodeNames,
            oarPublicKey: this.oarPublicKey,
            containerNames: this.containerNames,
        });
    }
}
