import * as pulumi from "@pulumi/pulumi";
import { Host } from "../components/core/host";
import { clusterKinds } from "./kinds";
import { StackConfig } from "./config";

/** Builds the hosts the clusters use, then every cluster, and returns each cluster's outputs by name. */
export function deployStack(config: StackConfig): Record<string, Record<string, pulumi.Output<unknown>>> {
    const usedHosts = new Set(config.clusters.map((cluster) => cluster.host));
    const hosts = new Map<string, Host>();
    for (const [name, args] of Object.entries(config.hosts)) {
        if (usedHosts.has(name)) {
            hosts.set(name, new Host(name, args));
        }
    }
    return Object.fromEntries(config.clusters.map((cluster) => [
        cluster.name,
        clusterKinds[cluster.kind].deploy(cluster.name, cluster.args, hosts.get(cluster.host)!),
    ]));
}
