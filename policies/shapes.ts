import { DockerContainerInputs, DockerImageInputs, DockerNetworkInputs } from "../components/core/docker/resources";

/** The type tokens of clusterlab's Docker resources (components/core/docker). */
export const dockerTypes = {
    container: "pulumi-nodejs:dynamic/docker:Container",
    network: "pulumi-nodejs:dynamic/docker:Network",
    volume: "pulumi-nodejs:dynamic/docker:Volume",
    image: "pulumi-nodejs:dynamic/docker:Image",
} as const;

export type ContainerProps = Partial<DockerContainerInputs> & Record<string, unknown>;
export type ImageProps = Partial<DockerImageInputs> & Record<string, unknown>;
export type NetworkProps = Partial<DockerNetworkInputs> & Record<string, unknown>;

/** The role a resource plays in its cluster, from its clusterlab.role label. */
export function roleOf(props: object): string | undefined {
    return (props as { labels?: Record<string, string> }).labels?.["clusterlab.role"];
}

/** How a message names a resource: its Pulumi name and, where known, its cluster role. */
export function describe(name: string, props: object): string {
    const role = roleOf(props);
    return role === undefined ? `"${name}"` : `"${name}" (role ${role})`;
}

/** The engine a resource is on, for grouping: the ambient engine when none is named. */
export function engineOf(props: { dockerHost?: string }): string {
    return props.dockerHost || "the local engine";
}

/**
 * Reports every resource whose key another resource already took, naming both: the stack rules'
 * "no two of these on one engine" check.
 */
export function reportClashes(
    entries: { key: string; name: string; urn: string }[],
    report: (message: string, urn: string) => void,
    message: (name: string, first: string, key: string) => string,
): void {
    const owners = new Map<string, string>();
    for (const entry of entries) {
        const first = owners.get(entry.key);
        if (first === undefined) {
            owners.set(entry.key, entry.name);
        } else {
            report(message(entry.name, first, entry.key), entry.urn);
        }
    }
}
