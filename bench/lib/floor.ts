import { runDocker } from "../../components/core/docker/cli";
import { renderCreateArgs } from "./docker-create-args";
import { ustarArchive } from "./tar";
import { peerHealthcheck } from "./compose-file";
import type { DeployedGraph } from "./deployment";
import { sleep } from "../../test/e2e/support/poll";

/**
 * The physical floor: the same containers made straight through the engine's API, all at once,
 * with no ordering and no tool in between — network and volumes, then every container created,
 * given its files and started in parallel. Times to all started and to all healthy (each at
 * the peer's healthcheck interval, `peerHealthcheck`).
 */
export async function floorUp(graph: DeployedGraph): Promise<{ startedMs: number; healthyMs: number }> {
    const started = Date.now();
    const networks = [...new Set(graph.containers.map((c) => c.inputs.network))];
    const volumes = [...new Set(graph.containers.flatMap((c) => c.inputs.mounts.filter((m) => m.type === "volume").map((m) => m.source)))];
    await Promise.all([
        ...networks.map((n) => runDocker(undefined, ["network", "create", n])),
        ...volumes.map((v) => runDocker(undefined, ["volume", "create", v])),
    ]);
    await Promise.all(graph.containers.map(async ({ inputs }) => {
        await runDocker(undefined, renderCreateArgs({ ...inputs, healthcheck: inputs.healthcheck && peerHealthcheck(inputs.healthcheck) }));
        if (inputs.files.length > 0) {
            await runDocker(undefined, ["cp", "-", `${inputs.name}:/`], ustarArchive(inputs.files));
        }
        await runDocker(undefined, ["start", inputs.name]);
    }));
    const startedMs = Date.now() - started;
    const names = graph.containers.filter((c) => c.inputs.healthcheck !== undefined).map((c) => c.inputs.name);
    const deadline = started + 300_000;
    for (;;) {
        const states = (await runDocker(undefined, ["inspect", "--format", "{{.State.Health.Status}}", ...names])).split("\n");
        if (states.every((s) => s.trim() === "healthy")) {
            break;
        }
        if (Date.now() > deadline) {
            throw new Error(`floor: not all healthy within 300 s: ${names.map((n, i) => `${n}=${states[i]}`).join(" ")}`);
        }
        await sleep(200);
    }
    return { startedMs, healthyMs: Date.now() - started };
}

/** Removes what `floorUp` made, all containers at once, then networks and volumes. */
export async function floorDown(graph: DeployedGraph): Promise<number> {
    const started = Date.now();
    await runDocker(undefined, ["rm", "--force", "--volumes", ...graph.containers.map((c) => c.inputs.name)]);
    const networks = [...new Set(graph.containers.map((c) => c.inputs.network))];
    const volumes = [...new Set(graph.containers.flatMap((c) => c.inputs.mounts.filter((m) => m.type === "volume").map((m) => m.source)))];
    await Promise.all([
        runDocker(undefined, ["network", "rm", ...networks]),
        ...(volumes.length > 0 ? [runDocker(undefined, ["volume", "rm", ...volumes])] : []),
    ]);
    return Date.now() - started;
}
