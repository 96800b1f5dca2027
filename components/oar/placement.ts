import { ConfigProblem, formatPath } from "../core/config";
import { Host } from "../core/host";
import { HostName, HostUse, placeMembers, portClashes, PublishedPort } from "../core/placement";
import { OarClusterSettings } from "./schema";

/** Where an OarCluster's roles run, by host name (undefined = the cluster's host). */
export interface OarPlacement {
    /** The server's and the frontend's host. */
    server: HostName;
    /** Each node's host, by node name. */
    nodes: Record<string, HostName>;
    /** True when some role runs on another host than another: ports must then be published. */
    spansHosts: boolean;
}

/** Places the roles by name: the server where `server.host` says, the nodes by name or round-robin. */
export function placeOar(settings: OarClusterSettings, home: string): OarPlacement {
    const nodes = placeMembers(settings.nodes, settings.nodeHosts);
    const hostsUsed = new Set([settings.server.host ?? home, ...Object.values(nodes).map((h) => h ?? home)]);
    return { server: settings.server.host, nodes, spansHosts: hostsUsed.size > 1 };
}

/**
 * What a placement needs that the settings lack, and ports two roles publish on one host. A
 * cluster over several hosts reaches nodes through published sshd ports (the server's checks and
 * jobs, and `oarsh` between nodes), and Almighty and the database through their published ports
 * (nodes report back, and join OAR).
 */
export function oarPlacementProblems(settings: OarClusterSettings, home: string, prefix = ""): ConfigProblem[] {
    const placed = placeOar(settings, home);
    const problems: ConfigProblem[] = [];
    const at = (path: (string | number)[]) => formatPath(prefix, path);
    const remote = settings.nodes.filter((node) => (placed.nodes[node.name] ?? home) !== (placed.server ?? home));
    const remoteNodes = remote.map((n) => `"${n.name}" (host "${placed.nodes[n.name] ?? home}")`).join(", ");
    if (remote.length > 0 && settings.server.almightyPort === false) {
        problems.push({
            propertyPath: at(["server", "almightyPort"]),
            reason: `must be a host port: node ${remoteNodes} report to Almighty across hosts, got false`,
        });
    }
    if (remote.length > 0 && settings.server.databasePort === false) {
        problems.push({
            propertyPath: at(["server", "databasePort"]),
            reason: `must be a host port: node ${remoteNodes} join OAR in its database across hosts, got false`,
        });
    }
    if (placed.spansHosts) {
        settings.nodes.forEach((node, i) => {
            if (node.sshPort === false) {
                problems.push({
                    propertyPath: at(["nodes", i, "sshPort"]),
                    reason: `must be a host port: the cluster spans several hosts, and the server and other nodes reach "${node.name}" ` +
                        `(host "${placed.nodes[node.name] ?? home}") through it, got false`,
                });
            }
        });
    }
    for (const clash of portClashes(oarPublishedPorts(settings, home))) {
        problems.push({ propertyPath: at(clash.path), reason: `${clash.message}, got ${clash.port}` });
    }
    return problems;
}

/** Every host port an OarCluster publishes, on the host (by name) each role runs on. */
export function oarPublishedPorts(settings: OarClusterSettings, home: string): PublishedPort[] {
    const placed = placeOar(settings, home);
    return [
        { path: ["frontend", "sshPort"], host: placed.server ?? home, port: settings.frontend.sshPort },
        { path: ["server", "almightyPort"], host: placed.server ?? home, port: settings.server.almightyPort },
        { path: ["server", "databasePort"], host: placed.server ?? home, port: settings.server.databasePort },
        ...settings.nodes.map((node, i): PublishedPort => ({ path: ["nodes", i, "sshPort"], host: placed.nodes[node.name] ?? home, port: node.sshPort })),
    ];
}

/**
 * Where the cluster puts roles, for `loopbackProblems`: across hosts nodes reach the server (its
 * Almighty and database) at its host's advertised address, and the server and the other nodes reach each
 * node's sshd at the address its host advertises.
 */
export function oarHostUses(settings: OarClusterSettings, placed: OarPlacement, hostOf: (name: HostName) => Host): HostUse[] {
    return [
        { path: settings.server.host === undefined ? "host" : "server.host", on: hostOf(placed.server) },
        ...settings.nodes.map((node, i) => ({ path: `nodes[${i}]`, on: hostOf(placed.nodes[node.name]) })),
    ];
}

/** Every host name the settings refer to, with its path, for the check that each exists. */
export function oarHostRefs(settings: OarClusterSettings): { path: (string | number)[]; host: HostName }[] {
    return [
        { path: ["server", "host"], host: settings.server.host },
        ...(settings.nodeHosts ?? []).map((host, i) => ({ path: ["nodeHosts", i], host })),
        ...settings.nodes.map((node, i) => ({ path: ["nodes", i, "host"], host: node.host })),
    ];
}
