import * as docker from "@pulumi/docker";
import { Host } from "../core/host";
import { createDockerNetwork } from "../core/network";
import { ImageSource } from "../core/schema";
import { Service } from "../core/service";
import { renderAdvertiseEnv, renderZookeeperUrl } from "./render";
import { AgentSettings, createAgent, ImageCache, MesosRoleContext } from "./roles";

/** One agent as its cluster configures it, on the host its placement names. */
export interface PlacedAgent {
    /** The agent's stable name: child `<cluster>-<name>`. */
    name: string;
    /** The host it runs on: the cluster's own, or another one (then wired by advertised addresses). */
    host: Host;
    /** Its image source; agents of one source share one image per host. */
    image: ImageSource;
    port: number | false;
    memoryMb: number;
    /** Its env, given the URL it reaches zookeeper by (the alias beside it, the cluster host's address from elsewhere). */
    env: (zookeeperUrl: string) => Record<string, string>;
    binds?: AgentSettings["binds"];
}

/** The roles of the cluster the agents join, on the cluster's host (`ctx.host`). */
export interface AgentCluster {
    imageFor: ImageCache;
    zookeeper: Service;
    /** Zookeeper's published port: agents on other hosts reach it there. */
    zookeeperPort: number | false;
    master: Service;
}

/**
 * The agents of a Mesos-based cluster (MesosCluster, AuroraWithCustomExecutor), by name, wherever
 * they are placed. Beside the master: on the cluster's network and image. On another host: on
 * one network per host (`<cluster>-network-<host>`), with the image of each source made on that
 * host's engine (`<cluster>-agent-image-<host>`, then `-1`, `-2`…; see `imageCache`), reaching zookeeper at the cluster host's advertised address and published port, and
 * advertising its own host's address and its published port for the master to reach it by.
 */
export function createPlacedAgents(ctx: MesosRoleContext, cluster: AgentCluster, agents: readonly PlacedAgent[]): Record<string, Service> {
    const home = ctx.host;
    const besideZookeeper = renderZookeeperUrl([cluster.zookeeper.dnsName]);
    const acrossHosts = renderZookeeperUrl([home.advertiseAddress], cluster.zookeeperPort === false ? undefined : cluster.zookeeperPort);
    // One network per other host, named after it; the cluster's host keeps the one-host name.
    const remoteNetworks = new Map<string, docker.Network>();
    const networkOn = (target: Host) => {
        let network = remoteNetworks.get(target.name);
        if (network === undefined) {
            network = createDockerNetwork(`${ctx.cluster}-network-${target.name}`, { stack: ctx.stack, cluster: ctx.cluster, host: target }, ctx.parent);
            remoteNetworks.set(target.name, network);
        }
        return network;
    };

    const created: Record<string, Service> = {};
    for (const agent of agents) {
        const { name, port, memoryMb, binds } = agent;
        if (agent.host.name === home.name) {
            created[name] = createAgent(ctx, cluster.imageFor("agent", agent.image),
                { name, env: agent.env(besideZookeeper), port, memoryMb, binds }, cluster.master);
            continue;
        }
        const network = networkOn(agent.host);
        created[name] = createAgent({ ...ctx, host: agent.host, network }, cluster.imageFor("agent", agent.image, agent.host), {
            name,
            env: { ...agent.env(acrossHosts), ...(port === false ? {} : renderAdvertiseEnv(agent.host.advertiseAddress, port)) },
            port,
            memoryMb,
            binds,
        }, cluster.master);
    }
    return created;
}
