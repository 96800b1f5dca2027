import { ConfigProblem, formatPath } from "../core/config";
import { HostName, placeMembers, portClashes } from "../core/placement";
import { HadoopClusterSettings, publishedPorts } from "./schema";

/**
 * Where a HadoopCluster's roles run, by host name (undefined = the cluster's host). The namenode,
 * resourcemanager, historyserver, zookeeper and client run on the cluster's host; datanodes
 * where their `host` or `datanodeHosts` say.
 */
export interface HadoopPlacement {
    datanodes: Record<string, HostName>;
    nodemanagers: Record<string, HostName>;
    /** Datanodes on another host than the namenode's: every datanode is then reached by its host's address. */
    remoteDatanodes: string[];
    /** True when some datanode runs on another host than the cluster's. */
    spansHosts: boolean;
}

export function placeHadoop(settings: HadoopClusterSettings, home: string): HadoopPlacement {
    const datanodes = placeMembers(settings.datanodes, settings.datanodeHosts);
    const nodemanagers = placeMembers(settings.nodemanagers, settings.nodemanagerHosts);
    const remoteDatanodes = settings.datanodes.filter((dn) => (datanodes[dn.name] ?? home) !== home).map((dn) => dn.name);
    return { datanodes, nodemanagers, remoteDatanodes, spansHosts: remoteDatanodes.length > 0 };
}

/**
 * What a placement needs that the settings lack, and ports two roles publish on one host.
 *
 * Datanodes on other hosts register with the namenode at its published RPC port, and the
 * namenode hands clients (and datanodes, for replication) each datanode's reported address: so
 * once the datanodes span hosts, every datanode reports its host's advertised address and ports
 * published at the same numbers it listens on. Nodemanagers stay on the cluster's host: a
 * MapReduce job on a nodemanager of another host would also need its application master's
 * client and umbilical ports, the shuffle port and the nodemanager's own ports published and
 * advertised per nodemanager, which is not wired yet.
 */
export function hadoopPlacementProblems(settings: HadoopClusterSettings, home: string, prefix = ""): ConfigProblem[] {
    const placed = placeHadoop(settings, home);
    const problems: ConfigProblem[] = [];
    const at = (path: (string | number)[]) => formatPath(prefix, path);
    const remoteNodemanager = (host: HostName) => host !== undefined && host !== home;
    const notYet = `must be the cluster's host "${home}": nodemanagers on other hosts are not supported yet ` +
        "(MapReduce would need each one's application master, shuffle and nodemanager ports published and advertised); " +
        "place datanodes there instead";
    (settings.nodemanagerHosts ?? []).forEach((host, i) => {
        if (remoteNodemanager(host)) {
            problems.push({ propertyPath: at(["nodemanagerHosts", i]), reason: `${notYet}, got "${host}"` });
        }
    });
    settings.nodemanagers.forEach((nm, i) => {
        if (remoteNodemanager(nm.host)) {
            problems.push({ propertyPath: at(["nodemanagers", i, "host"]), reason: `${notYet}, got "${nm.host}"` });
        }
    });
    if (placed.spansHosts) {
        const which = placed.remoteDatanodes.map((name) => `"${name}" (host "${placed.datanodes[name]}")`).join(", ");
        if (settings.namenode.rpcPort === false) {
            problems.push({ propertyPath: at(["namenode", "rpcPort"]), reason: `must be a host port: datanode ${which} register with the namenode across hosts, got false` });
        }
        if (settings.namenode.port === false) {
            problems.push({
                propertyPath: at(["namenode", "port"]),
                reason: `must be a host port: datanode ${which} are ready once the namenode's UI lists them, and ask it across hosts, got false`,
            });
        }
        settings.datanodes.forEach((dn, i) => {
            if (dn.ports === undefined) {
                problems.push({
                    propertyPath: at(["datanodes", i, "ports"]),
                    reason: `must be given: the datanodes span hosts, so clients and other datanodes reach "${dn.name}" ` +
                        `(host "${placed.datanodes[dn.name] ?? home}") at its host's address on these ports, the same inside, ` +
                        "e.g. { data: 9866, http: 9864, ipc: 9867 }, got none",
                });
            }
        });
    }
    // Clashes the schema could not see: the cluster's host named explicitly beside roles placed by default.
    const raw = publishedPorts(settings);
    const known = new Set(portClashes(raw).map((clash) => JSON.stringify(clash.path)));
    for (const clash of portClashes(raw.map((entry) => ({ ...entry, host: entry.host ?? home })))) {
        if (!known.has(JSON.stringify(clash.path))) {
            problems.push({ propertyPath: at(clash.path), reason: `${clash.message}, got ${clash.port}` });
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
