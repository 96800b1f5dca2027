import { ConfigProblem, formatPath } from "../core/config";
import { Host } from "../core/host";
import { HostName, HostUse, placeMembers, portClashes, PublishedPort } from "../core/placement";
import { MesosClusterSettings } from "./schema";

/**
 * What MesosCluster and AuroraWithCustomExecutor share: zookeeper and a master on the cluster's
 * host, and Mesos agents placed by name or round-robin over a host group.
 */
export interface AgentClusterSettings {
    zookeeper: { port: number | false };
    master: { port: number | false };
    agents: readonly { name: string; host?: string; port: number | false }[];
    agentHosts?: readonly string[];
}

/** Where a cluster's agents run, by host name; every other role runs on the cluster's host. */
export interface AgentPlacement {
    agents: Record<string, HostName>;
    /** Agents on another host than the master: the cluster is then wired by advertised addresses. */
    remoteAgents: string[];
}

export function placeAgents(settings: AgentClusterSettings, home: string): AgentPlacement {
    const agents = placeMembers(settings.agents, settings.agentHosts);
    return { agents, remoteAgents: settings.agents.filter((a) => (agents[a.name] ?? home) !== home).map((a) => a.name) };
}

/**
 * What cross-host agents need: zookeeper's and the master's ports published on the cluster's
 * host (agents find the master through zookeeper, then register with it), and their own port
 * published (`reachedBy` reach them by it). Also clashes that only show once the cluster's host
 * is known by name (an agent naming it explicitly), among the agents and `homePorts`, the other
 * roles' ports on the cluster's host.
 */
export function agentPlacementProblems(settings: AgentClusterSettings, home: string, prefix: string,
    cluster: { homePorts: Omit<PublishedPort, "host">[]; reachedBy: string }): ConfigProblem[] {
    const placed = placeAgents(settings, home);
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
                    reason: `must be a host port: "${agent.name}" runs on host "${placed.agents[agent.name]}" and ${cluster.reachedBy} it there, got false`,
                });
            }
        });
    }
    const raw = agentClusterPorts(settings, placed, cluster.homePorts);
    const known = new Set(portClashes(raw).map((clash) => JSON.stringify(clash.path)));
    const normalized = raw.map((entry) => ({ ...entry, host: entry.host ?? home }));
    for (const clash of portClashes(normalized)) {
        if (!known.has(JSON.stringify(clash.path))) { // the schema has said it already
            problems.push({ propertyPath: at(clash.path), reason: `${clash.message}, got ${clash.port}` });
        }
    }
    return problems;
}

/** The ports an agent cluster publishes; `undefined` host: the cluster's own. */
function agentClusterPorts(settings: AgentClusterSettings, placed: AgentPlacement, homePorts: Omit<PublishedPort, "host">[]): PublishedPort[] {
    return [
        { path: ["zookeeper", "port"], host: undefined, port: settings.zookeeper.port },
        { path: ["master", "port"], host: undefined, port: settings.master.port },
        ...homePorts.map((entry) => ({ ...entry, host: undefined })),
        ...settings.agents.map((agent, i): PublishedPort => ({ path: ["agents", i, "port"], host: placed.agents[agent.name], port: agent.port })),
    ];
}

/** Every host port an agent cluster publishes, each on the host (by name) it runs on: for the stack's check across clusters. */
export function agentClusterPublishedPorts(settings: AgentClusterSettings, home: string, homePorts: Omit<PublishedPort, "host">[]): PublishedPort[] {
    return agentClusterPorts(settings, placeAgents(settings, home), homePorts).map((entry) => ({ ...entry, host: entry.host ?? home }));
}

/** The ports of MesosCluster's roles besides zookeeper, the master and the agents. */
const mesosHomePorts = (settings: MesosClusterSettings) => [{ path: ["redis", "port"], port: settings.redis.port }];

/** Every host port a MesosCluster publishes, on the host (by name) each role runs on. */
export function mesosPublishedPorts(settings: MesosClusterSettings, home: string): PublishedPort[] {
    return agentClusterPublishedPorts(settings, home, mesosHomePorts(settings));
}

export function mesosPlacementProblems(settings: MesosClusterSettings, home: string, prefix = ""): ConfigProblem[] {
    return agentPlacementProblems(settings, home, prefix, {
        homePorts: mesosHomePorts(settings),
        reachedBy: "the master reaches",
    });
}

/**
 * Where an agent cluster puts roles, for `loopbackProblems`: the cluster's host (zookeeper, the
 * master and the other roles; remote agents reach them there), then each agent's host (the master
 * reaches a remote agent there).
 */
export function agentHostUses(settings: AgentClusterSettings, placed: AgentPlacement, home: Host, hostOf: (name: HostName) => Host): HostUse[] {
    return [
        { path: "host", on: home },
        ...settings.agents.map((agent, i) => ({ path: `agents[${i}]`, on: hostOf(placed.agents[agent.name]) })),
    ];
}

/** The host names an agent cluster's config uses, with their paths (for unknown-host errors). */
export function agentHostRefs(settings: AgentClusterSettings): { path: (string | number)[]; host: HostName }[] {
    return [
        ...(settings.agentHosts ?? []).map((host, i) => ({ path: ["agentHosts", i], host })),
        ...settings.agents.map((agent, i) => ({ path: ["agents", i, "host"], host: agent.host })),
    ];
}
export const mesosHostRefs: (settings: MesosClusterSettings) => ReturnType<typeof agentHostRefs> = agentHostRefs;
