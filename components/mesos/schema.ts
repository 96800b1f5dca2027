import { z } from "zod";
import { hostGroup, placeMembers, portClashes, PublishedPort, roleHost } from "../core/placement";
import { defaultBaseImage, dnsLabel, hostPort, imageSource, namedMembers } from "../core/schema";

/** The custom resources the wraxl scheduler's queues are named after: `<prefix>_high` and so on. */
export const queueResources = ["high", "low", "world"] as const;
export type QueueResource = (typeof queueResources)[number];

/** Pinned upstream images, used unless a role's `image` says otherwise. */
export const upstreamMesosImages = {
    master: "mesosphere/mesos-master:1.7.1",
    agent: "mesosphere/mesos-slave:1.7.1",
} as const;

const agentResourcesSchema = z.strictObject({
    /** CPUs the agent offers. Default 1. */
    cpus: z.number().positive().default(1),
    /** Memory the agent offers, in MB. Default 1024. */
    mem: z.number().int().positive().default(1024),
    /** Disk the agent offers, in MB. Default: Mesos' own estimate. */
    disk: z.number().int().positive().optional(),
    /** Slots for jobs from the `<prefix>_high` queue. Default 1. */
    high: z.number().int().min(0).default(1),
    /** Slots for jobs from the `<prefix>_low` queue. Default 1. */
    low: z.number().int().min(0).default(1),
    /** Slots for jobs from the `<prefix>_world` queue. Default 1. */
    world: z.number().int().min(0).default(1),
}, { error: (issue) => (issue.code === "unrecognized_keys" ? "expected cpus, mem, disk, high, low or world" : undefined) });

/** An agent attribute's name, as Mesos parses MESOS_ATTRIBUTES. Shared with Aurora's agents. */
export const attributeName = z.string().regex(/^[A-Za-z0-9_.-]+$/, "must be letters, digits, _ . or -");
/** An agent attribute's value: text without Mesos' separators, or a number. */
export const attributeValue = z.union([z.string().regex(/^[^;:,\s]+$/, "must have no ; : , or spaces"), z.number()]);

/** A container memory limit in MB: every role has one, so one runaway job cannot take the host. */
export const memoryMb = z.number().int().min(16, "must be at least 16 MB");

/** Roles whose names an agent may not take: they share the cluster's container and DNS names. */
export const mesosRoles = ["zookeeper", "master", "redis", "scheduler", "network"] as const;

export const containerizers = ["docker", "mesos"] as const;

const agentSchema = z.strictObject({
    /** The agent's stable name: its container, hostname and DNS alias. */
    name: dnsLabel.refine((name) => !(mesosRoles as readonly string[]).includes(name), {
        error: `must not be a role name (${mesosRoles.join(", ")})`,
    }),
    /** What the agent offers, rendered to MESOS_RESOURCES. */
    resources: agentResourcesSchema.prefault({}),
    /** Attributes jobs can select on, such as `location: yow`. Default none. */
    attributes: z.record(attributeName, attributeValue).default({}),
    /** Mesos containerizers. Default `[docker, mesos]`, as in the seed. */
    containerizers: z.array(z.enum(containerizers)).min(1).default(["docker", "mesos"]),
    /** This agent's image. Default: the cluster's `agentImage`. */
    image: imageSource.optional(),
    /** Host port for the agent's HTTP endpoint (5051), or `false`. Default `false`. */
    port: hostPort.default(false),
    /** Memory limit of the agent container (jobs included), in MB. Default: the `mem` it offers plus 256. */
    memoryMb: memoryMb.optional(),
    /** The host (under the stack's hosts) this agent runs on. Default: the next of `agentHosts`, else the cluster's host. */
    host: roleHost,
});

/** A count of default agents (agent1…N), or a list of named agents. */
const agentsSchema = namedMembers(agentSchema, "agent");

const buildUserSchema = z.strictObject({
    /** The user jobs run as. Default `wrlbuild`, the seed's build user. */
    name: z.string().regex(/^[a-z_][a-z0-9_-]*$/, "must be a Unix user name").default("wrlbuild"),
    /** Its uid. Default 1000. */
    uid: z.number().int().min(1).max(2147483647).default(1000),
    /** Its gid. Default 1000. */
    gid: z.number().int().min(1).max(2147483647).default(1000),
    /** Its home folder, where job scripts live. Default `/home/<name>`. */
    home: z.string().regex(/^\//, "must be an absolute path").optional(),
});

const queueResource = z.enum(queueResources);

/** The zookeeper role, as MesosCluster and the Aurora cluster both run it. */
export const zookeeperRoleSchema = z.strictObject({
    /** Default: a build of images/zookeeper (Debian's zookeeper package). */
    image: imageSource.default({ build: "zookeeper" }),
    /** Host port for the client port 2181, or `false`. Default 2181. */
    port: hostPort.default(2181),
    /** Memory limit of the zookeeper container, in MB. Default 512. */
    memoryMb: memoryMb.default(512),
});

/** The Mesos master role, as MesosCluster and the Aurora cluster both run it. */
export const masterRoleSchema = z.strictObject({
    /** Default: the pinned upstream mesosphere/mesos-master. */
    image: imageSource.default({ pinned: upstreamMesosImages.master }),
    /** Host port of the web UI and API (5050), or `false`. Default 5050. */
    port: hostPort.default(5050),
    /** Memory limit of the master container, in MB. Default 256. */
    memoryMb: memoryMb.default(256),
    /** Masters needed for a quorum. Default 1. */
    quorum: z.number().int().min(1).default(1),
    /** Where the master keeps its registry. Default `in_memory`: nothing to clean between runs. */
    registry: z.enum(["in_memory", "replicated_log"]).default("in_memory"),
});

export const mesosClusterArgsSchema = z.strictObject({
    /** Base image for the builds under images/. Default `debian:bookworm-slim`. */
    baseImage: z.string().min(1).default(defaultBaseImage),
    zookeeper: zookeeperRoleSchema.prefault({}),
    master: masterRoleSchema.extend({
        /** The cluster name the UI shows. Default: the component's name. */
        clusterName: z.string().min(1).optional(),
    }).prefault({}),
    /** The default agent image. Default: the pinned upstream mesosphere/mesos-slave. */
    agentImage: imageSource.default({ pinned: upstreamMesosImages.agent }),
    /** A count of default agents, or a list of named agents. Default 1. */
    agents: agentsSchema.prefault(1),
    /** Hosts the agents without a `host` of their own are spread over, round-robin. Default: the cluster's host. */
    agentHosts: hostGroup,
    redis: z.strictObject({
        /** Default: a build of images/redis (Debian's redis-server). */
        image: imageSource.default({ build: "redis" }),
        /** Host port for 6379, or `false`. Default 6379. */
        port: hostPort.default(6379),
        /** Memory limit of the redis container, in MB. Default 256. */
        memoryMb: memoryMb.default(256),
    }).prefault({}),
    scheduler: z.strictObject({
        /** The wraxl scheduler image. Default: images/wraxl-scheduler-standin. */
        image: imageSource.default({ build: "wraxl-scheduler-standin" }),
        /** A local scheduler source folder mounted over /opt/wraxl, as the seed's wraxl_sched_test.yml does. */
        source: z.string().regex(/^\//, "must be an absolute path").optional(),
        /** The queues are `<queuePrefix>_high`, `_low`, `_world`. Default `wraxl`. */
        queuePrefix: z.string().regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, _ or - (it is part of Redis queue names)").default("wraxl"),
        /** The queue resources the scheduler starts jobs on. Default `[low, world]`, as in the seed. */
        runsOn: z.array(queueResource).min(1).default(["low", "world"]),
        /** Whether jobs pull their docker_image first. Default false, as in the seed. */
        pullImages: z.boolean().default(false),
        /** Memory limit of the scheduler container, in MB. Default 256. */
        memoryMb: memoryMb.default(256),
        /** The readiness test inside the scheduler container, or `false` for none. Default: the image's /usr/local/bin/healthcheck. */
        healthcheck: z.union([z.array(z.string()).min(1), z.literal(false)]).default(["/usr/local/bin/healthcheck"]),
    }).prefault({}),
    /** The user jobs run as on the agents, and its home. Default wrlbuild, uid 1000, /home/wrlbuild. */
    buildUser: buildUserSchema.prefault({}),
}).check((ctx) => {
    // Per host: agents on two hosts may both publish 5051. Agents without a `host` count as on
    // the cluster's host; mesosPlacementProblems judges them again once that host's name is known.
    const agents = Array.isArray(ctx.value.agents) ? ctx.value.agents : [];
    const placed = placeMembers(agents.filter((agent) => agent?.name !== undefined), ctx.value.agentHosts);
    const ports: PublishedPort[] = [
        { path: ["zookeeper", "port"], host: undefined, port: ctx.value.zookeeper.port },
        { path: ["master", "port"], host: undefined, port: ctx.value.master.port },
        { path: ["redis", "port"], host: undefined, port: ctx.value.redis.port },
        ...agents.map((agent, i): PublishedPort => ({ path: ["agents", i, "port"], host: placed[agent?.name], port: agent?.port })),
    ];
    for (const clash of portClashes(ports)) {
        ctx.issues.push({ code: "custom", input: clash.port, path: clash.path, message: clash.message });
    }
}).check((ctx) => {
    const { agents, scheduler } = ctx.value;
    // Checks still run after some field failed; only judge agents that parsed.
    if (!Array.isArray(agents) || !agents.every((agent) => agent?.resources !== undefined)) {
        return;
    }
    const canRun = agents.some((agent) => scheduler.runsOn.some((resource) => agent.resources[resource] > 0));
    if (!canRun) {
        ctx.issues.push({
            code: "custom",
            input: agents,
            path: ["agents"],
            message: `no agent offers any of the resources the scheduler starts jobs on (${scheduler.runsOn.join(", ")}), ` +
                "so no job would ever run: give an agent one of them, or change scheduler.runsOn",
        });
    }
});

export type MesosClusterArgsInput = z.input<typeof mesosClusterArgsSchema>;
export type MesosClusterSettings = z.output<typeof mesosClusterArgsSchema>;
export type MesosAgentSettings = MesosClusterSettings["agents"][number];
export type BuildUser = MesosClusterSettings["buildUser"];
