import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ConfigProblem, renderProblems } from "../core/config";
import { Host } from "../core/host";
import { createDockerNetwork } from "../core/network";
import { hostSet, loopbackProblems, resolveHosts } from "../core/placement";
import { Service } from "../core/service";
import { renderAdvertiseEnv, renderZookeeperUrl } from "./render";
import { createPlacedAgents, PlacedAgent } from "./placed-agents";
import { AgentClusterSettings, AgentPlacement, agentHostRefs, agentHostUses, placeAgents } from "./placement";
import { createMaster, createZookeeper, ImageCache, imageCache, MasterSettings, MesosRoleContext, ZookeeperSettings } from "./roles";

/** The settings every Mesos-based cluster has: zookeeper, a master and agents placed on hosts. */
export interface MesosCoreSettings extends AgentClusterSettings {
    baseImage: string;
    zookeeper: ZookeeperSettings & { image: Parameters<ImageCache>[1] };
    master: Omit<MasterSettings, "clusterName" | "extraEnv"> & { image: Parameters<ImageCache>[1] };
    /** The image of agents that name none. */
    agentImage: Parameters<ImageCache>[1];
    agents: readonly (AgentClusterSettings["agents"][number] & {
        image?: Parameters<ImageCache>[1];
        memoryMb?: number;
        /** What the agent offers; its container gets its `mem` and 256 MB more unless `memoryMb` says. */
        resources: { mem: number };
    })[];
}

/** What a Mesos-based cluster adds to the shared opening. */
export interface MesosCoreSpec<S extends MesosCoreSettings> {
    /** The component's type name, for errors: `invalid <kind> "<name>" args`. */
    kind: string;
    /** Its own cross-host rules (the ports its other roles publish on the cluster's host). */
    placementProblems: (settings: S, home: string) => ConfigProblem[];
    /** The name the master gives the Mesos cluster. */
    clusterName: string;
    /** An agent's env, given the URL it reaches zookeeper by. */
    agentEnv: (agent: S["agents"][number], zookeeperUrl: string) => Record<string, string>;
    /** An agent's binds on the host it is placed on. Default none. */
    agentBinds?: (agent: S["agents"][number], on: Host) => PlacedAgent["binds"];
}

/** The shared roles, and what the rest of the cluster is built with. */
export interface MesosCore {
    host: Host;
    network: docker.Network;
    imageFor: ImageCache;
    zookeeper: Service;
    /** `zk://` URL of zookeeper beside it, on the cluster's network. */
    zookeeperUrl: string;
    master: Service;
    agents: Record<string, Service>;
}

/**
 * The opening MesosCluster and AuroraWithCustomExecutor share: the hosts resolved and the agents
 * placed, every problem raised at once before any resource; then the cluster's network,
 * zookeeper, the master once zookeeper is ready, and the agents once the master is, wherever
 * they are placed.
 */
export function createMesosCore<S extends MesosCoreSettings>(
    name: string, given: { host?: Host; hosts?: Record<string, Host> }, settings: S, spec: MesosCoreSpec<S>, parent: pulumi.Resource,
): MesosCore {
    const stack = pulumi.getStack();
    const hosts = hostSet(given.host ?? Host.local(), given.hosts);
    const host = hosts.home;
    const { problems: unknownHosts, hostOf } = resolveHosts(hosts, agentHostRefs(settings));
    const placed: AgentPlacement = placeAgents(settings, host.name);
    const problems = [
        ...unknownHosts, ...spec.placementProblems(settings, host.name),
        ...(unknownHosts.length > 0 ? [] : loopbackProblems(agentHostUses(settings, placed, host, hostOf))),
    ];
    if (problems.length > 0) {
        throw new pulumi.InputPropertiesError({ message: renderProblems(`invalid ${spec.kind} "${name}" args:`, problems), errors: problems });
    }
    // Agents on other hosts find zookeeper and the master by this host's advertised address and
    // the published ports; the master then advertises that address in zookeeper too.
    const crossHost = placed.remoteAgents.length > 0;

    const imageFor = imageCache(name, host, parent, settings.baseImage);
    const network = createDockerNetwork(`${name}-network`, { stack, cluster: name, host }, parent);
    const ctx: MesosRoleContext = { cluster: name, stack, host, network, parent };
    const zookeeper = createZookeeper(ctx, imageFor("zookeeper", settings.zookeeper.image), settings.zookeeper);
    const master = createMaster(ctx, imageFor("master", settings.master.image), {
        ...settings.master,
        clusterName: spec.clusterName,
        ...(crossHost && settings.master.port !== false ? { extraEnv: renderAdvertiseEnv(host.advertiseAddress, settings.master.port) } : {}),
    }, zookeeper);
    const agents = createPlacedAgents(ctx, { imageFor, zookeeper, zookeeperPort: settings.zookeeper.port, master },
        settings.agents.map((agent) => {
            const on = hostOf(placed.agents[agent.name]);
            return {
                name: agent.name,
                host: on,
                image: agent.image ?? settings.agentImage,
                port: agent.port,
                memoryMb: agent.memoryMb ?? agent.resources.mem + 256,
                env: (reachedAt: string) => spec.agentEnv(agent, reachedAt),
                binds: spec.agentBinds?.(agent, on),
            };
        }));
    return { host, network, imageFor, zookeeper, zookeeperUrl: renderZookeeperUrl([zookeeper.dnsName]), master, agents };
}
