import type * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import { renderLabelList } from "../labels";

/** A container as a role describes it, in clusterlab's words; `renderContainerArgs` says it in `docker.Container`'s. */
export interface ContainerSpec {
    name: string;
    hostname: string;
    /** The image reference to run. */
    image: pulumi.Input<string>;
    command?: pulumi.Input<string>[];
    /** `K=V` entries, sorted; secret values stay secret entry by entry. */
    env: pulumi.Input<string>[];
    labels: Record<string, pulumi.Input<string>>;
    network: pulumi.Input<string>;
    aliases: string[];
    /** Published ports; `protocol` absent is TCP. */
    ports: { ip: string; internal: number; external: number; protocol?: "tcp" | "udp" }[];
    mounts: { type: "volume" | "bind"; source: pulumi.Input<string>; target: string; readOnly: boolean }[];
    /** Files written into the container before it starts. */
    files: { path: string; content: pulumi.Input<string>; mode: number }[];
    healthcheck?: { shellCommand: string; intervalSeconds: number; timeoutSeconds: number; retries: number; startPeriodSeconds: number };
    /**
     * How long `up` waits for the healthcheck to pass before it fails. Absent: the container counts
     * as created once started, and its healthcheck only reports (something else waits for it).
     */
    waitTimeoutSeconds?: number;
    init: boolean;
    privileged: boolean;
    memoryMb?: number;
    restart: string;
    /** Names of roles on other hosts and the address each is reached by (/etc/hosts entries). */
    extraHosts: Record<string, string>;
}

/**
 * Seconds a container is given to stop on SIGTERM before it is killed, on delete and replace:
 * every image here stops within a second (rule 16), so this is only the bound.
 */
export const stopGraceSeconds = 10;

/**
 * The `docker.Container` args for a role. With a healthcheck and a wait timeout the provider
 * waits (`wait`) until Docker reports the container healthy, so anything that `dependsOn` it
 * starts only when it is ready; lists are sorted so that an order in code is never a diff. Pure.
 */
export function renderContainerArgs(spec: ContainerSpec): docker.ContainerArgs {
    const health = spec.healthcheck;
    return {
        name: spec.name,
        hostname: spec.hostname,
        image: spec.image,
        ...(spec.command === undefined ? {} : { command: spec.command }),
        envs: spec.env,
        labels: renderLabelList(spec.labels),
        networksAdvanced: [{ name: spec.network, aliases: spec.aliases }],
        ports: spec.ports.map((port) => ({ internal: port.internal, external: port.external, ip: port.ip, protocol: port.protocol ?? "tcp" })),
        mounts: spec.mounts.map((mount) => ({ type: mount.type, source: mount.source, target: mount.target, readOnly: mount.readOnly })),
        uploads: spec.files.map((file) => ({ file: file.path, content: file.content, permissions: renderPermissions(file.mode) })),
        hosts: Object.keys(spec.extraHosts).sort().map((host) => ({ host, ip: spec.extraHosts[host] })),
        ...(health === undefined ? {} : {
            healthcheck: {
                tests: ["CMD-SHELL", health.shellCommand],
                interval: renderDuration(health.intervalSeconds),
                timeout: renderDuration(health.timeoutSeconds),
                retries: health.retries,
                startPeriod: renderDuration(health.startPeriodSeconds),
            },
            ...(spec.waitTimeoutSeconds === undefined ? {} : { wait: true, waitTimeout: spec.waitTimeoutSeconds }),
        }),
        init: spec.init,
        privileged: spec.privileged,
        // Swap as `docker run --memory` gives it (twice the limit), said outright: the engine
        // reports it back, and a value not given would be a diff after every refresh.
        ...(spec.memoryMb === undefined ? {} : { memory: spec.memoryMb, memorySwap: 2 * spec.memoryMb }),
        restart: spec.restart,
        mustRun: true,
        destroyGraceSeconds: stopGraceSeconds,
    };
}

/** A file mode as the provider's `permissions` takes it: four octal digits (`0644`). Pure. */
export function renderPermissions(mode: number): string {
    return mode.toString(8).padStart(4, "0");
}

/**
 * Whole seconds as Go's `time.Duration` prints them (`0s`, `2s`, `1m0s`, `1h1m5s`): the provider
 * reads a healthcheck's durations back in that form, so any other spelling of the same time
 * (`60s`) would replace the container after every refresh. Pure.
 */
export function renderDuration(seconds: number): string {
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const rest = seconds % 60;
    return hours > 0 ? `${hours}h${minutes}m${rest}s` : minutes > 0 ? `${minutes}m${rest}s` : `${rest}s`;
}
