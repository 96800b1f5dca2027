import { ContainerView, lazyContainerView, viewImage, viewNetwork, viewVolume } from "../components/core/docker/container-view";

/** The type tokens of the Docker objects clusterlab makes, all with `@pulumi/docker`. */
export const providerTypes = {
    container: "docker:index/container:Container",
    network: "docker:index/network:Network",
    volume: "docker:index/volume:Volume",
    image: "docker:index/remoteImage:RemoteImage",
} as const;

/** Where an object lives: its provider's endpoint; absent for the ambient engine. */
interface OnEngine {
    dockerHost?: string;
}

export type ContainerProps = Partial<ContainerView> & OnEngine & Record<string, unknown>;
export type ImageProps = Partial<ReturnType<typeof viewImage>> & OnEngine & Record<string, unknown>;
export type NetworkProps = Partial<ReturnType<typeof viewNetwork>> & OnEngine & Record<string, unknown>;

type DockerKind = keyof typeof providerTypes;

/** What a rule sees of a resource: its type, its inputs and, for @pulumi/docker ones, its provider's. */
export interface CheckedResource {
    type: string;
    props: Record<string, any>;  
    provider?: { props: Record<string, any> };  
}

const views: Record<DockerKind, (props: Record<string, any>) => object> = {  
    container: lazyContainerView, network: viewNetwork, volume: viewVolume, image: viewImage,
};

/**
 * A Docker object of a kind in clusterlab's words: the @pulumi/docker resource's inputs read
 * through its view, with `dockerHost` its provider's endpoint. Undefined for any other resource.
 */
function objectOf(kind: DockerKind, resource: CheckedResource): Record<string, any> | undefined {  
    // A new resource that `--target` leaves out reaches the pack with no inputs at all (Pulumi
    // 3.274: the create is skipped): it is not made in this run, so there is nothing to judge.
    if (resource.type !== providerTypes[kind] || Object.keys(resource.props).length === 0) {
        return undefined;
    }
    const host = resource.provider?.props.host as string | undefined;
    const view = views[kind](resource.props);
    // Read lazily, so a rule touches only the inputs it needs (a preview's unknowns skip a rule
    // that touches one). A container's `network`, as the rules ask it, is its network mode: its
    // cluster network is named by an id that a preview does not know yet.
    const extra: PropertyDescriptorMap = kind !== "container" ? {} : {
        pidMode: { enumerable: true, get: () => resource.props.pidMode },
        network: { enumerable: true, get: () => resource.props.networkMode ?? "bridge" },
    };
    return Object.defineProperties(view, { ...extra, ...(host === undefined ? {} : { dockerHost: { enumerable: true, value: host } }) });
}

/** The resource as a container, or undefined when it is none. */
export const containerOf = (resource: CheckedResource) => objectOf("container", resource) as ContainerProps | undefined;
/** The resource as an image, or undefined when it is none. */
export const imageOf = (resource: CheckedResource) => objectOf("image", resource) as ImageProps | undefined;
/** The resource as a network, or undefined when it is none. */
export const networkOf = (resource: CheckedResource) => objectOf("network", resource) as NetworkProps | undefined;
/** The labels of a container, network or volume; undefined for anything else. */
export function labelsOf(resource: CheckedResource): Record<string, string> | undefined {
    const object = containerOf(resource) ?? networkOf(resource) ?? objectOf("volume", resource);
    return object === undefined ? undefined : (object.labels ?? {}) as Record<string, string>;
}

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
