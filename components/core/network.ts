import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { DockerNetwork } from "./docker/resources";
import { Host } from "./host";
import { renderLabelList, renderLabels } from "./labels";

export interface ClusterNetworkArgs {
    stack: string;
    cluster: string;
    host: Host;
}

/**
 * One user-defined bridge network per cluster per host, named `<stack>-<cluster>`. Its built-in
 * DNS resolves every role by alias, which replaces the seeds' shared /etc/hosts scripts.
 */
export function createClusterNetwork(resourceName: string, args: ClusterNetworkArgs, parent: pulumi.Resource): DockerNetwork {
    return new DockerNetwork(resourceName, {
        ...args.host.engine,
        name: `${args.stack}-${args.cluster}`,
        driver: "bridge",
        labels: renderLabels({ stack: args.stack, cluster: args.cluster, role: "network" }),
    }, { parent });
}

/**
 * The same network as a `docker.Network` on the host's provider: for the kinds that moved onto
 * `@pulumi/docker` (the others keep `createClusterNetwork` until they move too).
 */
export function createDockerNetwork(resourceName: string, args: ClusterNetworkArgs, parent: pulumi.Resource): docker.Network {
    const labels = renderLabels({ stack: args.stack, cluster: args.cluster, role: "network" });
    return new docker.Network(resourceName, {
        name: `${args.stack}-${args.cluster}`,
        driver: "bridge",
        labels: renderLabelList(labels),
    }, { parent, provider: args.host.provider });
}
