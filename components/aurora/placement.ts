import { ConfigProblem, formatPath } from "../core/config";
import { Host, isLoopbackAddress } from "../core/host";
import { HostName, placeMembers, portClashes, PublishedPort } from "../core/placement";
import { AuroraSettings } from "./schema";

/**
 * Where an AuroraWithCustomExecutor's agents run, by host name. Zookeeper, the master, the
 * scheduler and the (one, cluster-wide) thermos observer run on the cluster's host.
 */
export interface AuroraPlacement {
    agents: Record<string, HostName>;
    /** Agents on another host than the master: the cluster is then wired by advertised addresses. */
    remoteAgents: string[];
}

export function placeAurora(settings: AuroraSettings, home: string): AuroraPlacement {
    const agents = placeMembers(settings.agents, settings.agentHosts);
    return { agents, remoteAgents: settings.agents.filter((a) => (agents[a.name] ?? home) !== home).map((a) => a.name) };
}

/**
 * What cross-host agents need, as MesosCluster's do: zookeeper's and the master's ports published
 * on the cluster's host (agents find the master through zookeeper, then register with it), and
 * their own port published (the master and the scheduler reach them by it). Also clashes that
 * only show once the cluster's host is known by name (an agent naming it explicitly).
 */
export function auroraPlacementProblems(settings: AuroraSettings, home: string, prefix = ""): ConfigProblem[] {
    const placed = placeAurora(settings, home);
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
                    reason: `must be a host port: "${agent.name}" runs on host "${placed.agents[agent.name]}" and the master and scheduler reach it there, got false`,
                });
            }
        });
    }
    const raw: PublishedPort[] = [
        { path: ["zookeeper", "port"], host: undefined, port: settings.zookeeper.port },
        { path: ["master", "port"], host: undefined, port: settings.master.port },
        { path: ["scheduler", "port"], host: undefined, port: settings.scheduler.port },
        { path: ["observer", "port"], host: undefined, port: settings.observer.port },
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

export function auroraHostRefs(settings: AuroraSettings): { path: (string | number)[]; host: HostName }[] {
    return [
        ...(settings.agentHosts ?? []).map((host, i) => ({ path: ["agentHosts", i], host })),
        ...settings.agents.map((agent, i) => ({ path: ["agents", i, "host"], host: agent.host })),
    ];
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
