import { BuildUser, MesosAgentSettings, QueueResource, queueResources } from "./schema";

/** Ports the Mesos roles listen on inside the cluster network. */
export const mesosPorts = { zookeeper: 2181, master: 5050, agent: 5051, redis: 6379 } as const;

/** The paths of the rendered files inside the scheduler container. */
export const schedulerPaths = { config: "/etc/wraxl/scheduler.yaml", source: "/opt/wraxl" } as const;

/** `zk://zookeeper:2181/mesos`: where masters elect a leader and agents and frameworks find it. */
export function renderZookeeperUrl(hosts: readonly string[], port: number = mesosPorts.zookeeper, path = "/mesos"): string {
    return `zk://${hosts.map((host) => `${host}:${port}`).join(",")}${path}`;
}

/** Mesos' `--resources` syntax, `cpus:2;mem:1024;high:1;low:1;world:1`, in a fixed order. */
export function renderMesosResources(resources: MesosAgentSettings["resources"]): string {
    const scalars: [string, number | undefined][] = [
        ["cpus", resources.cpus],
        ["mem", resources.mem],
        ["disk", resources.disk],
        ...queueResources.map((name): [string, number] => [name, resources[name]]),
    ];
    return scalars
        .filter((entry): entry is [string, number] => entry[1] !== undefined)
        .map(([name, value]) => `${name}:${value}`)
        .join(";");
}

/** Mesos' `--attributes` syntax, `location:yow;rack:r1`, sorted so order in config is no diff. */
export function renderMesosAttributes(attributes: Record<string, string | number>): string {
    return Object.keys(attributes).sort().map((name) => `${name}:${attributes[name]}`).join(";");
}

/** The build user with its home filled in. */
export function resolveBuildUser(user: BuildUser): Required<BuildUser> {
    return { ...user, home: user.home ?? `/home/${user.name}` };
}

export interface MasterEnvInput {
    zookeeperUrl: string;
    quorum: number;
    clusterName: string;
    registry: string;
    hostname: string;
}

/** The master's settings as the MESOS_* variables upstream images (and the stand-in) read. */
export function renderMasterEnv(input: MasterEnvInput): Record<string, string> {
    return {
        MESOS_CLUSTER: input.clusterName,
        MESOS_HOSTNAME: input.hostname,
        MESOS_PORT: String(mesosPorts.master),
        MESOS_QUORUM: String(input.quorum),
        MESOS_REGISTRY: input.registry,
        MESOS_WORK_DIR: "/var/lib/mesos",
        MESOS_ZK: input.zookeeperUrl,
    };
}

/** An agent's settings as MESOS_* variables, plus the build user it runs jobs as. */
export function renderAgentEnv(agent: MesosAgentSettings, zookeeperUrl: string, buildUser: BuildUser): Record<string, string> {
    const user = resolveBuildUser(buildUser);
    return {
        CLUSTERLAB_BUILD_GID: String(user.gid),
        CLUSTERLAB_BUILD_HOME: user.home,
        CLUSTERLAB_BUILD_UID: String(user.uid),
        CLUSTERLAB_BUILD_USER: user.name,
        MESOS_ATTRIBUTES: renderMesosAttributes(agent.attributes),
        MESOS_CONTAINERIZERS: agent.containerizers.join(","),
        MESOS_HOSTNAME: agent.name,
        MESOS_MASTER: zookeeperUrl,
        MESOS_PORT: String(mesosPorts.agent),
        MESOS_RESOURCES: renderMesosResources(agent.resources),
        MESOS_WORK_DIR: "/var/lib/mesos/agent",
    };
}

/** `<prefix>_high`, `<prefix>_low`, `<prefix>_world`: the Redis queues the scheduler watches. */
export function renderQueueNames(prefix: string): Record<QueueResource, string> {
    return Object.fromEntries(queueResources.map((name) => [name, `${prefix}_${name}`])) as Record<QueueResource, string>;
}

export interface SchedulerConfigInput {
    queuePrefix: string;
    runsOn: readonly QueueResource[];
    pullImages: boolean;
    buildUser: BuildUser;
}

function yamlList(items: readonly string[]): string {
    return `[${items.join(", ")}]`;
}

/** The scheduler's YAML config; its keys are the ones the wraxl scheduler reads. */
export function renderSchedulerConfig(input: SchedulerConfigInput): string {
    const user = resolveBuildUser(input.buildUser);
    return [
        "# Rendered by clusterlab from the MesosCluster's args; edits here are overwritten on `pulumi up`.",
        `queue_prefix: ${input.queuePrefix}`,
        `resources: ${yamlList(queueResources)}`,
        `runs_on: ${yamlList(input.runsOn)}`,
        `pull_images: ${input.pullImages}`,
        "build_user:",
        `  name: ${user.name}`,
        `  uid: ${user.uid}`,
        `  gid: ${user.gid}`,
        `  home: ${user.home}`,
        "poll_interval_seconds: 1",
        "",
    ].join("\n");
}

/** The scheduler's command line, as the seed starts it. */
export function renderSchedulerCommand(zookeeperUrl: string, redisAddress: string): string[] {
    return ["wraxl_scheduler", "--master", zookeeperUrl, "--redis", redisAddress, "--config", schedulerPaths.config];
}

/** Agents that offer none of the resources the scheduler starts jobs on: they will sit idle. */
export function idleAgents(agents: readonly MesosAgentSettings[], runsOn: readonly QueueResource[]): string[] {
    return agents
        .filter((agent) => !runsOn.some((resource) => agent.resources[resource] > 0))
        .map((agent) => agent.name);
}

export interface EnqueueCommandInput {
    schedulerContainer: string;
    queue: string;
}

/**
 * A ready-to-paste shell command that enqueues a job like the seed's example, from inside the
 * scheduler container (which has the RQ client and reaches Redis by its alias).
 */
export function renderEnqueueCommand(input: EnqueueCommandInput): string {
    const job = {
        name: "my test job",
        docker_image: "debian:bookworm-slim",
        cmd: ["/bin/sh", "-c", "echo hello from $(id -un)"],
    };
    const python = [
        "from redis import Redis",
        "from rq import Queue",
        `job = Queue(${JSON.stringify(input.queue)}, connection=Redis("redis")).enqueue("wraxl_queue.exec_cmd", ${JSON.stringify(job)}, timeout=10800)`,
        "print(job.id)",
    ].join("; ");
    return `docker exec ${input.schedulerContainer} python3 -c '${python}'`;
}

/**
 * What a role on one host tells roles on others: Mesos' `--advertise_ip/--advertise_port` and
 * libprocess' own pair. Inside a bridge network the process binds its container address
 * (LIBPROCESS_IP would have to be an address of the container), so only the advertised pair is
 * the host's address and published port.
 */
export function renderAdvertiseEnv(address: string, port: number): Record<string, string> {
    return {
        LIBPROCESS_ADVERTISE_IP: address,
        LIBPROCESS_ADVERTISE_PORT: String(port),
        MESOS_ADVERTISE_IP: address,
        MESOS_ADVERTISE_PORT: String(port),
    };
}
