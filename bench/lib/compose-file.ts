import type { DeployedContainerInputs, DeployedGraph } from "./deployment";

type Healthcheck = NonNullable<DeployedContainerInputs["healthcheck"]>;

/** The longest healthcheck interval a peer is given: Docker's default cadence for clusterlab's roles. */
const peerIntervalSeconds = 2;

/**
 * The healthcheck a peer (compose, the floor) is given for one of clusterlab's: the same check,
 * at an interval no longer than 2 s. A peer learns readiness only from Docker's tests, the first
 * an interval after start; clusterlab gives many-member roles (OAR's nodes) a 5 s interval, to
 * spare the engine the execs of frequent tests. A compose user would write the short interval,
 * so the peer gets it: its readiness is not made up to 5 s late, and it pays the engine load of
 * frequent tests, as such a file would. Pure.
 */
export function peerHealthcheck(health: Healthcheck): Healthcheck {
    return { ...health, intervalSeconds: Math.min(health.intervalSeconds, peerIntervalSeconds) };
}

/**
 * The compose file a user would write for what clusterlab deployed: the same images, names,
 * env, command, files, mounts, ports, limits and healthchecks, and `depends_on` with
 * `service_healthy` where clusterlab waited for a ready container. Pure, for tests.
 *
 * Files clusterlab copies in before start become `configs` with inline `content`, which compose
 * also copies in before start. Every step of clusterlab's is a container now (OAR's nodes join
 * OAR by themselves), so the file says all of it.
 */
export function renderComposeProject(graph: DeployedGraph): Record<string, unknown> {
    const serviceOf = new Map(graph.containers.map((c) => [c.urn, c.inputs.name]));
    const healthy = new Set(graph.containers.filter((c) => c.inputs.healthcheck !== undefined).map((c) => c.urn));
    const networks: Record<string, unknown> = {};
    const volumes: Record<string, unknown> = {};
    const configs: Record<string, unknown> = {};
    const services: Record<string, unknown> = {};

    for (const { inputs, after } of graph.containers) {
        networks[inputs.network] = { name: inputs.network };
        const service: Record<string, unknown> = {
            container_name: inputs.name,
            hostname: inputs.hostname,
            image: inputs.image,
            labels: inputs.labels,
            environment: inputs.env.map(escape),
            networks: { [inputs.network]: { aliases: inputs.aliases } },
            restart: inputs.restart,
            init: inputs.init,
        };
        if (inputs.command !== undefined) {
            service.command = inputs.command.map(escape);
        }
        if (inputs.privileged) {
            service.privileged = true;
        }
        if (inputs.memoryMb !== undefined) {
            service.mem_limit = `${inputs.memoryMb}m`;
        }
        if (inputs.ports.length > 0) {
            service.ports = inputs.ports.map((p) => ({ host_ip: p.ip, published: String(p.external), target: p.internal, protocol: "tcp" }));
        }
        if (inputs.mounts.length > 0) {
            service.volumes = inputs.mounts.map((m) => {
                if (m.type === "volume") {
                    volumes[m.source] = { name: m.source };
                }
                return { type: m.type, source: m.source, target: m.target, read_only: m.readOnly };
            });
        }
        if (inputs.files.length > 0) {
            service.configs = inputs.files.map((f) => {
                const key = `${inputs.name}${f.path}`.replace(/[^A-Za-z0-9_.-]/g, "_");
                configs[key] = { content: escape(f.content) };
                return { source: key, target: f.path, uid: "0", gid: "0", mode: f.mode ?? 0o644 };
            });
        }
        const health = inputs.healthcheck === undefined ? undefined : peerHealthcheck(inputs.healthcheck);
        if (health !== undefined) {
            service.healthcheck = {
                test: ["CMD-SHELL", escape(health.shellCommand)],
                interval: `${health.intervalSeconds}s`,
                timeout: `${health.timeoutSeconds}s`,
                retries: health.retries,
                start_period: `${health.startPeriodSeconds}s`,
            };
        }
        if (after.length > 0) {
            service.depends_on = Object.fromEntries(after.map((dep) => [serviceOf.get(dep) as string, {
                condition: healthy.has(dep) ? "service_healthy" : "service_started",
            }]));
        }
        services[inputs.name] = service;
    }
    return { services, networks, volumes, configs };
}

/** Compose interpolates `$` in every value; a literal `$` is written `$$`. */
function escape(value: string): string {
    return value.replace(/\$/g, "$$$$");
}
