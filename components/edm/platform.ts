import * as pulumi from "@pulumi/pulumi";
import { parseOrThrow } from "../core/config";
import { Host } from "../core/host";
import { hostSet, resolveHosts } from "../core/placement";
import { EdmMaster, EdmWorker } from "./index";
import { edmHostRefs, edmPlacementProblems } from "./placement";
import { EdmPlatformArgsInput, edmPlatformArgsSchema, placeEdmWorkers } from "./schema";

/** A whole EDM platform: its master, its workers, and the load balancer over them. */
export interface EdmPlatform {
    master: EdmMaster;
    workers: Record<string, EdmWorker>;
}

/**
 * The master on `host` and every worker on its own host (by name from `hosts`, round-robin over
 * `workerHosts`, else `host`), the workers behind the master's load balancer: what a stack's
 * `kind: edm` cluster deploys. Workers are keyed by name, so removing one leaves the others'
 * resources as they were.
 */
export function createEdmPlatform(name: string, args: EdmPlatformArgsInput, host: Host, opts?: pulumi.ComponentResourceOptions,
    hosts?: Record<string, Host>): EdmPlatform {
    const settings = parseOrThrow(edmPlatformArgsSchema, args, `EDM platform "${name}" args`);
    const set = hostSet(host, hosts);
    const { problems: unknownHosts, hostOf } = resolveHosts(set, edmHostRefs(settings));
    const problems = [...unknownHosts, ...edmPlacementProblems(settings, host.name)];
    if (problems.length > 0) {
        throw new pulumi.InputPropertiesError({
            message: `invalid EDM platform "${name}" args:\n${problems.map((p) => `  ${p.propertyPath}: ${p.reason}`).join("\n")}`,
            errors: problems,
        });
    }
    const placed = placeEdmWorkers(settings);
    const master = new EdmMaster(name, { ...settings.master, host }, opts);
    const workers = Object.fromEntries(settings.workers.map((worker) => [worker.name,
        new EdmWorker(`${name}-${worker.name}`, { ...withoutHost(worker), master, host: hostOf(placed[worker.name]) }, opts)]));
    master.balance(Object.values(workers));
    return { master, workers };
}

/** What a stack exports for an EDM platform. */
export function edmPlatformOutputs(platform: EdmPlatform): Record<string, pulumi.Output<unknown>> {
    const { master, workers } = platform;
    const byWorker = <T>(pick: (worker: EdmWorker) => pulumi.Output<T>) =>
        pulumi.all(Object.fromEntries(Object.entries(workers).map(([name, worker]) => [name, pick(worker)]))) as pulumi.Output<Record<string, T>>;
    return {
        consulUrl: master.consulUrl,
        loadBalancerUrl: master.loadBalancerUrl,
        gogsUrl: master.gogsUrl,
        gogsAdminUser: master.gogsAdminUser,
        gogsAdminPassword: master.gogsAdminPassword,
        workerApiUrls: byWorker((worker) => worker.apiUrl),
        workerHosts: pulumi.output(Object.fromEntries(Object.entries(workers).map(([name, worker]) => [name, worker.hostName]))),
        networkName: master.networkName,
        containerNames: pulumi.all([master.containerNames, byWorker((worker) => worker.containerNames)]).apply(([own, perWorker]) => ({
            ...own,
            ...Object.fromEntries(Object.entries(perWorker).flatMap(([worker, names]) =>
                Object.entries(names).map(([role, container]) => [`${worker}-${role}`, container]))),
        })),
    };
}

/** A platform's worker entry as EdmWorker takes it: its `host` is a name here and a Host there. */
function withoutHost<W extends { host?: string }>(worker: W): Omit<W, "host"> {
    const copy: Partial<W> = { ...worker };
    delete copy.host;
    return copy as Omit<W, "host">;
}
