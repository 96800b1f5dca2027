import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { parseOrThrow } from "../core/config";
import { Host } from "../core/host";
import { containerNamesOf, Service } from "../core/service";
import { createMesosCore } from "../mesos/core";
import { mesosPorts, renderZookeeperUrl } from "../mesos/render";
import { httpHealthcheck, servicePort } from "../mesos/roles";
import {
    auroraPaths,
    auroraPorts,
    renderAgentEnv,
    renderExecutorConfig,
    jobKeeperReadyFile,
    renderJobKeeperCommand,
    renderJobKey,
    renderObserverCommand,
    renderSchedulerCommand,
    renderSchedulerEnv,
    renderSchedulerFlags,
    SchedulerFlagsInput,
} from "./render";
import { auroraPlacementProblems } from "./placement";
import { auroraArgsSchema, AuroraArgsInput, AuroraSettings } from "./schema";

export { auroraArgsSchema } from "./schema";

/** AuroraWithCustomExecutor's args: the validated settings (see the schema for each default) and where it runs. */
export interface AuroraWithCustomExecutorArgs extends AuroraArgsInput {
    /** The Docker host every role runs on unless placed elsewhere. Default: the local engine, ports on 127.0.0.1. */
    host?: Host;
    /** Every host agents may be placed on by name (`agents[].host`, `agentHosts`). Default: only `host`. */
    hosts?: Record<string, Host>;
}

/** The parts of the cluster, as `createAuroraCluster` builds them. */
export interface AuroraClusterParts {
    network: docker.Network;
    zookeeper: Service;
    master: Service;
    agents: Record<string, Service>;
    scheduler: Service;
    observer: Service;
    /** One keeper container per job, by job key: the job lives as long as it runs. */
    jobs: Record<string, Service>;
    /** The JSON shipped to the scheduler as its `-custom_executor_config`. */
    executorConfig: string;
    settings: AuroraSettings;
}

/** Where an agent finds its host's Docker engine inside: Mesos' default `--docker_socket`. */
const dockerSocket = "/var/run/docker.sock";

/**
 * Builds the cluster under `parent`: zookeeper, the master once it is ready, the agents once the
 * master is, the scheduler (with its executor config) once master and agents are, the observer;
 * then the jobs, created in the ready scheduler and killed before it goes.
 */
export function createAuroraCluster(name: string, args: AuroraWithCustomExecutorArgs, parent: pulumi.Resource): AuroraClusterParts {
    const { host: givenHost, hosts: givenHosts, ...rest } = args;
    const settings = parseOrThrow(auroraArgsSchema, rest, `AuroraWithCustomExecutor "${name}" args`);
    const stack = pulumi.getStack();
    const { host, network, imageFor, zookeeper, zookeeperUrl, master, agents } = createMesosCore(name, { host: givenHost, hosts: givenHosts }, settings, {
        kind: "AuroraWithCustomExecutor",
        placementProblems: auroraPlacementProblems,
        clusterName: name,
        agentEnv: (agent, reachedAt) => renderAgentEnv(agent, reachedAt),
        // The agent's own host's engine: docker-compose and the docker containerizer start
        // containers beside the agent, wherever it runs (an extra host's socket may be elsewhere).
        agentBinds: (agent, on) => (agent.dockerSocket ? [{ hostPath: on.socketPath, containerPath: dockerSocket, readOnly: false }] : []),
    }, parent);
    const scope = (role: string) => ({ stack, cluster: name, role });

    const flagsInput: SchedulerFlagsInput = {
        clusterName: settings.scheduler.clusterName,
        zookeeperEndpoints: [`${zookeeper.dnsName}:${mesosPorts.zookeeper}`],
        mesosMasterAddress: zookeeperUrl,
        quorumSize: settings.scheduler.quorumSize,
        flags: settings.scheduler.flags,
    };
    const executorConfig = renderExecutorConfig(settings.customExecutors);
    const schedulerImage = imageFor("scheduler", settings.scheduler.image);
    const scheduler = new Service(`${name}-scheduler`, {
        network, host,
        scope: scope("scheduler"),
        image: schedulerImage,
        command: renderSchedulerCommand(renderSchedulerFlags(flagsInput)),
        env: renderSchedulerEnv(flagsInput),
        files: [{ path: auroraPaths.executorConfig, content: executorConfig }],
        ports: [servicePort("http", auroraPorts.scheduler, settings.scheduler.port, "http")],
        volumes: [{ name: "db", containerPath: auroraPaths.nativeLog }],
        // The JVM takes its time; Aurora's /health answers once the HTTP server is up.
        healthcheck: httpHealthcheck(auroraPorts.scheduler, 120),
        memoryMb: settings.scheduler.memoryMb,
        dependsOn: [master, ...Object.values(agents)],
    }, { parent });

    const observer = new Service(`${name}-observer`, {
        network, host,
        scope: scope("observer"),
        image: imageFor("observer", settings.observer.image),
        command: renderObserverCommand(),
        ports: [servicePort("http", auroraPorts.observer, settings.observer.port, "http")],
        healthcheck: httpHealthcheck(auroraPorts.observer),
        memoryMb: settings.observer.memoryMb,
        dependsOn: Object.values(agents),
    }, { parent });

    // Each job is a keeper container of the scheduler's image (its job client): it creates the
    // job once the scheduler answers, is healthy from then on, and kills the job when stopped,
    // which removing it from the stack or `destroy` does before the scheduler goes. A scheduler
    // made anew by a change takes its keepers along (`replaceWith`): the jobs are killed on the old
    // one and created on the new. A scheduler only restarted, or recreated by `up` after a fault,
    // keeps them and its jobs: its volume holds them, and a keeper's create takes a job already
    // running with its config as done.
    const jobs: Record<string, Service> = {};
    for (const job of settings.jobs) {
        const key = renderJobKey(settings.scheduler.clusterName, job);
        jobs[key] = new Service(`${name}-job-${job.role}-${job.environment}-${job.name}`, {
            network, host,
            scope: scope("job"),
            instance: `job-${job.role}-${job.environment}-${job.name}`,
            image: schedulerImage,
            command: renderJobKeeperCommand(settings.scheduler.clusterName, job),
            env: { AURORA_STANDIN_URL: pulumi.interpolate`http://${scheduler.containerName}:${auroraPorts.scheduler}` },
            // Created within a second of start (the scheduler is ready); a job the scheduler
            // refuses (another config runs) fails `up` within 10 s, with the refusal in its log.
            healthcheck: { test: ["test", "-e", jobKeeperReadyFile], startPeriodSeconds: 1 },
            memoryMb: 48,
            dependsOn: [scheduler],
            replacedWith: [scheduler],
        }, { parent });
    }

    return { network, zookeeper, master, agents, scheduler, observer, jobs, executorConfig, settings };
}

/**
 * Apache Aurora on Mesos with custom executors, as the seed sets it up by hand: zookeeper, a
 * Mesos master and agents (docker and mesos containerizers, the Docker engine for docker-compose),
 * the Aurora scheduler started with `-custom_executor_config` rendered from typed, validated
 * config and `-enable_mesos_fetcher=true`, the thermos observer, and optional jobs.
 */
export class AuroraWithCustomExecutor extends pulumi.ComponentResource {
    /** The scheduler's web UI and API. */
    public readonly schedulerUrl: pulumi.Output<string>;
    /** The Mesos master's web UI and API. */
    public readonly masterUrl: pulumi.Output<string>;
    /** `zk://…/mesos`, reachable from where the cluster's users are (the host, when published). */
    public readonly zookeeperUrl: pulumi.Output<string>;
    /** The thermos observer's UI. */
    public readonly observerUrl: pulumi.Output<string>;
    /** The custom executor config the scheduler reads, exactly as shipped. */
    public readonly executorConfig: pulumi.Output<string>;
    /** The keys of the jobs this stack created, `cluster/role/environment/name`. */
    public readonly jobKeys: pulumi.Output<string[]>;
    /** The cluster's Docker network. */
    public readonly networkName: pulumi.Output<string>;
    /** Every role's container name, by role or agent name, and each job keeper's (`job-<role>-<env>-<name>`). */
    public readonly containerNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AuroraWithCustomExecutorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusterlab:aurora:AuroraWithCustomExecutor", name, {}, opts);
        const parts = createAuroraCluster(name, args, this);
        const published = parts.zookeeper.urls.client;

        this.schedulerUrl = pulumi.output(parts.scheduler.urls.http ?? `http://${parts.scheduler.dnsName}:${auroraPorts.scheduler}`);
        this.masterUrl = pulumi.output(parts.master.urls.http ?? `http://${parts.master.dnsName}:${mesosPorts.master}`);
        this.zookeeperUrl = pulumi.output(published === undefined ? renderZookeeperUrl([parts.zookeeper.dnsName]) : `${published}/mesos`);
        this.observerUrl = pulumi.output(parts.observer.urls.http ?? `http://${parts.observer.dnsName}:${auroraPorts.observer}`);
        this.executorConfig = pulumi.output(parts.executorConfig);
        this.jobKeys = pulumi.output(Object.keys(parts.jobs));
        this.networkName = parts.network.name;
        this.containerNames = containerNamesOf({
            zookeeper: parts.zookeeper, master: parts.master, scheduler: parts.scheduler, observer: parts.observer, ...parts.agents,
            ...Object.fromEntries(Object.values(parts.jobs).map((keeper) => [keeper.dnsName, keeper])),
        });

        this.registerOutputs({
            schedulerUrl: this.schedulerUrl,
            masterUrl: this.masterUrl,
            zookeeperUrl: this.zookeeperUrl,
            observerUrl: this.observerUrl,
            executorConfig: this.executorConfig,
            jobKeys: this.jobKeys,
            networkName: this.networkName,
            containerNames: this.containerNames,
        });
    }
}
