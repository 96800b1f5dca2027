import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { renderLabels } from "./labels";

export interface ClusterNetworkArgs {
    stack: string;
    cluster: string;
}

/**
 * One user-defined bridge network per cluster per host, named `<stack>-<cluster>`. Its built-in
 * DNS resolves every role by alias, which replaces the seeds' shared /etc/hosts scripts.
 */
export function createClusterNetwork(
    resourceName: string,
    args: ClusterNetworkArgs,
    opts: pulumi.CustomResourceOptions,
): docker.Network {
    return new docker.Network(resourceName, {
        name: `${args.stack}-${args.cluster}`,
        driver: "bridge",
        labels: renderLabels({ stack: args.stack, cluster: args.cluster, role: "network" }),
    }, opts);
}
