import { ConfigProblem, formatPath } from "../core/config";
import { HostName, placeMembers, portClashes, PublishedPort } from "../core/placement";
import { HadoopClusterSettings, nodemanagerPort, publishedPorts } from "./schema";

/**
 * Where a HadoopCluster's roles run, by host name (undefined = the cluster's host). The namenode,
 * resourcemanager, historyserver, zookeeper and client run on the cluster's host; datanodes and
 * nodemanagers where their `host` or host group say.
 */
export interface HadoopPlacement {
    datanodes: Record<string, HostName>;
    nodemanagers: Record<string, HostName>;
    /** Datanodes and nodemanagers on another host than the cluster's, as `datanode "x" (host "h")`. */
    remote: string[];
    /**
     * HDFS across hosts: some datanode, or some nodemanager (whose tasks read and write HDFS), runs
     * on another host. Every datanode is then reached by its host's address and published ports.
     */
    spansHosts: boolean;
    /** YARN across hosts: some nodemanager runs on another host. Every nodemanager is then reached by its host's address. */
    yarnSpansHosts: boolean;
}

export function placeHadoop(settings: HadoopClusterSettings, home: string): HadoopPlacement {
    const datanodes = placeMembers(settings.datanodes, settings.datanodeHosts);
    const nodemanagers = placeMembers(settings.nodemanagers, settings.nodemanagerHosts);
    const away = (placed: Record<string, HostName>, kind: string) => Object.entries(placed)
        .filter(([, host]) => (host ?? home) !== home).map(([name, host]) => `${kind} "${name}" (host "${host}")`);
    const remoteNodemanagers = away(nodemanagers, "nodemanager");
    const remote = [...away(datanodes, "datanode"), ...remoteNodemanagers];
    return { datanodes, nodemanagers, remote, spansHosts: remote.length > 0, yarnSpansHosts: remoteNodemanagers.length > 0 };
}

/**
 * What a placement needs that the settings lack, and ports two roles publish on one host.
 *
 * HDFS: datanodes on other hosts register with the namenode at its published RPC port, and the
 * namenode hands clients (and datanodes, for replication) each datanode's reported address; so
 * once the cluster spans hosts every datanode reports its host's advertised address and ports
 * published at the numbers it listens on. YARN: nodemanagers on other hosts register with the
 * ResourceManager's published tracker port, their application masters ask its published
 * scheduler port; application masters start containers at each node's reported address, tasks
 * and the job client reach an application master on its node's published AM ports, and reducers
 * fetch map output from each node's published shuffle port.
 */
export function hadoopPlacementProblems(settings: HadoopClusterSettings, home: string, prefix = ""): ConfigProblem[] {
    const placed = placeHadoop(settings, home);
    const problems: ConfigProblem[] = [];
    const at = (path: (string | number)[]) => formatPath(prefix, path);
    const needPort = (path: (string | number)[], port: number | false, why: string) => {
        if (port === false) {
            problems.push({ propertyPath: at(path), reason: `must be a host port: ${why}, got false` });
        }
    };
    if (placed.spansHosts) {
        const which = placed.remote.join(", ");
        needPort(["namenode", "rpcPort"], settings.namenode.rpcPort, `${which} reach the namenode across hosts`);
        if (placed.remote.some((role) => role.startsWith("datanode"))) {
            needPort(["namenode", "port"], settings.namenode.port, `${which} run on other hosts, and a datanode is ready once the namenode's UI lists it`);
        }
        settings.datanodes.forEach((dn, i) => {
            if (dn.ports === undefined) {
                problems.push({
                    propertyPath: at(["datanodes", i, "ports"]),
                    reason: `must be given: the cluster spans hosts, so clients and other datanodes reach "${dn.name}" ` +
                        `(host "${placed.datanodes[dn.name] ?? home}") at its host's address on these ports, the same inside, ` +
                        "e.g. { data: 9866, http: 9864, ipc: 9867 }, got none",
                });
            }
        });
    }
    if (placed.yarnSpansHosts) {
        const which = placed.remote.filter((role) => role.startsWith("nodemanager")).join(", ");
        needPort(["resourcemanager", "trackerPort"], settings.resourcemanager.trackerPort, `${which} register with the ResourceManager across hosts`);
        needPort(["resourcemanager", "schedulerPort"], settings.resourcemanager.schedulerPort, `application masters on ${which} ask the ResourceManager for containers across hosts`);
        needPort(["resourcemanager", "port"], settings.resourcemanager.port, `${which} are ready once the ResourceManager's REST API lists them, and ask it across hosts`);
        settings.nodemanagers.forEach((nm, i) => {
            const where = `"${nm.name}" (host "${placed.nodemanagers[nm.name] ?? home}")`;
            if (nm.ports === undefined) {
                problems.push({
                    propertyPath: at(["nodemanagers", i, "ports"]),
                    reason: `must be given: the nodemanagers span hosts, so application masters, tasks and the job client reach ${where} ` +
                        "at its host's address on these ports, the same inside, e.g. { rpc: 45454, shuffle: 13562, applicationMasters: 50100 }, got none",
                });
            }
            if (nodemanagerPort(nm) === false) {
                problems.push({
                    propertyPath: at(["nodemanagers", i, "port"]),
                    reason: `must be a host port: the nodemanagers span hosts, and ${where} reports its UI address (map output is fetched from that host), got false`,
                });
            }
        });
    }
    // Clashes the schema could not see: the cluster's host named explicitly beside roles placed by default.
    const raw = publishedPorts(settings);
    const known = new Set(portClashes(raw).map((clash) => JSON.stringify(clash.path)));
    const perHost = portClashes(raw.map((entry) => ({ ...entry, host: entry.host ?? home })));
    for (const clash of perHost) {
        if (!known.has(JSON.stringify(clash.path))) {
            problems.push({ propertyPath: at(clash.path), reason: `${clash.message}, got ${clash.port}` });
        }
    }
    if (placed.spansHosts) {
        // The namenode overwrites a datanode's reported address with the one it connected from, and
        // keys datanodes by that address and the data port. Through Docker's port proxy every
        // datanode of another host connects from one address (the namenode network's gateway), so
        // two with one data port would keep replacing each other at the namenode (seen here).
        const reported = new Set(perHost.map((clash) => JSON.stringify(clash.path)));
        const dataPorts = settings.datanodes.map((dn, i) => ({ path: ["datanodes", i, "ports", "data"], host: undefined, port: dn.ports?.data }));
        for (const clash of portClashes(dataPorts)) {
            if (!reported.has(JSON.stringify(clash.path))) {
                problems.push({
                    propertyPath: at(clash.path),
                    reason: `${clash.message.replace(/: both publish host port \d+$/, "")} across the cluster: the namenode knows a datanode by the address ` +
                        "it connects from and this port, and datanodes of other hosts may all connect from one address (Docker's port proxy), " +
                        `got ${clash.port}`,
                });
            }
        }
    }
    return problems;
}

/** Every host name the settings refer to, with its path, for the check that each exists. */
export function hadoopHostRefs(settings: HadoopClusterSettings): { path: (string | number)[]; host: HostName }[] {
    return [
        ...(settings.datanodeHosts ?? []).map((host, i) => ({ path: ["datanodeHosts", i], host })),
        ...settings.datanodes.map((dn, i) => ({ path: ["datanodes", i, "host"], host: dn.host })),
        ...(settings.nodemanagerHosts ?? []).map((host, i) => ({ path: ["nodemanagerHosts", i], host })),
        ...settings.nodemanagers.map((nm, i) => ({ path: ["nodemanagers", i, "host"], host: nm.host })),
    ];
}

/** Every host port a HadoopCluster publishes, on the host (by name) each role runs on. */
export function hadoopPublishedPorts(settings: HadoopClusterSettings, home: string): PublishedPort[] {
    return publishedPorts(settings).map((entry) => ({ ...entry, host: entry.host ?? home }));
}
