import { z } from "zod";
import { hostGroup, placeMembers, portClashes, PublishedPort, roleHost } from "../core/placement";
import { defaultBaseImage, dnsLabel, hostPort, imageSource, namedMembers } from "../core/schema";
// Agents follow MesosCluster's rules for attributes and memory limits: the same Mesos underneath.
import { attributeName, attributeValue, containerizers, masterRoleSchema, memoryMb, upstreamMesosImages, zookeeperRoleSchema } from "../mesos/schema";

/**
 * Pinned upstream images, used unless a role's `image` says otherwise. Mesos is MesosCluster's
 * pin; the scheduler is Apache Aurora 0.22.0 as its maintainers publish it (aurora-scheduler/docker).
 * No upstream image of the thermos observer alone is published, so it defaults to the stand-in.
 */
export const upstreamAuroraImages = {
    master: upstreamMesosImages.master,
    agent: upstreamMesosImages.agent,
    scheduler: "rdelvalle/aurora:0.22.0",
} as const;

/** The name Aurora gives its own (thermos) executor; a custom executor may not take it. */
export const thermosExecutorName = "AuroraExecutor";

/** Roles whose names an agent may not take: they share the cluster's container and DNS names. */
export const auroraRoles = ["zookeeper", "master", "scheduler", "observer", "network"] as const;

/**
 * Cross-field rules run even when some field failed to parse, so one error message names every
 * bad path (zod skips refinements after a type error unless told otherwise); hence the defensive reads.
 */
const always = { when: () => true };

// ---------------------------------------------------------------- custom executors

// What the Mesos fetcher can get: the schemes it knows, or a path on the agent.
const fetcherSchemes = ["http", "https", "ftp", "ftps", "hdfs", "hftp", "s3", "s3a", "s3n", "file"];
function isFetchableUri(value: string): boolean {
    if (value.startsWith("/")) {
        return true;
    }
    try {
        const url = new URL(value);
        return fetcherSchemes.includes(url.protocol.replace(/:$/, "")) && (url.protocol === "file:" || url.host !== "");
    } catch {
        return false;
    }
}

const fetcherUriSchema = z.strictObject({
    /** What the Mesos fetcher downloads into the sandbox: an http(s)/ftp/hdfs/s3/file URL, or an absolute path on the agent. */
    value: z.string({ error: "is required: the URL the Mesos fetcher downloads" }).refine(isFetchableUri, {
        error: `must be a URL the Mesos fetcher can get (${fetcherSchemes.map((s) => `${s}://`).join(", ")}) or an absolute path on the agent`,
    }),
    /** chmod +x after the download. Default false. */
    executable: z.boolean().default(false),
    /** Unpack archives into the sandbox. Default true, as Mesos does. */
    extract: z.boolean().default(true),
    /** Use the fetcher's cache. Default false. */
    cache: z.boolean().default(false),
});

/** Aurora's sample writes `"shell": "true"`; Jackson reads the string as the boolean, and so do we. */
const shellFlag = z.union([z.boolean(), z.enum(["true", "false"]).transform((text) => text === "true")],
    { error: 'must be true or false (the seed\'s "true" and "false" strings too)' });

const commandSchema = z.strictObject({
    /** The command: a shell line when `shell`, else the executable. */
    value: z.string({ error: "is required: the command that starts the executor" }).min(1, "must not be empty"),
    /** Run `value` through /bin/sh -c (then `arguments` are ignored). Default true. */
    shell: shellFlag.default(true),
    /** Arguments of the executable when `shell` is false. */
    arguments: z.array(z.string()).optional(),
    /** What the fetcher downloads into the sandbox first (the executor's jar, say). Default none. */
    uris: z.array(fetcherUriSchema).default([]),
}, { error: (issue) => (issue.input === undefined ? "is required: how Mesos starts the executor ({ value, shell, uris })" : undefined) });

const executorResourceSchema = z.strictObject({
    /** `cpus` or `mem`: the overhead each executor instance adds to its task. */
    name: z.enum(["cpus", "mem"], { error: "must be cpus or mem" }),
    /** Always SCALAR. */
    type: z.literal("SCALAR").default("SCALAR"),
    scalar: z.strictObject({ value: z.number().min(0, "must be >= 0") }),
});

const volumeMountSchema = z.strictObject({
    /** The host path mounted into the executor's container. */
    hostPath: z.string().regex(/^\//, "must be an absolute path"),
    /** Where it appears inside. */
    containerPath: z.string().regex(/^\//, "must be an absolute path"),
    /** RO or RW. Default RO. */
    mode: z.enum(["RO", "RW"]).default("RO"),
});

const executorSchema = z.strictObject({
    /** The executor's name: a job selects it by `TaskConfig.executorConfig.name`. */
    name: z.string({ error: "is required: the executor's name, which jobs select it by" })
        .regex(/^[A-Za-z0-9_.-]+$/, "must be letters, digits, _ . or -")
        .refine((name) => name !== thermosExecutorName, { error: `must not be ${thermosExecutorName}, the thermos executor's own name` }),
    command: commandSchema,
    /** Overhead per executor instance (cpus, mem). Default none, as the seed's config. */
    resources: z.array(executorResourceSchema).default([]),
}, { error: (issue) => (issue.input === undefined ? "is required: { name, command, resources }" : undefined) });

/** One entry of Aurora's custom executor config (docs/features/custom-executors.md), in camelCase. */
export const customExecutorSchema = z.strictObject({
    executor: executorSchema,
    /** Prefix of the ids of tasks this executor runs, such as `compose-`. */
    taskPrefix: z.string({ error: "is required: the prefix of this executor's task ids" })
        .regex(/^[A-Za-z0-9_.-]+$/, "must be letters, digits, _ . or -"),
    /** Host paths mounted into the executor's container. */
    volumeMounts: z.array(volumeMountSchema).optional(),
});

/** The seed's docker-compose executor entry: the default config. */
export const seedComposeExecutor: z.input<typeof customExecutorSchema> = {
    executor: {
        name: "docker-compose-executor",
        command: {
            value: "java -jar docker-compose-executor_0.1.0.jar",
            shell: true,
            uris: [{
                value: "https://github.com/mesos/docker-compose-executor/releases/download/0.1.0/docker-compose-executor_0.1.0.jar",
                executable: true,
                extract: false,
                cache: false,
            }],
        },
        resources: [],
    },
    taskPrefix: "compose-",
};

const customExecutorsSchema = z.array(customExecutorSchema).min(1, "must list at least one custom executor").superRefine((value, ctx) => {
    // Aurora keys executors by name (a duplicate fails its start) and tells tasks apart by prefix.
    for (const [field, path] of [["name", ["executor", "name"]], ["taskPrefix", ["taskPrefix"]]] as const) {
        const seen = new Map<string, number>();
        (Array.isArray(value) ? value : []).forEach((entry, index) => {
            const given = field === "name" ? entry?.executor?.name : entry?.taskPrefix;
            if (typeof given !== "string") {
                return;
            }
            const first = seen.get(given);
            if (first !== undefined) {
                ctx.addIssue({
                    code: "custom", input: given, path: [index, ...path],
                    message: `must be unique: customExecutors[${first}] already has ${field === "name" ? "the name" : "the task prefix"} "${given}"`,
                });
            }
            seen.set(given, index);
        });
    }
}, always);

// ---------------------------------------------------------------- agents

const agentResourcesSchema = z.strictObject({
    /** CPUs the agent offers. Default 2. */
    cpus: z.number().positive().default(2),
    /** Memory the agent offers, in MB. Default 1024. */
    mem: z.number().int().positive().default(1024),
    /** Disk the agent offers, in MB. Default 4096. */
    disk: z.number().int().positive().default(4096),
    /** Ports the agent offers to tasks (compose jobs ask for one), Mesos range syntax. Default `[31000-32000]`. */
    ports: z.string().regex(/^\[\d+-\d+(,\s*\d+-\d+)*\]$/, "must be Mesos ranges such as [31000-32000]").default("[31000-32000]"),
}, { error: (issue) => (issue.code === "unrecognized_keys" ? "expected cpus, mem, disk or ports" : undefined) });

const agentSchema = z.strictObject({
    /** The agent's stable name: its container, hostname and DNS alias. */
    name: dnsLabel.refine((name) => !(auroraRoles as readonly string[]).includes(name), {
        error: `must not be a role name (${auroraRoles.join(", ")})`,
    }),
    /** What the agent offers, rendered to MESOS_RESOURCES. */
    resources: agentResourcesSchema.prefault({}),
    /** Attributes jobs can constrain on, such as `rack: r1`. Default none. */
    attributes: z.record(attributeName, attributeValue).default({}),
    /** Mesos containerizers. Default `[docker, mesos]`, as the compose executor needs. */
    containerizers: z.array(z.enum(containerizers)).min(1).default(["docker", "mesos"]),
    /**
     * Give the agent the host's Docker engine (its socket), which the docker containerizer and the
     * compose executor's docker-compose drive. Default true.
     */
    dockerSocket: z.boolean().default(true),
    /** This agent's image. Default: the cluster's `agentImage`. */
    image: imageSource.optional(),
    /** Host port for the agent's HTTP endpoint (5051), or `false`. Default `false`. */
    port: hostPort.default(false),
    /** Memory limit of the agent container (tasks included), in MB. Default: the `mem` it offers plus 256. */
    memoryMb: memoryMb.optional(),
    /** The host (under the stack's hosts) this agent runs on. Default: the next of `agentHosts`, else the cluster's host. */
    host: roleHost,
});

// ---------------------------------------------------------------- jobs

const jobName = z.string().regex(/^[A-Za-z0-9_.-]+$/, "must be letters, digits, _ . or -");

const jobSchema = z.strictObject({
    /** The job's name, the last part of its key `<cluster>/<role>/<environment>/<name>`. */
    name: jobName,
    /** The role (Unix user on the agents) it runs as. Default `www-data`, as the seed's hello job. */
    role: jobName.default("www-data"),
    /** Default `prod`. */
    environment: z.string().regex(/^(devel|test|prod|staging\d*)$/, "must be devel, test, prod or staging<N>").default("prod"),
    /** `thermos`, or the name of one of `customExecutors`. Default `thermos`. */
    executor: z.string().min(1).default("thermos"),
    /** A service restarts when it ends. Default false. */
    service: z.boolean().default(false),
    /** Default 1. */
    instances: z.number().int().min(1).default(1),
    resources: z.strictObject({
        /** Default 1. */
        cpu: z.number().positive().default(1),
        /** Default 128. */
        ramMb: z.number().int().positive().default(128),
        /** Default 128. */
        diskMb: z.number().int().positive().default(128),
        /** Named ports the task asks for (the compose job asks for one). Default none. */
        ports: z.array(z.string().regex(/^[a-z][a-z0-9_-]*$/, "must be a port name")).default([]),
    }).prefault({}),
    /** Thermos jobs: the processes of a sequential task, as in a .aurora file. */
    processes: z.array(z.strictObject({ name: jobName, cmdline: z.string().min(1) })).optional(),
    /** Custom executor jobs: the executor's data (gorealis' ExecutorData). Default `{}`. */
    executorData: z.string().optional(),
    /** What the fetcher downloads for the task (the compose job's sample-app). Default none. */
    uris: z.array(fetcherUriSchema).default([]),
    /** Task metadata, such as the compose executor's `fileName`. Default none. */
    labels: z.record(z.string().min(1), z.string()).default({}),
});

// ---------------------------------------------------------------- the component

const flagName = z.string().regex(/^[a-z][a-z0-9_]*$/, "must be an Aurora flag name (lowercase, digits, _), without the dash");

/** Scheduler flags rendered from typed args, never from `scheduler.flags`. */
export const renderedSchedulerFlags = [
    "cluster_name", "zk_endpoints", "mesos_master_address", "serverset_path", "native_log_zk_group_path",
    "native_log_file_path", "native_log_quorum_size", "backup_dir", "http_port", "custom_executor_config",
    "enable_mesos_fetcher", "thermos_executor_path", "allowed_container_types",
] as const;

export const auroraArgsSchema = z.strictObject({
    /** Base image for the builds under images/. Default `debian:bookworm-slim`. */
    baseImage: z.string().min(1).default(defaultBaseImage),
    /** Zookeeper and the Mesos master: the same roles and settings as MesosCluster's. */
    zookeeper: zookeeperRoleSchema.prefault({}),
    master: masterRoleSchema.prefault({}),
    /** The default agent image. Default: the pinned upstream mesosphere/mesos-slave. */
    agentImage: imageSource.default({ pinned: upstreamAuroraImages.agent }),
    /** A count of default agents, or a list of named agents. Default 1. */
    agents: namedMembers(agentSchema, "agent").prefault(1),
    /** Hosts the agents without a `host` of their own are spread over, round-robin. Default: the cluster's host. */
    agentHosts: hostGroup,
    scheduler: z.strictObject({
        /** Default: the pinned upstream Aurora 0.22.0 image. */
        image: imageSource.default({ pinned: upstreamAuroraImages.scheduler }),
        /** Host port of the scheduler's UI and API (8081), or `false`. Default 8081. */
        port: hostPort.default(8081),
        /** Memory limit, in MB. Default 1024 (a JVM). */
        memoryMb: memoryMb.default(1024),
        /** `-cluster_name`, the first part of job keys. Default `devcluster`, as in the seed. */
        clusterName: z.string().regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, _ or -").default("devcluster"),
        /** `-native_log_quorum_size`. Default 1. */
        quorumSize: z.number().int().min(1).default(1),
        /** More scheduler flags, by name without the dash: `{ min_offer_hold_time: 1secs }`. Default none. */
        flags: z.record(flagName, z.union([z.string(), z.number(), z.boolean()])).default({}),
    }).prefault({}),
    observer: z.strictObject({
        /** Default: images/thermos-observer-standin (no upstream image of the observer alone). */
        image: imageSource.default({ build: "thermos-observer-standin" }),
        /** Host port of the observer's UI (1338), or `false`. Default 1338. */
        port: hostPort.default(1338),
        /** Memory limit, in MB. Default 128. */
        memoryMb: memoryMb.default(128),
    }).prefault({}),
    /** Aurora's custom executor config. Default: the seed's docker-compose executor. */
    customExecutors: customExecutorsSchema.default([seedComposeExecutor as z.output<typeof customExecutorSchema>]),
    /** Jobs created on `up` and killed on `destroy` (or when removed). Default none. */
    jobs: z.array(jobSchema).default([]),
}).superRefine((value, ctx) => {
    // Per host: agents on two hosts may both publish 5051. Agents without a `host` count as on the
    // cluster's host; auroraPlacementProblems judges them again once that host's name is known.
    const agents = Array.isArray(value.agents) ? value.agents : [];
    const placed = placeMembers(agents.filter((agent) => typeof agent?.name === "string"), value.agentHosts);
    const ports: PublishedPort[] = [
        { path: ["zookeeper", "port"], host: undefined, port: value.zookeeper?.port },
        { path: ["master", "port"], host: undefined, port: value.master?.port },
        { path: ["scheduler", "port"], host: undefined, port: value.scheduler?.port },
        { path: ["observer", "port"], host: undefined, port: value.observer?.port },
        ...agents.map((agent, i): PublishedPort => ({ path: ["agents", i, "port"], host: placed[agent?.name], port: agent?.port })),
    ];
    for (const clash of portClashes(ports)) {
        ctx.addIssue({ code: "custom", input: clash.port, path: clash.path, message: clash.message });
    }
}, always).superRefine((value, ctx) => {
    const { jobs, customExecutors } = value;
    const executorNames = Array.isArray(customExecutors) ? customExecutors.map((entry) => entry?.executor?.name) : [];
    const keys = new Map<string, number>();
    (Array.isArray(jobs) ? jobs : []).forEach((job, index) => {
        if (job === null || typeof job !== "object") {
            return;
        }
        const issue = (path: (string | number)[], message: string, input: unknown) =>
            ctx.addIssue({ code: "custom", input, path: ["jobs", index, ...path], message });
        const thermos = job.executor === "thermos";
        if (!thermos && !executorNames.includes(job.executor)) {
            issue(["executor"], `must be thermos or a custom executor's name (${executorNames.join(", ")})`, job.executor);
        }
        if (thermos && (job.processes === undefined || job.processes.length === 0)) {
            issue(["processes"], "must list at least one process: a thermos job runs processes", job.processes);
        }
        if (!thermos && job.processes !== undefined) {
            issue(["processes"], `must be left out: only thermos jobs run processes, this one runs on ${job.executor}`, job.processes);
        }
        if (thermos && job.executorData !== undefined) {
            issue(["executorData"], "must be left out: the thermos payload is rendered from processes", job.executorData);
        }
        const key = `${job.role}/${job.environment}/${job.name}`;
        const first = keys.get(key);
        if (first !== undefined) {
            issue(["name"], `must be unique: jobs[${first}] already is ${key}`, job.name);
        }
        keys.set(key, index);
    });
}, always).superRefine((value, ctx) => {
    // Flags the component renders itself come from typed args; a second value would be ambiguous.
    for (const flag of Object.keys(value.scheduler?.flags ?? {})) {
        if ((renderedSchedulerFlags as readonly string[]).includes(flag)) {
            ctx.addIssue({
                code: "custom", input: flag, path: ["scheduler", "flags", flag],
                message: "is set by the component from its typed args (clusterName, quorumSize, customExecutors, zookeeper, master): leave it out",
            });
        }
    }
}, always);

export type AuroraArgsInput = z.input<typeof auroraArgsSchema>;
export type AuroraSettings = z.output<typeof auroraArgsSchema>;
export type AuroraAgentSettings = AuroraSettings["agents"][number];
export type CustomExecutorSettings = AuroraSettings["customExecutors"][number];
export type AuroraJobSettings = AuroraSettings["jobs"][number];
