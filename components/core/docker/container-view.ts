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
export function labelMap(labels: unknown): Record<string, string> {
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

/** A `docker.Container`'s inputs as clusterlab's container description. Pure. */
export function viewContainer(props: Props): ContainerView {
    const labels = Array.isArray(props.labels) ? props.labels as { label: string; value: string }[] : [];
    const secretLabel = labels.find((entry) => entry.label === secretInputsLabel)?.value ?? "";
    const health = props.healthcheck;
    const hosts = (props.hosts ?? []) as { host: string; ip: string }[];
    const network = ((props.networksAdvanced ?? []) as { name: string; aliases?: string[] }[])[0];
    return {
        name: props.name,
        hostname: props.hostname,
        image: props.image,
        ...(props.command === undefined ? {} : { command: props.command }),
        env: props.envs ?? [],
        labels: labelMap(labels),
        network: network?.name,
        aliases: network?.aliases ?? [],
        ports: ((props.ports ?? []) as Props[]).map((port) => ({
            ip: port.ip, internal: port.internal, external: port.external, ...(port.protocol === "udp" ? { protocol: "udp" as const } : {}),
        })),
        mounts: ((props.mounts ?? []) as Props[]).map((mount) => ({ type: mount.type, source: mount.source, target: mount.target, readOnly: mount.readOnly ?? false })),
        files: ((props.uploads ?? []) as Props[]).map((upload) => ({ path: upload.file, content: upload.content, mode: parseInt(upload.permissions ?? "0644", 8) })),
        ...(health === undefined ? {} : {
            healthcheck: {
                shellCommand: health.tests[1],
                intervalSeconds: parseDuration(health.interval),
                timeoutSeconds: parseDuration(health.timeout),
                retries: health.retries,
                startPeriodSeconds: parseDuration(health.startPeriod),
            },
            waitTimeoutSeconds: props.waitTimeout,
        }),
        init: props.init ?? false,
        privileged: props.privileged ?? false,
        ...(props.memory === undefined ? {} : { memoryMb: props.memory }),
        restart: props.restart,
        ...(hosts.length === 0 ? {} : { extraHosts: hosts.map((entry) => `${entry.host}:${entry.ip}`) }),
        secretInputs: secretLabel === "" ? [] : secretLabel.split(","),
    };
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
