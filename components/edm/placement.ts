import { ConfigProblem, formatPath } from "../core/config";
import { HostName, portClashes } from "../core/placement";
import { advertisesAcrossHosts, edmPublishedPorts, EdmPlatformSettings, placeEdmWorkers } from "./schema";

/** Workers placed on another host than the master's (`home`), by name. Pure. */
export function remoteEdmWorkers(settings: EdmPlatformSettings, home: string): string[] {
    const placed = placeEdmWorkers(settings);
    return settings.workers.filter((worker) => (placed[worker.name] ?? home) !== home).map((worker) => worker.name);
}

/**
 * What workers on other hosts need from the master: consul's gossip and RPC published (their
 * clients join it at the master's address) and gogs published (they clone from it). Also port
 * clashes that only show once the platform's host is known by name (a worker naming it).
 */
export function edmPlacementProblems(settings: EdmPlatformSettings, home: string, prefix = ""): ConfigProblem[] {
    const placed = placeEdmWorkers(settings);
    const remote = remoteEdmWorkers(settings, home);
    const problems: ConfigProblem[] = [];
    const at = (path: (string | number)[]) => formatPath(prefix, path);
    if (remote.length > 0) {
        const which = remote.map((name) => `"${name}" (host "${placed[name]}")`).join(", ");
        if (!advertisesAcrossHosts(settings.master)) {
            for (const key of ["consulSerfLan", "consulServerRpc"] as const) {
                if (settings.master.ports[key] === false) {
                    problems.push({ propertyPath: at(["master", "ports", key]), reason: `must be a host port: worker ${which} join consul across hosts, got false` });
                }
            }
        }
        if (settings.master.ports.gogs === false) {
            problems.push({ propertyPath: at(["master", "ports", "gogs"]), reason: `must be a host port: worker ${which} clone from gogs across hosts, got false` });
        }
    }
    const known = new Set(portClashes(edmPublishedPorts(settings)).map((clash) => JSON.stringify(clash.path)));
    for (const clash of portClashes(edmPublishedPorts(settings, home))) {
        if (!known.has(JSON.stringify(clash.path))) { // the schema has said it already
            problems.push({ propertyPath: at(clash.path), reason: `${clash.message}, got ${clash.port}` });
        }
    }
    return problems;
}

/** Every host name the settings refer to, with its path, for the check that each exists. */
export function edmHostRefs(settings: EdmPlatformSettings): { path: (string | number)[]; host: HostName }[] {
    return [
        ...(settings.workerHosts ?? []).map((host, i) => ({ path: ["workerHosts", i], host })),
        ...settings.workers.map((worker, i) => ({ path: ["workers", i, "host"], host: worker.host })),
    ];
}
