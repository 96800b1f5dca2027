import { ContainerSpec } from "./container-args";

// The inverse of `renderContainerArgs` and of the network, volume and image args: a Docker
// object's `@pulumi/docker` inputs read back in clusterlab's words (the shape its dynamic
// resources had). The policy pack reads resources through it, so one rule serves both kinds of
// resource while the kinds move; the unit tests' mocks record through it too.

/** A container's inputs as clusterlab describes a role's container. Plain values only. */
export interface ContainerView extends Omit<ContainerSpec, "image" | "command" | "env" | "labels" | "network" | "mounts" | "files" | "extraHosts" | "ports" | "waitTimeoutSeconds"> {
    image: string;
    command?: string[];
    env: string[];
    labels: Record<string, string>;
    network: string;
    /** Published ports; `protocol` absent for TCP. */
    ports: { ip: string; internal: number; external: number; protocol?: "tcp" | "udp" }[];
    mounts: { type: "volume" | "bind"; source: string; target: string; readOnly: boolean }[];
    files: { path: string; content: string; mode: number }[];
    waitTimeoutSeconds?: number;
    /** `name:address` entries for /etc/hosts; absent when none. */
    extraHosts?: string[];
    /** Which env vars (`env:NAME`) and files (`file:/path`) came from Pulumi secrets. */
    secretInputs: string[];
}

/** The label of a container that names its env vars (`env:NAME`) and files (`file:/path`) given as Pulumi secrets. */
export const secretInputsLabel = "clusterlab.secret-inputs";

type Props = Record<string, any>;  

/** `[{ label, value }]` back to a map, without the secret-inputs label (it is bookkeeping, not a label of the role). */
function labelMap(labels: unknown): Record<string, string> {
    const entries = Array.isArray(labels) ? labels as { label: string; value: string }[] : [];
    return Object.fromEntries(entries.filter((entry) => entry.label !== secretInputsLabel).map((entry) => [entry.label, entry.value]));
}

/** A Go duration as the provider writes it (`2s`, `1m0s`, `1h2m3s`, `500ms`) in seconds. Pure. */
export function parseDuration(text: string): number {
    let seconds = 0;
    for (const [, amount, unit] of text.matchAll(/([0-9.]+)(h|ms|m|s)/g)) {
        seconds += Number(amount) * { h: 3600, m: 60, s: 1, ms: 0.001 }[unit as "h" | "m" | "s" | "ms"];
    }
    return seconds;
}

type LabelEntry = { label: string; value: string };
const labelEntries = (props: Props): LabelEntry[] => (Array.isArray(props.labels) ? props.labels as LabelEntry[] : []);
const firstNetwork = (props: Props) => ((props.networksAdvanced ?? []) as { name: string; aliases?: string[] }[])[0];

/**
 * Each field of the view, from only the inputs it needs. A preview hands the policy pack unknown
 * values (a network's id before it exists), and a rule that touches one is skipped: so a rule
 * reads, through `lazyContainerView`, just the inputs its fields come from.
 */
const containerFields: { [K in keyof ContainerView]-?: (props: Props) => ContainerView[K] } = {
    name: (props) => props.name,
    hostname: (props) => props.hostname,
    image: (props) => props.image,
    command: (props) => props.command,
    env: (props) => props.envs ?? [],
    labels: (props) => labelMap(labelEntries(props)),
    network: (props) => firstNetwork(props)?.name,
    aliases: (props) => firstNetwork(props)?.aliases ?? [],
    ports: (props) => ((props.ports ?? []) as Props[]).map((port) => ({
        ip: port.ip, internal: port.internal, external: port.external, ...(port.protocol === "udp" ? { protocol: "udp" as const } : {}),
    })),
    mounts: (props) => ((props.mounts ?? []) as Props[]).map((mount) => ({ type: mount.type, source: mount.source, target: mount.target, readOnly: mount.readOnly ?? false })),
    files: (props) => ((props.uploads ?? []) as Props[]).map((upload) => ({ path: upload.file, content: upload.content, mode: parseInt(upload.permissions ?? "0644", 8) })),
    healthcheck: (props) => {
        const health = props.healthcheck;
        return health === undefined ? undefined : {
            shellCommand: health.tests[1],
            intervalSeconds: parseDuration(health.interval),
            timeoutSeconds: parseDuration(health.timeout),
            retries: health.retries,
            startPeriodSeconds: parseDuration(health.startPeriod),
        };
    },
    waitTimeoutSeconds: (props) => (props.healthcheck === undefined || props.wait !== true ? undefined : props.waitTimeout),
    init: (props) => props.init ?? false,
    privileged: (props) => props.privileged ?? false,
    memoryMb: (props) => props.memory,
    restart: (props) => props.restart,
    extraHosts: (props) => {
        const hosts = (props.hosts ?? []) as { host: string; ip: string }[];
        return hosts.length === 0 ? undefined : hosts.map((entry) => `${entry.host}:${entry.ip}`);
    },
    secretInputs: (props) => {
        const listed = labelEntries(props).find((entry) => entry.label === secretInputsLabel)?.value ?? "";
        return listed === "" ? [] : listed.split(",");
    },
};

/** A `docker.Container`'s inputs as clusterlab's container description; fields that would be undefined are left out. Pure. */
export function viewContainer(props: Props): ContainerView {
    const entries = Object.entries(containerFields).map(([key, field]) => [key, field(props)] as const);
    return Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as unknown as ContainerView;
}

/** The same view, each field read from the inputs only when it is asked for (see `containerFields`). */
export function lazyContainerView(props: Props): ContainerView {
    const view = {} as ContainerView;
    for (const [key, field] of Object.entries(containerFields)) {
        Object.defineProperty(view, key, { enumerable: true, configurable: true, get: () => (field as (p: Props) => unknown)(props) });
    }
    return view;
}

/** A `docker.Network`'s inputs as clusterlab's network description. Pure. */
export function viewNetwork(props: Props): { name: string; driver: string; labels: Record<string, string> } {
    return { name: props.name, driver: props.driver, labels: labelMap(props.labels) };
}

/** A `docker.Volume`'s inputs as clusterlab's volume description. Pure. */
export function viewVolume(props: Props): { name: string; labels: Record<string, string> } {
    return { name: props.name, labels: labelMap(props.labels) };
}

/** A `docker.RemoteImage`'s inputs as clusterlab's image description: its pinned name, and its build if any. Pure. */
export function viewImage(props: Props): { name: string; build?: { context: string; buildArgs: Record<string, string> } } {
    const build = props.build;
    return { name: props.name, ...(build === undefined ? {} : { build: { context: build.context, buildArgs: build.buildArgs ?? {} } }) };
}
