import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import { ConfigProblem, parseOrThrow, renderProblems } from "../core/config";
import { DockerExec, DockerVolume } from "../core/docker/resources";
import { Host } from "../core/host";
import { createClusterImage } from "../core/image";
import { dockerObjectName, renderLabels } from "../core/labels";
import { createClusterNetwork } from "../core/network";
import { GeneratedPassword, SshKeyPair } from "../core/secrets";
import { containerNamesOf, Service } from "../core/service";
import {
    oarKeyPaths,
    OarRole,
    renderConnectCommand,
    renderOarEnv,
    renderRegisterCommand,
    renderSshCommand,
    renderSubmitCommand,
    renderUnregisterCommand,
} from "./render";
import { OarClusterArgsInput, oarClusterArgsSchema, OarClusterSettings } from "./schema";

export { oarClusterArgsSchema } from "./schema";

/** OarCluster's args: the validated settings (see the schema for each field's default) and where it runs. */
export interface OarClusterArgs extends OarClusterArgsInput {
    /** The Docker host every role runs on. Default: the local engine, ports on 127.0.0.1. */
    host?: Host;
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
        const { host: givenHost, ...rest } = args;
        const settings = parseOrThrow(oarClusterArgsSchema, rest, `OarCluster "${name}" args`);
        const host = givenHost ?? Host.local();
        const missing = missingSharedFolders(settings, host);
        if (missing.length > 0) {
            throw new pulumi.InputPropertiesError({ message: renderProblems(`invalid OarCluster "${name}" args:`, missing), errors: missing });
        }
        const stack = pulumi.getStack();
        const image = createClusterImage(`${name}-image`, settings.image, { host, parent: this, baseImage: settings.baseImage }).imageId;
        const network = createClusterNetwork(`${name}-network`, { stack, cluster: name, host }, this);
        const home = new DockerVolume(`${name}-home`, {
            dockerHost: host.dockerHost,
            name: `${dockerObjectName({ stack, cluster: name, role: "home" })}`,
            labels: renderLabels({ stack, cluster: name, role: "home" }),
        }, { parent: this });

        const oarKey = new SshKeyPair(`${name}-oar-key`, { comment: `oar@${stack}-${name}` }, { parent: this });
        const hostKey = new SshKeyPair(`${name}-host-key`, { comment: `host@${stack}-${name}` }, { parent: this });
        const dbPassword = new GeneratedPassword(`${name}-db-password`, {}, { parent: this });
        const dbReadOnlyPassword = new GeneratedPassword(`${name}-db-ro-password`, {}, { parent: this });
        const keyFiles = [
            { path: oarKeyPaths.oarPrivate, content: oarKey.privateKey, mode: 0o600 },
            { path: oarKeyPaths.oarPublic, content: oarKey.publicKey },
            { path: oarKeyPaths.hostPrivate, content: hostKey.privateKey, mode: 0o600 },
            { path: oarKeyPaths.hostPublic, content: hostKey.publicKey },
        ];
        const shared = settings.shared.map((folder) => ({ ...folder }));

        const role = (roleName: OarRole, instance: string, extra: Partial<ConstructorParameters<typeof Service>[1]>) =>
            new Service(`${name}-${instance}`, {
                scope: { stack, cluster: name, role: roleName },
                instance,
                host,
                image,
                network,
                env: {
                    ...renderOarEnv(roleName, settings.user),
                    OAR_DB_PASSWORD: dbPassword.value,
                    OAR_DB_RO_PASSWORD: dbReadOnlyPassword.value,
                },
                files: keyFiles,
                healthcheck: oarHealthcheck,
                ...extra,
            }, { parent: this });

        const server = role("server", "server", {
            volumes: [{ name: "db", containerPath: "/var/lib/postgresql" }],
            memoryMb: settings.server.memoryMb,
        });
        const workspace = { sharedVolumes: [{ volume: home, containerPath: "/home" }], binds: shared };
        const frontend = role("frontend", "frontend", {
            ...workspace,
            files: settings.frontend.authorizedKeys.length === 0 ? keyFiles
                : [...keyFiles, { path: oarKeyPaths.userAuthorizedKeys, content: `${settings.frontend.authorizedKeys.join("\n")}\n` }],
            memoryMb: settings.frontend.memoryMb,
            ports: [{ name: "ssh", internal: 22, external: settings.frontend.sshPort, scheme: "ssh" }],
            dependsOn: [server],
        });
        const nodes: Record<string, Service> = {};
        for (const node of settings.nodes) {
            nodes[node.name] = role("node", node.name, { ...workspace, memoryMb: node.memoryMb, dependsOn: [server] });
            // Added once the node's sshd answers: a node added earlier is marked Suspected (notes).
            // A node container made anew (after a fault) is registered anew, which revives it.
            // Unregistered when its node goes (scale in), but not when the server goes too: a
            // whole-cluster destroy skips the unregistrations, which run one at a time (bench/).
            new DockerExec(`${name}-${node.name}-registration`, {
                dockerHost: host.dockerHost,
                container: server.containerName,
                create: renderRegisterCommand(node),
                delete: renderUnregisterCommand(node),
                triggers: [nodes[node.name].container.id],
            }, { parent: this, dependsOn: [server, nodes[node.name]], deletedWith: server.container });
        }

        const user = settings.user.name;
        const frontendName = dockerObjectName({ stack, cluster: name, role: "frontend" });
        this.frontendCommand = pulumi.output(renderConnectCommand(frontendName, user));
        this.nodeCommands = pulumi.output(Object.fromEntries(settings.nodes.map((node) =>
            [node.name, renderConnectCommand(dockerObjectName({ stack, cluster: name, role: node.name }), user)])));
        this.submitCommand = pulumi.output(renderSubmitCommand(frontendName, user, Math.min(2, settings.nodes.length)));
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
