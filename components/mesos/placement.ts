import { ConfigProblem, formatPath } from "../core/config";
import { HostName, placeMembers, portClashes, PublishedPort } from "../core/placement";
import { MesosClusterSettings } from "./schema";

/** Where a MesosCluster's agents run, by host name; zookeeper, master, redis and scheduler run on the cluster's host. */
export interface MesosPlacement {
    agents: Record<string, HostName>;
    /** Agents on another host than the master: the cluster is then wired by advertised addresses. */
    remoteAgents: string[];
}

export function placeMesos(settings: MesosClusterSettings, home: string): MesosPlacement {
    const agents = placeMembers(settings.agents, settings.agentHosts);
    return { agents, remoteAgents: settings.agents.filter((a) => (agents[a.name] ?? home) !== home).map((a) => a.name) };
}

/**
 * What cross-host agents need: zookeeper's and the master's ports published on the cluster's
 * host (agents find the master through zookeeper, then register with it), and their own port
 * published (the master and the scheduler reach them by it). Also clashes that only show once
 * the cluster's host is known by name (an agent naming it explicitly).
 */
export function mesosPlacementProblems(settings: MesosClusterSettings, home: string, prefix = ""): ConfigProblem[] {
    const placed = placeMesos(settings, home);
    const problems: ConfigProblem[] = [];
    const at = (path: (string | number)[]) => formatPath(prefix, path);
    if (placed.remoteAgents.length > 0) {
        const which = placed.remoteAgents.map((name) => `"${name}" (host "${placed.agents[name]}")`).join(", ");
        for (const role of ["zookeeper", "master"] as const) {
            if (settings[role].port === false) {
                problems.push({ propertyPath: at([role, "port"]), reason: `must be a host port: agent ${which} reach ${role} across hosts, got false` });
            }
        }
        settings.agents.forEach((agent, i) => {
            if (placed.remoteAgents.includes(agent.name) && agent.port === false) {
                problems.push({
                    propertyPath: at(["agents", i, "port"]),
                    reason: `must be a host port: "${agent.name}" runs on host "${placed.agents[agent.name]}" and the master reaches it there, got false`,
                });
            }
        });
    }
    const raw: PublishedPort[] = [
        { path: ["zookeeper", "port"], host: undefined, port: settings.zookeeper.port },
        { path: ["master", "port"], host: undefined, port: settings.master.port },
        { path: ["redis", "port"], host: undefined, port: settings.redis.port },
        ...settings.agents.map((agent, i): PublishedPort => ({ path: ["agents", i, "port"], host: placed.agents[agent.name], port: agent.port })),
    ];
    const known = new Set(portClashes(raw).map((clash) => JSON.stringify(clash.path)));
    const normalized = raw.map((entry) => ({ ...entry, host: entry.host ?? home }));
    for (const clash of portClashes(normalized)) {
        if (!known.has(JSON.stringify(clash.path))) { // the schema has said it already
            problems.push({ propertyPath: at(clash.path), reason: `${clash.message}, got ${clash.port}` });
        }
    }
    return problems;
}

export function mesosHostRefs(settings: MesosClusterSettings): { path: (string | number)[]; host: HostName }[] {
    return [
        ...(settings.agentHosts ?? []).map((host, i) => ({ path: ["agentHosts", i], host })),
        ...settings.agents.map((agent, i) => ({ path: ["agents", i, "host"], host: agent.host })),
    ];
}
