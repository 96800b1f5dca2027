import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec, renderContainerArgs } from "./docker/container-args";
import { secretInputsLabel } from "./docker/container-view";
import { Host } from "./host";
import { dockerObjectName, LabelScope, renderLabelList, renderLabels } from "./labels";

/** A port the role listens on, optionally published on its host. */
export interface ServicePort {
    /** What the port is for; the key of the Service's `urls`. */
    name: string;
    internal: number;
    /** The host port, or `false` to reach it only from inside the cluster network. */
    external: number | false;
    /** The URL scheme of `urls[name]`. */
    scheme: string;
    /** `udp` publishes a UDP port (consul's serf gossip); a UDP port gets no entry in `urls`. Default `tcp`. */
    protocol?: "tcp" | "udp";
}

/** A readiness test run inside the container, as an argv. */
export interface ServiceHealthcheck {
    test: string[];
    /**
     * Seconds between Docker's checks, while starting and afterwards. Default 2. A longer one costs
     * the engine fewer execs once the role is up (many members), and readiness: Docker's first
     * check comes an interval after start.
     */
    intervalSeconds?: number;
    /** Failures in a row that make the role unhealthy. Default 5. */
    retries?: number;
    /**
     * Seconds during which failures do not count, for slow starters such as the JVM; a check that
     * passes sooner makes the role ready at once. Default `defaultStartPeriodSeconds`.
     */
    startPeriodSeconds?: number;
}

export interface ServiceArgs {
    /** Stack, cluster and role: the labels, and with `instance` the container's name. */
    scope: LabelScope;
    /** The member name when a role has several (agent `a1`); default: the role. */
    instance?: string;
    /** The engine and addresses the role runs on. */
    host: Host;
    /** The image id to run. */
    image: pulumi.Input<string>;
    /** The cluster's network on this host. */
    network: docker.Network;
    command?: pulumi.Input<string>[];
    env?: Record<string, pulumi.Input<string>>;
    ports?: ServicePort[];
    /** Named volumes this role owns, by short name and mount path; destroyed with the role. */
    volumes?: { name: string; containerPath: string }[];
    /** Volumes the cluster owns and several roles mount, such as a shared /home. */
    sharedVolumes?: { volume: docker.Volume; containerPath: string }[];
    /** Host folders mounted in, such as a developer's source tree. */
    binds?: { hostPath: string; containerPath: string; readOnly: boolean }[];
    /** Files written into the container before it starts. */
    files?: { path: string; content: pulumi.Input<string>; mode?: number }[];
    /** Without one the container counts as ready when started; with one, only when healthy. */
    healthcheck?: ServiceHealthcheck;
    /** Run Docker's init as PID 1, for processes that do not stop on SIGTERM themselves. */
    init?: boolean;
    privileged?: boolean;
    memoryMb?: number;
    /** Roles that must be ready (healthy) before this one starts. */
    dependsOn?: pulumi.Resource[];
    /** Roles whose replacement replaces this one too: it holds something only they keep (an Aurora job keeper, its scheduler). */
    replacedWith?: Service[];
    /** Names of roles on other Docker hosts and the address they are reached by (`--add-host`). Default none. */
    extraHosts?: Record<string, string>;
}

/**
 * The start period of a `docker.Container`'s healthcheck when its role names none. Docker takes 0
 * as "the image's own" (ours say 10-90 s), which the provider then reads back as a change on
 * every refresh; a period said outright is read back as given. It costs no readiness: a check
 * that passes during it makes the container healthy at once.
 */
export const defaultStartPeriodSeconds = 60;

/** Seconds `up` waits for a container to become healthy before it fails. */
const readyTimeoutSeconds = 180;

/**
 * One container role with its volumes. With a healthcheck, the container counts as created
 * only once healthy, so anything that `dependsOn` it starts when it is ready, not merely started.
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
        const labels = { ...renderLabels(args.scope), "clusterlab.instance": instance };

        this.dnsName = instance;
        this.urls = Object.fromEntries((args.ports ?? [])
            .filter((port) => port.external !== false && port.protocol !== "udp")
            .map((port) => [port.name, `${port.scheme}://${args.host.advertiseAddress}:${port.external}`]));

        this.container = createDockerContainer(name, args, { objectName, instance, labels }, this);
        this.containerName = this.container.name;
        this.registerOutputs({ containerName: this.containerName, dnsName: this.dnsName, urls: this.urls });
    }
}

/** What a role's container and volumes are named and labelled with. */
interface RoleNaming {
    objectName: string;
    instance: string;
    labels: Record<string, string>;
}

/** The role's volumes and container as `@pulumi/docker` resources on its host's provider. */
function createDockerContainer(name: string, args: ServiceArgs, naming: RoleNaming, parent: Service): docker.Container {
    const { objectName, labels } = naming;
    const resourceOpts = { parent, provider: args.host.provider };
    const volumes = (args.volumes ?? []).map((volume) => ({
        target: volume.containerPath,
        resource: new docker.Volume(`${name}-${volume.name}`, { name: `${objectName}-${volume.name}`, labels: renderLabelList(labels) }, resourceOpts),
    }));
    const spec: ContainerSpec = {
        name: objectName,
        hostname: naming.instance,
        image: args.image,
        command: args.command,
        env: renderEnv(args.env ?? {}),
        aliases: [naming.instance],
        ports: (args.ports ?? []).flatMap((port) => port.external === false ? []
            : [{ ip: args.host.bindAddress, internal: port.internal, external: port.external, ...(port.protocol === "udp" ? { protocol: "udp" as const } : {}) }]),
        files: (args.files ?? []).map((file) => ({ path: file.path, content: file.content, mode: file.mode ?? 0o644 })),
        init: args.init ?? false,
        privileged: args.privileged ?? false,
        memoryMb: args.memoryMb,
        restart: "unless-stopped",
        healthcheck: args.healthcheck && renderHealthcheck(args.healthcheck),
        waitTimeoutSeconds: readyTimeoutSeconds,
        // By id, not name: a network removed and made again (same name, new id) makes the
        // containers on it anew, as they must be (a container keeps its endpoint on the old one and
        // cannot start), instead of being started in place and failing on "network not found".
        network: args.network.id,
        mounts: roleMounts(args, volumes),
        // The policy pack sees secrets unwrapped: this label tells it which values came from one.
        labels: { ...labels, [secretInputsLabel]: secretInputNames(args.env ?? {}, args.files ?? []).apply((names) => names.join(",")) },
        extraHosts: args.extraHosts ?? {},
    };
    return new docker.Container(name, renderContainerArgs(spec), {
        ...resourceOpts,
        dependsOn: [...(args.dependsOn ?? []), ...volumes.map((v) => v.resource)],
        ...(args.replacedWith === undefined ? {} : { replaceWith: args.replacedWith.map((role) => role.container) }),
        // Names are fixed: the old container must go before its replacement can take the name.
        deleteBeforeReplace: true,
        // A container that never became healthy is kept by the provider with an error on it; the
        // next `up` makes it anew instead of taking it as it is.
        replaceOnChanges: ["#initerror"],
    });
}

/** The role's own volumes, the cluster's shared ones and its binds, as mounts. */
function roleMounts(args: ServiceArgs, own: { target: string; resource: { name: pulumi.Output<string> } }[]): ContainerSpec["mounts"] {
    return [
        ...own.map((v) => ({ type: "volume" as const, source: v.resource.name, target: v.target, readOnly: false })),
        ...(args.sharedVolumes ?? []).map((v) => ({ type: "volume" as const, source: v.volume.name, target: v.containerPath, readOnly: false })),
        ...(args.binds ?? []).map((b) => ({ type: "bind" as const, source: b.hostPath, target: b.containerPath, readOnly: b.readOnly })),
    ];
}

async function isSecretInput(value: pulumi.Input<string>): Promise<boolean> {
    return pulumi.Output.isInstance(value) ? pulumi.isSecret(value as pulumi.Output<string>) : false;
}

/**
 * The env vars and files whose values are Pulumi secrets. Policies see secrets unwrapped, so
 * this list is how the pack tells a key that came from a secret from one typed into code.
 */
export function secretInputNames(
    env: Record<string, pulumi.Input<string>>,
    files: { path: string; content: pulumi.Input<string> }[],
): pulumi.Output<string[]> {
    const checks = [
        ...Object.entries(env).map(async ([key, value]) => ((await isSecretInput(value)) ? `env:${key}` : "")),
        ...files.map(async (file) => ((await isSecretInput(file.content)) ? `file:${file.path}` : "")),
    ];
    return pulumi.output(Promise.all(checks)).apply((names) => names.filter((name) => name !== "").sort());
}

/** Every role's container name, by role or member name: a cluster's `containerNames` output. */
export function containerNamesOf(roles: Record<string, Service>): pulumi.Output<Record<string, string>> {
    return pulumi.all(Object.fromEntries(Object.entries(roles).map(([role, service]) => [role, service.containerName]))) as
        pulumi.Output<Record<string, string>>;
}

/** Env as Docker's `K=V` list, sorted so that a reordering in code is not a diff. */
export function renderEnv(env: Record<string, pulumi.Input<string>>): pulumi.Output<string>[] {
    return Object.keys(env).sort().map((key) => pulumi.interpolate`${key}=${env[key]}`);
}

/** Quotes an argv for `sh -c`, which is how Docker runs a healthcheck given on the command line. */
export function shellJoin(argv: readonly string[]): string {
    return argv.map((arg) => (/^[A-Za-z0-9_/.:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(" ");
}

/** The healthcheck as the container resource takes it: short intervals, so readiness is seen soon. */
export function renderHealthcheck(check: ServiceHealthcheck) {
    return {
        shellCommand: shellJoin(check.test),
        intervalSeconds: check.intervalSeconds ?? 2,
        timeoutSeconds: 5,
        retries: check.retries ?? 5,
        startPeriodSeconds: check.startPeriodSeconds ?? defaultStartPeriodSeconds,
    };
}
