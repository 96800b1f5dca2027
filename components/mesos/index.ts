import * as pulumi from "@pulumi/pulumi";
import { parseOrThrow } from "../core/config";
import { Host } from "../core/host";
import { DockerImage, DockerNetwork } from "../core/docker/resources";
import { createClusterImage } from "../core/image";
import { dockerObjectName } from "../core/labels";
import { createClusterNetwork } from "../core/network";
import { ImageSource } from "../core/schema";
import { containerNamesOf, Service, ServicePort } from "../core/service";
import {
    idleAgents,
    mesosPorts,
    renderAgentEnv,
    renderEnqueueCommand,
    renderMasterEnv,
    renderQueueNames,
    renderSchedulerCommand,
    renderSchedulerConfig,
    renderZookeeperUrl,
    schedulerPaths,
} from "./render";
import { MesosClusterArgsInput, mesosClusterArgsSchema, MesosClusterSettings, QueueResource } from "./schema";

export { mesosClusterArgsSchema } from "./schema";

/** MesosCluster's args: the validated settings (see the schema for each field's default) and where it runs. */
export interface MesosClusterArgs extends MesosClusterArgsInput {
    /** The Docker host every role runs on. Default: the local engine, ports on 127.0.0.1. */
    host?: Host;
}

/** The parts of a MesosCluster, as `createMesosCluster` builds them. */
export interface MesosClusterParts {
    network: DockerNetwork;
    zookeeper: Service;
    master: Service;
    agents: Record<string, Service>;
    redis: Service;
    scheduler: Service;
    settings: MesosClusterSettings;
}

const zookeeperHealthcheck = {
    // bash's /dev/tcp: no netcat needed, and it works in the official zookeeper image too.
    test: ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/2181 && echo ruok >&3 && grep -q imok <&3"],
    startPeriodSeconds: 60,
};
const redisHealthcheck = { test: ["sh", "-c", "redis-cli ping | grep -q PONG"] };
function httpHealthcheck(port: number) {
    return { test: ["sh", "-c", `curl -fsS http://127.0.0.1:${port}/health`] };
}

function port(name: string, internal: number, external: number | false, scheme: string): ServicePort {
    return { name, internal, external, scheme };
}

/**
 * Builds the cluster's resources under `parent`: zookeeper, then the master once zookeeper is
 * ready, then the agents once the master is; redis; and the scheduler once master and redis are.
 */
export function createMesosCluster(name: string, args: MesosClusterArgs, parent: pulumi.Resource): MesosClusterParts {
    const { host: givenHost, ...rest } = args;
    const settings = parseOrThrow(mesosClusterArgsSchema, rest, `MesosCluster "${name}" args`);
    const stack = pulumi.getStack();
    const host = givenHost ?? Host.local();

    const images = new Map<string, DockerImage>();
    function imageFor(role: string, source: ImageSource): pulumi.Output<string> {
        const key = JSON.stringify(source);
        let image = images.get(key);
        if (image === undefined) {
            image = createClusterImage(`${name}-${role}-image`, source, { host, parent, baseImage: settings.baseImage });
            images.set(key, image);
        }
        return image.imageId;
    }

    const network = createClusterNetwork(`${name}-network`, { stack, cluster: name, host }, parent);
    const common = { network, host };
    const scope = (role: string) => ({ stack, cluster: name, role });

    const zookeeper = new Service(`${name}-zookeeper`, {
        ...common,
        scope: scope("zookeeper"),
        image: imageFor("zookeeper", settings.zookeeper.image),
        env: { ZOO_4LW_COMMANDS_WHITELIST: "ruok,srvr,mntr", ZOO_MY_ID: "1" },
        ports: [port("client", mesosPorts.zookeeper, settings.zookeeper.port, "zk")],
        volumes: [{ name: "data", containerPath: "/data" }],
        healthcheck: zookeeperHealthcheck,
        memoryMb: settings.zookeeper.memoryMb,
    }, { parent });
    const zookeeperUrl = renderZookeeperUrl([zookeeper.dnsName]);

    const master = new Service(`${name}-master`, {
        ...common,
        scope: scope("master"),
        image: imageFor("master", settings.master.image),
        env: renderMasterEnv({
            zookeeperUrl,
            quorum: settings.master.quorum,
            clusterName: settings.master.clusterName ?? name,
            registry: settings.master.registry,
            hostname: "master",
        }),
        ports: [port("http", mesosPorts.master, settings.master.port, "http")],
        volumes: [{ name: "work", containerPath: "/var/lib/mesos" }],
        healthcheck: httpHealthcheck(mesosPorts.master),
        memoryMb: settings.master.memoryMb,
        dependsOn: [zookeeper],
    }, { parent });

    const agents: Record<string, Service> = {};
    for (const agent of settings.agents) {
        agents[agent.name] = new Service(`${name}-${agent.name}`, {
            ...common,
            scope: scope("agent"),
            instance: agent.name,
            image: imageFor("agent", agent.image ?? settings.agentImage),
            env: renderAgentEnv(agent, zookeeperUrl, settings.buildUser),
            ports: [port("http", mesosPorts.agent, agent.port, "http")],
            volumes: [{ name: "work", containerPath: "/var/lib/mesos/agent" }],
            healthcheck: httpHealthcheck(mesosPorts.agent),
            memoryMb: agent.memoryMb ?? agent.resources.mem + 256,
            dependsOn: [master],
        }, { parent });
    }
    for (const idle of idleAgents(settings.agents, settings.scheduler.runsOn)) {
        void pulumi.log.warn(
            `agent "${idle}" offers none of ${settings.scheduler.runsOn.join(", ")}, the resources the scheduler ` +
            "starts jobs on: it will never run a job", parent);
    }

    const redis = new Service(`${name}-redis`, {
        ...common,
        scope: scope("redis"),
        image: imageFor("redis", settings.redis.image),
        ports: [port("redis", mesosPorts.redis, settings.redis.port, "redis")],
        volumes: [{ name: "data", containerPath: "/data" }],
        healthcheck: redisHealthcheck,
        memoryMb: settings.redis.memoryMb,
    }, { parent });

    const scheduler = new Service(`${name}-scheduler`, {
        ...common,
        scope: scope("scheduler"),
        image: imageFor("scheduler", settings.scheduler.image),
        command: renderSchedulerCommand(zookeeperUrl, `${redis.dnsName}:${mesosPorts.redis}`),
        files: [{
            path: schedulerPaths.config,
            content: renderSchedulerConfig({ ...settings.scheduler, buildUser: settings.buildUser }),
        }],
        binds: settings.scheduler.source === undefined ? [] : [
            { hostPath: settings.scheduler.source, containerPath: schedulerPaths.source, readOnly: true },
        ],
        healthcheck: settings.scheduler.healthcheck === false ? undefined : { test: settings.scheduler.healthcheck },
        memoryMb: settings.scheduler.memoryMb,
        dependsOn: [master, redis, ...Object.values(agents)],
    }, { parent });

    return { network, zookeeper, master, agents, redis, scheduler, settings };
}

/**
 * A Mesos test cluster as the wraxl setup runs it: zookeeper, a master, agents offering the
 * scheduler's custom resources, redis, and the wraxl scheduler watching its queues.
 */
export class MesosCluster extends pulumi.ComponentResource {
    /** The master's web UI and API. */
    public readonly masterUrl: pulumi.Output<string>;
    /** `zk://…/mesos`, reachable from where the cluster's users are (the host, when published). */
    public readonly zookeeperUrl: pulumi.Output<string>;
    /** `redis://…`, where jobs are enqueued. */
    public readonly redisUrl: pulumi.Output<string>;
    /** The queues the scheduler watches, by resource. */
    public readonly queueNames: pulumi.Output<Record<QueueResource, string>>;
    /** A command that enqueues a job like the seed's example on the first queue the scheduler runs. */
    public readonly enqueueCommand: pulumi.Output<string>;
    /** The cluster's Docker network. */
    public readonly networkName: pulumi.Output<string>;
    /** Every role's container name, by role or agent name. */
    public readonly containerNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: MesosClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusterlab:mesos:MesosCluster", name, {}, opts);
        const parts = createMesosCluster(name, args, this);
        const { settings } = parts;
        const queues = renderQueueNames(settings.scheduler.queuePrefix);
        const inside = {
            master: `http://${parts.master.dnsName}:${mesosPorts.master}`,
            zookeeper: renderZookeeperUrl([parts.zookeeper.dnsName]),
            redis: `redis://${parts.redis.dnsName}:${mesosPorts.redis}`,
        };
        const published = parts.zookeeper.urls.client;

        this.masterUrl = pulumi.output(parts.master.urls.http ?? inside.master);
        this.zookeeperUrl = pulumi.output(published === undefined ? inside.zookeeper : `${published}/mesos`);
        this.redisUrl = pulumi.output(parts.redis.urls.redis ?? inside.redis);
        this.queueNames = pulumi.output(queues);
        const schedulerContainer = dockerObjectName({ stack: pulumi.getStack(), cluster: name, role: "scheduler" });
        this.enqueueCommand = pulumi.output(renderEnqueueCommand({
            schedulerContainer,
            queue: queues[settings.scheduler.runsOn[0]],
        }));
        this.networkName = parts.network.name;
        const roles: Record<string, Service> = {
            zookeeper: parts.zookeeper, master: parts.master, redis: parts.redis, scheduler: parts.scheduler, ...parts.agents,
        };
        this.containerNames = containerNamesOf(roles);

        this.registerOutputs({
            masterUrl: this.masterUrl,
            zookeeperUrl: this.zookeeperUrl,
            redisUrl: this.redisUrl,
            queueNames: this.queueNames,
            enqueueCommand: this.enqueueCommand,
            networkName: this.networkName,
            containerNames: this.containerNames,
        });
    }
}
