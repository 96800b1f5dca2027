import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { parseOrThrow } from "../core/config";
import { Host } from "../core/host";
import { dockerObjectName } from "../core/labels";
import { containerNamesOf, Service } from "../core/service";
import {
    idleAgents,
    mesosPorts,
    renderAgentEnv,
    renderEnqueueCommand,
    renderQueueNames,
    renderSchedulerCommand,
    renderSchedulerConfig,
    renderZookeeperUrl,
    schedulerPaths,
} from "./render";
import { createMesosCore } from "./core";
import { mesosPlacementProblems } from "./placement";
import { servicePort } from "./roles";
import { MesosClusterArgsInput, mesosClusterArgsSchema, MesosClusterSettings, QueueResource } from "./schema";

export { mesosClusterArgsSchema } from "./schema";

/** MesosCluster's args: the validated settings (see the schema for each field's default) and where it runs. */
export interface MesosClusterArgs extends MesosClusterArgsInput {
    /** The Docker host every role runs on unless placed elsewhere. Default: the local engine, ports on 127.0.0.1. */
    host?: Host;
    /** Every host agents may be placed on by name (`agents[].host`, `agentHosts`). Default: only `host`. */
    hosts?: Record<string, Host>;
}

/** The parts of a MesosCluster, as `createMesosCluster` builds them. */
export interface MesosClusterParts {
    network: docker.Network;
    zookeeper: Service;
    master: Service;
    agents: Record<string, Service>;
    redis: Service;
    scheduler: Service;
    settings: MesosClusterSettings;
}

const redisHealthcheck = { test: ["sh", "-c", "redis-cli ping | grep -q PONG"] };

/**
 * Builds the cluster's resources under `parent`: zookeeper, then the master once zookeeper is
 * ready, then the agents once the master is; redis; and the scheduler once master and redis are.
 */
export function createMesosCluster(name: string, args: MesosClusterArgs, parent: pulumi.Resource): MesosClusterParts {
    const { host: givenHost, hosts: givenHosts, ...rest } = args;
    const settings = parseOrThrow(mesosClusterArgsSchema, rest, `MesosCluster "${name}" args`);
    const stack = pulumi.getStack();
    const { host, network, imageFor, zookeeper, zookeeperUrl, master, agents } = createMesosCore(name, { host: givenHost, hosts: givenHosts }, settings, {
        kind: "MesosCluster",
        placementProblems: mesosPlacementProblems,
        clusterName: settings.master.clusterName ?? name,
        agentEnv: (agent, reachedAt) => renderAgentEnv(agent, reachedAt, settings.buildUser),
    }, parent);
    const common = { network, host };
    const scope = (role: string) => ({ stack, cluster: name, role });

    for (const idle of idleAgents(settings.agents, settings.scheduler.runsOn)) {
        void pulumi.log.warn(
            `agent "${idle}" offers none of ${settings.scheduler.runsOn.join(", ")}, the resources the scheduler ` +
            "starts jobs on: it will never run a job", parent);
    }

    const redis = new Service(`${name}-redis`, {
        ...common,
        scope: scope("redis"),
        image: imageFor("redis", settings.redis.image),
        ports: [servicePort("redis", mesosPorts.redis, settings.redis.port, "redis")],
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
