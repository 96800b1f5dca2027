import * as pulumi from "@pulumi/pulumi";
import { DockerNetwork } from "../core/docker/resources";
import { Host } from "../core/host";
import { shipClusterImage } from "../core/image";
import { createClusterNetwork } from "../core/network";
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
 * one network per host (`<cluster>-network-<host>`), with the image of each source built once on
 * the cluster's host and shipped there once (`<cluster>-agent-image-<host>`, then `-1`, `-2`…),
 * reaching zookeeper at the cluster host's advertised address and published port, and
 * advertising its own host's address and its published port for the master to reach it by.
 */
export function createPlacedAgents(ctx: MesosRoleContext, cluster: AgentCluster, agents: readonly PlacedAgent[]): Record<string, Service> {
    const home = ctx.host;
    const besideZookeeper = renderZookeeperUrl([cluster.zookeeper.dnsName]);
    const acrossHosts = renderZookeeperUrl([home.advertiseAddress], cluster.zookeeperPort === false ? undefined : cluster.zookeeperPort);
    // Per other host, named after it; the cluster's host keeps the one-host names.
    const remote = new Map<string, { network: DockerNetwork; images: Map<string, pulumi.Output<string>> }>();
    const onRemote = (target: Host) => {
        let found = remote.get(target.name);
        if (found === undefined) {
            found = {
                network: createClusterNetwork(`${ctx.cluster}-network-${target.name}`, { stack: ctx.stack, cluster: ctx.cluster, host: target }, ctx.parent),
                images: new Map(),
            };
            remote.set(target.name, found);
        }
        return found;
    };
    const imageOn = (target: Host, source: ImageSource): pulumi.Output<string> => {
        const there = onRemote(target);
        const key = JSON.stringify(source);
        if (!there.images.has(key)) {
            // Built (or pulled) once on the cluster's host and copied over: no registry to pull
            // from, and no second build of the same content on every host.
            const suffix = there.images.size === 0 ? "" : `-${there.images.size}`;
            there.images.set(key, shipClusterImage(`${ctx.cluster}-agent-image-${target.name}${suffix}`,
                cluster.imageFor.imageOf("agent", source), home, target, ctx.parent).imageId);
        }
        return there.images.get(key)!;
    };

    const created: Record<string, Service> = {};
    for (const agent of agents) {
        const { name, port, memoryMb, binds } = agent;
        if (agent.host.name === home.name) {
            created[name] = createAgent(ctx, cluster.imageFor("agent", agent.image),
                { name, env: agent.env(besideZookeeper), port, memoryMb, binds }, cluster.master);
            continue;
        }
        const image = imageOn(agent.host, agent.image);
        created[name] = createAgent({ ...ctx, host: agent.host, network: onRemote(agent.host).network }, image, {
            name,
            env: { ...agent.env(acrossHosts), ...(port === false ? {} : renderAdvertiseEnv(agent.host.advertiseAddress, port)) },
            port,
            memoryMb,
            binds,
        }, cluster.master);
    }
    return created;
}
