import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Host } from "./host";
import { renderLabelList, renderLabels } from "./labels";

export interface ClusterNetworkArgs {
    stack: string;
    cluster: string;
    host: Host;
}

/**
 * One user-defined bridge network per cluster per host, named `<stack>-<cluster>`, as a
 * `docker.Network` on the host's provider. Its built-in DNS resolves every role by alias, which
 * replaces the seeds' shared /etc/hosts scripts.
 */
export function createDockerNetwork(resourceName: string, args: ClusterNetworkArgs, parent: pulumi.Resource): docker.Network {
    const labels = renderLabels({ stack: args.stack, cluster: args.cluster, role: "network" });
    return new docker.Network(resourceName, {
        name: `${args.stack}-${args.cluster}`,
        driver: "bridge",
        labels: renderLabelList(labels),
    }, { parent, provider: args.host.provider });
}
