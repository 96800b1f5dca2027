import { ConfigProblem } from "../core/config";
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
