import { renderMesosAttributes } from "../mesos/render";
import { AuroraAgentSettings, AuroraJobSettings, CustomExecutorSettings, thermosExecutorName } from "./schema";

/** Ports the Aurora roles listen on inside the cluster network. */
export const auroraPorts = { scheduler: 8081, observer: 1338 } as const;

/** Paths inside the scheduler container (those of Aurora's Debian package and upstream image). */
export const auroraPaths = {
    executorConfig: "/etc/aurora/custom-executors.json",
    nativeLog: "/var/db/aurora",
    backups: "/var/lib/aurora/backups",
    thermosExecutor: "/usr/share/aurora/bin/thermos_executor.pex",
    serverset: "/aurora/scheduler",
    replicatedLog: "/aurora/replicated-log",
} as const;

/** The command line client in the scheduler stand-in image that creates and kills jobs. */
export const jobClient = "aurora-standin-job";

/** What a job keeper touches once its job is created: its healthcheck. */
export const jobKeeperReadyFile = "/tmp/aurora-job-created";

/**
 * Aurora's custom executor config as the scheduler reads it (`-custom_executor_config`): a JSON
 * array whose keys are Mesos' ExecutorInfo fields in snake_case (Aurora's Jackson mapper uses
 * CAMEL_CASE_TO_LOWER_CASE_WITH_UNDERSCORES), every fetcher flag written out.
 */
export function renderExecutorConfig(entries: readonly CustomExecutorSettings[]): string {
    const json = entries.map((entry) => ({
        executor: {
            name: entry.executor.name,
            command: {
                value: entry.executor.command.value,
                shell: entry.executor.command.shell,
                ...(entry.executor.command.arguments === undefined ? {} : { arguments: entry.executor.command.arguments }),
                uris: entry.executor.command.uris.map((uri) => ({
                    value: uri.value, executable: uri.executable, extract: uri.extract, cache: uri.cache,
                })),
            },
            resources: entry.executor.resources.map((resource) => ({
                name: resource.name, type: resource.type, scalar: { value: resource.scalar.value },
            })),
        },
        task_prefix: entry.taskPrefix,
        ...(entry.volumeMounts === undefined ? {} : {
            volume_mounts: entry.volumeMounts.map((mount) => ({
                host_path: mount.hostPath, container_path: mount.containerPath, mode: mount.mode,
            })),
        }),
    }));
    return `${JSON.stringify(json, null, 2)}\n`;
}

/** Mesos' `--resources` for an Aurora agent: `cpus:2;mem:1024;disk:4096;ports:[31000-32000]`. */
export function renderAgentResources(resources: AuroraAgentSettings["resources"]): string {
    return `cpus:${resources.cpus};mem:${resources.mem};disk:${resources.disk};ports:${resources.ports}`;
}

/** An agent's settings as the MESOS_* variables upstream images (and the stand-in) read. */
export function renderAgentEnv(agent: AuroraAgentSettings, zookeeperUrl: string): Record<string, string> {
    return {
        MESOS_ATTRIBUTES: renderMesosAttributes(agent.attributes),
        MESOS_CONTAINERIZERS: agent.containerizers.join(","),
        MESOS_HOSTNAME: agent.name,
        MESOS_MASTER: zookeeperUrl,
        MESOS_PORT: "5051",
        MESOS_RESOURCES: renderAgentResources(agent.resources),
        // A Mesos agent in a container has no systemd to put executors under.
        MESOS_SYSTEMD_ENABLE_SUPPORT: "false",
        MESOS_WORK_DIR: "/var/lib/mesos/agent",
    };
}

export interface SchedulerFlagsInput {
    clusterName: string;
    /** `zookeeper:2181` entries. */
    zookeeperEndpoints: readonly string[];
    /** `zk://zookeeper:2181/mesos`. */
    mesosMasterAddress: string;
    quorumSize: number;
    /** More flags by name, appended sorted. */
    flags: Record<string, string | number | boolean>;
}

/** The scheduler's own flags, `-name=value` as Aurora parses them. */
export function renderSchedulerFlags(input: SchedulerFlagsInput): string[] {
    const rendered: [string, string | number | boolean][] = [
        ["cluster_name", input.clusterName],
        ["zk_endpoints", input.zookeeperEndpoints.join(",")],
        ["mesos_master_address", input.mesosMasterAddress],
        ["serverset_path", auroraPaths.serverset],
        ["native_log_zk_group_path", auroraPaths.replicatedLog],
        ["native_log_file_path", auroraPaths.nativeLog],
        ["native_log_quorum_size", input.quorumSize],
        ["backup_dir", auroraPaths.backups],
        ["http_port", auroraPorts.scheduler],
        ["thermos_executor_path", auroraPaths.thermosExecutor],
        ["allowed_container_types", "DOCKER,MESOS"],
        // The two flags the seed adds by hand: the executors' JSON, and the fetcher that gets their uris.
        ["custom_executor_config", auroraPaths.executorConfig],
        ["enable_mesos_fetcher", true],
        ...Object.keys(input.flags).sort().map((name): [string, string | number | boolean] => [name, input.flags[name]]),
    ];
    return rendered.map(([name, value]) => `-${name}=${value}`);
}

/** The scheduler's command line: `aurora-scheduler` and its flags. */
export function renderSchedulerCommand(flags: readonly string[]): string[] {
    return ["aurora-scheduler", ...flags];
}

/**
 * The same settings as the environment the upstream image's entrypoint reads: it ignores its
 * arguments and starts the scheduler from CLUSTER_NAME, ZK_ENDPOINTS, QUORUM_SIZE and
 * EXTRA_SCHEDULER_ARGS, so the custom executor flags reach a real scheduler through the latter.
 */
export function renderSchedulerEnv(input: SchedulerFlagsInput): Record<string, string> {
    const extra = renderSchedulerFlags(input).filter((flag) =>
        /^-(custom_executor_config|enable_mesos_fetcher)=/.test(flag) || Object.keys(input.flags).some((name) => flag.startsWith(`-${name}=`)));
    return {
        CLUSTER_NAME: input.clusterName,
        EXTRA_SCHEDULER_ARGS: extra.join(" "),
        QUORUM_SIZE: String(input.quorumSize),
        ZK_ENDPOINTS: input.zookeeperEndpoints.join(","),
    };
}

/** The thermos observer's command line, with the flags of Aurora's observer. */
export function renderObserverCommand(): string[] {
    return ["thermos_observer", "--ip=0.0.0.0", `--port=${auroraPorts.observer}`, "--mesos-root=/var/lib/mesos",
        "--log_to_disk=NONE", "--log_to_stderr=google:INFO"];
}

/** `devcluster/www-data/prod/hello`: how Aurora's client names a job. */
export function renderJobKey(cluster: string, job: Pick<AuroraJobSettings, "role" | "environment" | "name">): string {
    return `${cluster}/${job.role}/${job.environment}/${job.name}`;
}

/** The thermos payload of a job: a sequential task of its processes, as a .aurora file declares it. */
export function renderThermosPayload(cluster: string, job: AuroraJobSettings): string {
    const processes = job.processes ?? [];
    return JSON.stringify({
        cluster, role: job.role, environment: job.environment, name: job.name, service: job.service,
        task: {
            name: job.name,
            processes: processes.map((process) => ({ name: process.name, cmdline: process.cmdline })),
            // SequentialTask: each process waits for the one before it.
            constraints: processes.length > 1 ? [{ order: processes.map((process) => process.name) }] : [],
            resources: { cpu: job.resources.cpu, ram: job.resources.ramMb * 1024 * 1024, disk: job.resources.diskMb * 1024 * 1024 },
        },
    });
}

/**
 * The job as Aurora's API takes it (a JobConfiguration, with Thrift's field names): what the
 * Aurora client builds from a .aurora file and gorealis from its builder.
 */
export function renderJobConfiguration(cluster: string, job: AuroraJobSettings): Record<string, unknown> {
    const key = { role: job.role, environment: job.environment, name: job.name };
    const thermos = job.executor === "thermos";
    return {
        key,
        instanceCount: job.instances,
        taskConfig: {
            job: key,
            isService: job.service,
            executorConfig: {
                name: thermos ? thermosExecutorName : job.executor,
                data: thermos ? renderThermosPayload(cluster, job) : (job.executorData ?? "{}"),
            },
            resources: [
                { numCpus: job.resources.cpu },
                { ramMb: job.resources.ramMb },
                { diskMb: job.resources.diskMb },
                ...job.resources.ports.map((name) => ({ namedPort: name })),
            ],
            mesosFetcherUris: job.uris.map((uri) => ({ value: uri.value, extract: uri.extract, cache: uri.cache })),
            metadata: Object.keys(job.labels).sort().map((name) => ({ key: name, value: job.labels[name] })),
        },
    };
}

/** A job keeper's command (the scheduler image's job client): create the job, kill it when stopped. */
export function renderJobKeeperCommand(cluster: string, job: AuroraJobSettings): string[] {
    return [jobClient, "keep", renderJobKey(cluster, job), JSON.stringify(renderJobConfiguration(cluster, job))];
}
