import type { DeployedContainerInputs } from "./deployment";

/** `--label k=v` flags, sorted. */
export function labelFlags(labels: Record<string, string>): string[] {
    return Object.keys(labels).sort().flatMap((key) => ["--label", `${key}=${labels[key]}`]);
}

/**
 * The `docker create` argv for a container clusterlab deployed, as a person would type it: the
 * floor's way to make the same container straight through the engine. Pure, so it is tested
 * without an engine.
 */
export function renderCreateArgs(inputs: DeployedContainerInputs): string[] {
    const args = ["create", "--name", inputs.name, "--hostname", inputs.hostname, "--network", inputs.network];
    args.push(...inputs.aliases.flatMap((alias) => ["--network-alias", alias]));
    args.push(...labelFlags(inputs.labels));
    args.push(...inputs.env.flatMap((entry) => ["--env", entry]));
    args.push(...inputs.ports.flatMap((p) => ["--publish", `${p.ip.includes(":") ? `[${p.ip}]` : p.ip}:${p.external}:${p.internal}${p.protocol === "udp" ? "/udp" : ""}`]));
    args.push(...inputs.mounts.flatMap((m) => ["--mount", `type=${m.type},source=${m.source},target=${m.target}${m.readOnly ? ",readonly" : ""}`]));
    args.push(...(inputs.extraHosts ?? []).flatMap((entry) => ["--add-host", entry]));
    args.push("--restart", inputs.restart);
    if (inputs.init) {
        args.push("--init");
    }
    if (inputs.privileged) {
        args.push("--privileged");
    }
    if (inputs.memoryMb !== undefined) {
        args.push("--memory", `${inputs.memoryMb}m`);
    }
    const health = inputs.healthcheck;
    if (health !== undefined) {
        args.push("--health-cmd", health.shellCommand, "--health-interval", `${health.intervalSeconds}s`,
            "--health-timeout", `${health.timeoutSeconds}s`, "--health-retries", String(health.retries),
            "--health-start-period", `${health.startPeriodSeconds}s`);
    }
    args.push(inputs.image, ...(inputs.command ?? []));
    return args;
}
