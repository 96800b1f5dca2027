import * as pulumi from "@pulumi/pulumi";
import { parseOrThrow } from "../core/config";
import { Host } from "../core/host";
import { EdmMaster, EdmWorker } from "./index";
import { EdmPlatformArgsInput, edmPlatformArgsSchema } from "./schema";

/** A whole EDM platform: its master, its workers, and the load balancer over them. */
export interface EdmPlatform {
    master: EdmMaster;
    workers: Record<string, EdmWorker>;
}

/**
 * The master and every worker on one host, the workers behind the master's load balancer: what
 * a stack's `kind: edm` cluster deploys. Workers are keyed by name, so removing one leaves the
 * others' resources as they were.
 */
export function createEdmPlatform(name: string, args: EdmPlatformArgsInput, host: Host, opts?: pulumi.ComponentResourceOptions): EdmPlatform {
    const settings = parseOrThrow(edmPlatformArgsSchema, args, `EDM platform "${name}" args`);
    const master = new EdmMaster(name, { ...settings.master, host }, opts);
    const workers = Object.fromEntries(settings.workers.map((worker) => [worker.name,
        new EdmWorker(`${name}-${worker.name}`, { ...worker, master }, opts)]));
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
        networkName: master.networkName,
        containerNames: pulumi.all([master.containerNames, byWorker((worker) => worker.containerNames)]).apply(([own, perWorker]) => ({
            ...own,
            ...Object.fromEntries(Object.entries(perWorker).flatMap(([worker, names]) =>
                Object.entries(names).map(([role, container]) => [`${worker}-${role}`, container]))),
        })),
    };
}
