import * as pulumi from "@pulumi/pulumi";
import { spawnSync } from "child_process";
import { engineEnv } from "../components/core/docker/cli";
import { Host } from "../components/core/host";

/** Seconds a host's engine has to answer `docker version` before the run fails naming it. */
export const reachTimeoutSeconds = 15;

/** Why a host's engine does not answer, or undefined when it does. */
export function unreachableReason(host: Host, timeoutSeconds = reachTimeoutSeconds): string | undefined {
    const result = spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], {
        env: engineEnv(host.plainEngine) as NodeJS.ProcessEnv,
        timeout: timeoutSeconds * 1000,
        encoding: "utf8",
    });
    if (result.error !== undefined) {
        return (result.error as NodeJS.ErrnoException).code === "ETIMEDOUT" ? `no answer within ${timeoutSeconds}s` : result.error.message;
    }
    if (result.status !== 0) {
        const lines = `${result.stderr}`.trim().split("\n").filter((line) => line !== "");
        return lines[lines.length - 1] ?? `docker exited ${result.status}`;
    }
    return undefined;
}

/**
 * Every host the stack uses must answer before any resource is registered: a run that went on
 * would create the clusters' objects on the hosts that answer and fail half-way on the one that
 * does not. One error names every unreachable host and its endpoint.
 */
export function checkHostsReachable(hosts: Iterable<Host>): void {
    const failures = [...hosts].flatMap((host) => {
        const reason = unreachableReason(host);
        return reason === undefined ? [] : [`  ${host.describe()}: ${reason}`];
    });
    if (failures.length > 0) {
        throw new pulumi.RunError([
            "cannot reach the Docker engine of every host; nothing was created or changed on any host:",
            ...failures,
            "Start the engine (or fix the endpoint under clusterlab:hosts), then run again.",
        ].join("\n"));
    }
}
