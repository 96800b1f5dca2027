import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerObjectName, LabelScope, renderLabels } from "./labels";

/** A port the role listens on, optionally published on its host. */
export interface ServicePort {
    /** What the port is for; the key of the Service's `urls`. */
    name: string;
    internal: number;
    /** The host port, or `false` to reach it only from inside the cluster network. */
    external: number | false;
    /** The URL scheme of `urls[name]`. */
    scheme: string;
}

/** A readiness test run inside the container, in Docker's exec form. */
export interface ServiceHealthcheck {
    test: string[];
    /** Seconds between checks while starting and afterwards. */
    intervalSeconds?: number;
    retries?: number;
    /** Seconds during which failures do not count, for slow starters such as the JVM. */
    startPeriodSeconds?: number;
}

export interface ServiceArgs {
    /** Stack, cluster and role: the labels, and with `instance` the container's name. */
    scope: LabelScope;
    /** The member name when a role has several (agent `a1`); default: the role. */
    instance?: string;
    /** The image reference or id to run. */
    image: pulumi.Input<string>;
    network: docker.Network;
    command?: pulumi.Input<string>[];
    env?: Record<string, pulumi.Input<string>>;
    ports?: ServicePort[];
    /** Named volumes this role owns, by short name and mount path; destroyed with the role. */
    volumes?: { name: string; containerPath: string }[];
    /** Host folders mounted in, such as a developer's source tree. */
    binds?: { hostPath: string; containerPath: string; readOnly: boolean }[];
    /** Files written into the container before it starts. */
    files?: { path: string; content: pulumi.Input<string> }[];
    /** Without one the container counts as ready when started; with one, only when healthy. */
    healthcheck?: ServiceHealthcheck;
    /** The address published ports bind to; see Host. */
    bindAddress: string;
    /** The address users reach published ports by. */
    advertiseAddress: string;
    /** Run Docker's init as PID 1, for processes that do not stop on SIGTERM themselves. */
    init?: boolean;
    privileged?: boolean;
    memoryMb?: number;
    /** Roles that must be ready (healthy) before this one starts. */
    dependsOn?: pulumi.Resource[];
    /** Another host's engine, for a role placed away from its cluster's default host. */
    provider?: docker.Provider;
}

/** Seconds `up` waits for a container to become healthy before it fails with the container's logs. */
const readyTimeoutSeconds = 180;

/**
 * One container role with its volumes. With a healthcheck the container is created with `wait`,
 * so anything that `dependsOn` it starts only once it is ready, not merely started.
 */
export class Service extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    /** The container's name on its engine. */
    public readonly containerName: pulumi.Output<string>;
    /** The name other containers on the cluster network reach this role by. */
    public readonly dnsName: string;
    /** Host-side URLs of the published ports, by port name. */
    public readonly urls: Record<string, string>;

    constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusterlab:core:Service", name, {}, opts);
        const instance = args.instance ?? args.scope.role;
        const objectName = dockerObjectName({ ...args.scope, role: instance });
        const labels = [...renderLabels(args.scope), { label: "clusterlab.instance", value: instance }];
        const childOpts = { parent: this, provider: args.provider };

        const volumes = (args.volumes ?? []).map((volume) => ({
            containerPath: volume.containerPath,
            resource: new docker.Volume(`${name}-${volume.name}`, {
                name: `${objectName}-${volume.name}`,
                labels,
            }, childOpts),
        }));

        this.dnsName = instance;
        this.urls = Object.fromEntries((args.ports ?? [])
            .filter((port) => port.external !== false)
            .map((port) => [port.name, `${port.scheme}://${args.advertiseAddress}:${port.external}`]));

        this.container = new docker.Container(`${name}`, {
            name: objectName,
            hostname: instance,
            image: args.image,
            command: args.command,
            envs: renderEnv(args.env ?? {}),
            labels,
            // Set explicitly: left unset, the daemon's answer ("default"/"bridge") reads back as a diff.
            networkMode: args.network.name,
            networksAdvanced: [{ name: args.network.name, aliases: [instance] }],
            ports: (args.ports ?? [])
                .filter((port) => port.external !== false)
                .map((port) => ({ internal: port.internal, external: port.external as number, ip: args.bindAddress })),
            volumes: [
                ...volumes.map((v) => ({ volumeName: v.resource.name, containerPath: v.containerPath })),
                ...(args.binds ?? []).map((b) => ({ hostPath: b.hostPath, containerPath: b.containerPath, readOnly: b.readOnly })),
            ],
            uploads: (args.files ?? []).map((file) => ({ file: file.path, content: file.content })),
            healthcheck: args.healthcheck && renderHealthcheck(args.healthcheck),
            wait: args.healthcheck !== undefined,
            waitTimeout: readyTimeoutSeconds,
            init: args.init,
            privileged: args.privileged,
            memory: args.memoryMb,
            restart: "unless-stopped",
            mustRun: true,
        }, { ...childOpts, dependsOn: [...(args.dependsOn ?? []), ...volumes.map((v) => v.resource)] });

        this.containerName = this.container.name;
        this.registerOutputs({ containerName: this.containerName, dnsName: this.dnsName, urls: this.urls });
    }
}

/** Env as Docker's `K=V` list, sorted so that a reordering in code is not a diff. */
export function renderEnv(env: Record<string, pulumi.Input<string>>): pulumi.Output<string>[] {
    return Object.keys(env).sort().map((key) => pulumi.interpolate`${key}=${env[key]}`);
}

export function renderHealthcheck(check: ServiceHealthcheck): docker.types.input.ContainerHealthcheck {
    const interval = `${check.intervalSeconds ?? 2}s`;
    return {
        tests: ["CMD", ...check.test],
        // Short, so `wait` returns soon after the role is really up (Debian's engine, 20.10,
        // predates Docker's separate start interval).
        interval,
        timeout: "5s",
        retries: check.retries ?? 5,
        startPeriod: `${check.startPeriodSeconds ?? 0}s`,
    };
}
