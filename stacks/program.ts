import * as pulumi from "@pulumi/pulumi";
import { Host } from "../components/core/host";
import { clusterKinds } from "./kinds";
import { StackConfig } from "./config";

/** The names of the hosts some cluster's roles run on. */
export function usedHostNames(config: StackConfig): string[] {
    return [...new Set(config.clusters.flatMap((cluster) => cluster.hostsUsed ?? [cluster.host]))];
}

/** The hosts the clusters use, by name. */
export function buildHosts(config: StackConfig): Map<string, Host> {
    const used = new Set(usedHostNames(config));
    return new Map(Object.entries(config.hosts)
        .filter(([name]) => used.has(name))
        .map(([name, args]) => [name, new Host(name, args)]));
}

/** Builds the hosts the clusters use, then every cluster, and returns each cluster's outputs by name. */
export function deployStack(config: StackConfig, hosts: Map<string, Host> = buildHosts(config)): Record<string, Record<string, pulumi.Output<unknown>>> {
    const byName = Object.fromEntries(hosts);
    return Object.fromEntries(config.clusters.map((cluster) => [
        cluster.name,
        clusterKinds[cluster.kind].deploy(cluster.name, cluster.args, hosts.get(cluster.host)!, byName),
    ]));
}
