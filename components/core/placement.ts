import { z } from "zod";
import { ConfigProblem, formatPath } from "./config";
import { Host, isLoopbackAddress } from "./host";
import { dnsLabel } from "./schema";

/**
 * Placement is decided on host NAMES, in pure functions, so schemas can check it (port clashes
 * per host, ports a cross-host role needs) before any Host or resource exists. `undefined`
 * stands for the cluster's own host (its `host` arg; `local` in a one-host stack).
 */
export type HostName = string | undefined;

/** A role's `host`: the name of a host under the stack's `clusterlab:hosts`. Default: the cluster's host. */
export const roleHost = dnsLabel.optional();

/** A host group for counted members (agents, nodes, datanodes, workers): members without a `host` go round-robin over it. */
export const hostGroup = z.array(dnsLabel).min(1, "must name at least one host").optional();

/**
 * Where each member runs, by member name: its own `host` when it names one, else the next host
 * of `group` in turn (round-robin over the members that name none), else the cluster's host.
 */
export function placeMembers<M extends { name: string; host?: string }>(
    members: readonly M[],
    group?: readonly string[],
): Record<string, HostName> {
    let turn = 0;
    return Object.fromEntries(members.map((member) => {
        if (member.host !== undefined) {
            return [member.name, member.host];
        }
        if (group === undefined || group.length === 0) {
            return [member.name, undefined];
        }
        return [member.name, group[turn++ % group.length]];
    }));
}

/** A port published on a host, with the config path that asked for it. */
export interface PublishedPort {
    path: (string | number)[];
    host: HostName;
    port: number | false | undefined;
    /** TCP and UDP ports are separate: one number may be published once for each. Default `tcp`. */
    protocol?: "tcp" | "udp";
}

/** A port published twice on one host: the later path, the earlier one, and what to say. */
export interface PortClash {
    path: (string | number)[];
    earlier: (string | number)[];
    port: number;
    message: string;
}

/**
 * Two roles publishing one port on the same host cannot both start: one issue per clash,
 * at the later path, naming the earlier one (written after `prefix`) and the host.
 */
export function portClashes(ports: readonly PublishedPort[], prefix = ""): PortClash[] {
    const seen = new Map<string, (string | number)[]>();
    const clashes: PortClash[] = [];
    for (const { path, host, port, protocol } of ports) {
        if (typeof port !== "number") {
            continue;
        }
        const udp = protocol === "udp";
        const key = `${host ?? ""}\0${port}${udp ? "/udp" : ""}`;
        const first = seen.get(key);
        if (first !== undefined) {
            const where = host === undefined ? "" : ` on host "${host}"`;
            clashes.push({ path, earlier: first, port, message: `must differ from ${formatPath(prefix, first)}: both publish host port ${port}${udp ? "/udp" : ""}${where}` });
        } else {
            seen.set(key, path);
        }
    }
    return clashes;
}

/** The hosts a component may place roles on, by name, and its own (default) host. */
export interface HostSet {
    /** The cluster's own host: roles with no `host` run here. */
    home: Host;
    /** Every host of the stack, by name. */
    byName: Record<string, Host>;
}

/** A HostSet from a component's `host` and `hosts` args; a stack passes every host it has. */
export function hostSet(home: Host, hosts: Record<string, Host> = {}): HostSet {
    return { home, byName: { [home.name]: home, ...hosts } };
}

/** The Host a placement names, and a problem for each name the set does not have. */
export function resolveHosts(
    set: HostSet,
    wanted: { path: (string | number)[]; host: HostName }[],
): { problems: ConfigProblem[]; hostOf: (name: HostName) => Host } {
    const problems = wanted
        .filter((entry) => entry.host !== undefined && set.byName[entry.host] === undefined)
        .map((entry) => ({
            propertyPath: formatPath("", entry.path),
            reason: `must name a host of the stack (${Object.keys(set.byName).join(", ")}), got "${entry.host}"`,
        }));
    return { problems, hostOf: (name) => (name === undefined ? set.home : set.byName[name] ?? set.home) };
}

/** True when two placements land on the same host (undefined = the cluster's host). */
export function sameHost(a: HostName, b: HostName, home: string): boolean {
    return (a ?? home) === (b ?? home);
}

/** A place the config puts roles on a host: its path (`host`, `agents[1]`) and that host. */
export interface HostUse {
    path: string;
    on: Pick<Host, "name" | "advertiseAddress" | "describe">;
}

/**
 * A cluster over several hosts reaches its roles at their host's advertised address from the
 * other hosts (a master or server by remote members, remote members by it): a loopback address
 * reaches nothing from there. One problem per such host, at the first path that puts a role
 * there; none while every use is on one host. Pure.
 */
export function loopbackProblems(uses: readonly HostUse[]): ConfigProblem[] {
    const firstUses = new Map<string, HostUse>();
    for (const use of uses) {
        if (!firstUses.has(use.on.name)) {
            firstUses.set(use.on.name, use);
        }
    }
    if (firstUses.size < 2) {
        return [];
    }
    return [...firstUses.values()]
        .filter(({ on }) => isLoopbackAddress(on.advertiseAddress))
        .map(({ path: propertyPath, on }) => ({
            propertyPath,
            reason: `runs on ${on.describe()}, advertised at ${on.advertiseAddress}, a loopback address: the cluster spans hosts and ` +
                "its roles are reached at their host's address from the other hosts; give the host a bindAddress or advertiseAddress they reach",
        }));
}
