import { ConfigProblem } from "../core/config";
import { PublishedPort } from "../core/placement";
import { AgentPlacement, agentClusterPublishedPorts, agentHostRefs, agentPlacementProblems, placeAgents } from "../mesos/placement";
import { AuroraSettings } from "./schema";

/**
 * Where an AuroraWithCustomExecutor's agents run, by host name, as MesosCluster's (the same
 * rules). Zookeeper, the master, the scheduler and the (one, cluster-wide) thermos observer run
 * on the cluster's host.
 */
export type AuroraPlacement = AgentPlacement;
export const placeAurora: (settings: AuroraSettings, home: string) => AuroraPlacement = placeAgents;
export const auroraHostRefs: (settings: AuroraSettings) => ReturnType<typeof agentHostRefs> = agentHostRefs;

/** The scheduler's and observer's ports, on the cluster's host. */
const auroraHomePorts = (settings: AuroraSettings) => [
    { path: ["scheduler", "port"], port: settings.scheduler.port },
    { path: ["observer", "port"], port: settings.observer.port },
];

/** MesosCluster's cross-host rules, with the scheduler's and observer's ports on the cluster's host. */
export function auroraPlacementProblems(settings: AuroraSettings, home: string, prefix = ""): ConfigProblem[] {
    return agentPlacementProblems(settings, home, prefix, { homePorts: auroraHomePorts(settings), reachedBy: "the master and scheduler reach" });
}

/** Every host port an AuroraWithCustomExecutor publishes, on the host (by name) each role runs on. */
export function auroraPublishedPorts(settings: AuroraSettings, home: string): PublishedPort[] {
    return agentClusterPublishedPorts(settings, home, auroraHomePorts(settings));
}
