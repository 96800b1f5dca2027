import { ConfigProblem } from "../core/config";
import { Host, isLoopbackAddress } from "../core/host";
import { HostName } from "../core/placement";
import { AgentPlacement, agentHostRefs, agentPlacementProblems, placeAgents } from "../mesos/placement";
import { AuroraSettings } from "./schema";

/**
 * Where an AuroraWithCustomExecutor's agents run, by host name, as MesosCluster's (the same
 * rules). Zookeeper, the master, the scheduler and the (one, cluster-wide) thermos observer run
 * on the cluster's host.
 */
export type AuroraPlacement = AgentPlacement;
export const placeAurora: (settings: AuroraSettings, home: string) => AuroraPlacement = placeAgents;
export const auroraHostRefs: (settings: AuroraSettings) => ReturnType<typeof agentHostRefs> = agentHostRefs;

/** MesosCluster's cross-host rules, with the scheduler's and observer's ports on the cluster's host. */
export function auroraPlacementProblems(settings: AuroraSettings, home: string, prefix = ""): ConfigProblem[] {
    return agentPlacementProblems(settings, home, prefix, {
        homePorts: [
            { path: ["scheduler", "port"], port: settings.scheduler.port },
            { path: ["observer", "port"], port: settings.observer.port },
        ],
        reachedBy: "the master and scheduler reach",
    });
}

/**
 * Across hosts every role is reached at its host's advertised address (the master and zookeeper
 * by remote agents, remote agents by the master and scheduler): a loopback one reaches nothing
 * from another host. Each host once, at the first path that puts a role there. Needs the Hosts.
 */
export function auroraLoopbackProblems(settings: AuroraSettings, placed: AuroraPlacement, home: Host, hostOf: (name: HostName) => Host): ConfigProblem[] {
    if (placed.remoteAgents.length === 0) {
        return [];
    }
    const used = [
        { path: "host", on: home },
        ...settings.agents.map((agent, i) => ({ path: `agents[${i}]`, on: hostOf(placed.agents[agent.name]) })),
    ];
    const seen = new Set<string>();
    return used
        .filter(({ on }) => {
            const first = !seen.has(on.name);
            seen.add(on.name);
            return first;
        })
        .filter(({ on }) => isLoopbackAddress(on.advertiseAddress))
        .map(({ path: propertyPath, on }) => ({
            propertyPath,
            reason: `runs on ${on.describe()}, advertised at ${on.advertiseAddress}, a loopback address: the cluster spans hosts and ` +
                "its roles are reached at their host's address from the other hosts; give the host a bindAddress or advertiseAddress they reach",
        }));
}
