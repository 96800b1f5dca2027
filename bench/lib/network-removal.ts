import { EngineRef, inspect, isMissing, runDocker } from "../../components/core/docker/cli";

// `docker network rm` that survives Docker 20.10's stale endpoint (moby/moby#42119, #23302,
// #33156): after many containers on a network are removed at once, the engine may refuse to
// remove the network ("has active endpoints") although no container is on it any more.
// Two kinds are reported. (1) An endpoint whose container is gone but which the engine still
// lists: `docker network disconnect --force <network> <endpoint name>` deletes it. (2) The
// network's endpoint count (libnetwork's endpoint_cnt, kept apart from the endpoints) is off:
// the engine lists nothing, and nothing through its API recounts it; only a restart does
// (libnetwork's cleanupLocalEndpoints fixes an "inconsistent endpoint_cnt" at start-up).
// Some reports say it clears by itself after a moment, so the removal is also retried.
// clusterlab's own networks ran this on delete until they became `@pulumi/docker`'s; the
// benchmarks' peer side and bench/stale-endpoint.ts still remove networks by hand, through it.

/** How long a network removal keeps retrying, and how it waits between tries. */
export interface NetworkRemovalOptions {
    /**
     * Total wait before giving up, in ms (default 20 000). Why 20 s: a transient refusal (the
     * engine still finishing the removals it just answered) clears within a second or two even on
     * a loaded machine; a stale count never clears by waiting, so a longer bound only delays the
     * error that says what to do. Pulumi removes a stack's networks in parallel, so a destroy pays
     * it at most once.
     */
    budgetMs?: number;
    /** The first wait, in ms (default 250); each next one doubles, up to maxDelayMs. */
    firstDelayMs?: number;
    /** The longest single wait, in ms (default 4000). */
    maxDelayMs?: number;
    /** Told of each refusal (the try's number, from 1) with the endpoints the engine then listed; for measurements. */
    onRefused?: (tries: number, listed: ListedEndpoint[]) => void;
}

/** True for the engine's refusal to remove a network that (it believes) still has endpoints. */
export function isActiveEndpoints(error: unknown): boolean {
    const text = String((error as { stderr?: string }).stderr ?? (error as Error).message ?? error);
    return /has active endpoints/i.test(text);
}

/** The waits between tries: doubling from `first`, capped at `max`, summing to exactly `budget`. */
export function retryDelays(budgetMs: number, firstDelayMs = 250, maxDelayMs = 4000): number[] {
    const delays: number[] = [];
    let total = 0;
    let next = Math.max(1, firstDelayMs);
    while (total < budgetMs) {
        const delay = Math.min(next, maxDelayMs, budgetMs - total);
        delays.push(delay);
        total += delay;
        next *= 2;
    }
    return delays;
}

/** An endpoint the engine lists on a network: its key (a container id, or `ep-<id>` without one) and name. */
export interface ListedEndpoint {
    key: string;
    name: string;
}

/** The endpoints in `docker network inspect --format '{{json .Containers}}'` output (`null` when none). */
export function parseEndpoints(json: string): ListedEndpoint[] {
    const parsed = JSON.parse(json.trim() === "" ? "null" : json) as Record<string, { Name?: string }> | null;
    return Object.entries(parsed ?? {})
        .map(([key, endpoint]) => ({ key, name: endpoint.Name ?? "" }))
        .filter((endpoint) => endpoint.name !== "")
        .sort((a, b) => a.name.localeCompare(b.name));
}

/** How an engine is named in messages. */
export function engineLabel(engine: EngineRef): string {
    const host = typeof engine === "object" ? engine.dockerHost : engine;
    return host !== undefined && host !== ""
        ? host
        : `${process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"} (the ambient engine)`;
}

/** What is left after the retries, for the error: live containers still attached, endpoints disconnected. */
export interface RemovalOutcome {
    network: string;
    engine: string;
    waitedSeconds: number;
    tries: number;
    /** Names of containers that exist and are still attached: not ours to cut off. */
    attached: string[];
    /** Endpoints without a container that were force-disconnected. */
    disconnected: string[];
}

/**
 * The error a network removal ends with when the network could not be removed within the bound.
 * The benchmarks remove networks themselves (the compose peer, the stale-endpoint bench), so the
 * remedy is to remove it again, not a `pulumi destroy`.
 */
export function networkRemovalMessage(outcome: RemovalOutcome): string {
    const where = `network ${outcome.network} on engine ${outcome.engine}`;
    if (outcome.attached.length > 0) {
        return `${where} is still in use by container(s) ${outcome.attached.join(", ")}, which this stack did not ` +
            `remove: remove them or \`docker network disconnect ${outcome.network} <container>\`, then remove it again ` +
            `(\`docker network rm ${outcome.network}\`).`;
    }
    const disconnected = outcome.disconnected.length > 0
        ? `force-disconnected the stale endpoint(s) ${outcome.disconnected.join(", ")}, and `
        : "";
    return `${where} could not be removed: the engine says it "has active endpoints" although no container is ` +
        `on it; ${disconnected}it still refused after ${outcome.tries} tries over ${outcome.waitedSeconds.toFixed(0)} s. ` +
        "This is Docker's stale endpoint count (moby/moby#42119, #23302, #33156), which only an engine restart " +
        "recounts. Restart that engine (its containers stop; those with a restart policy start again): this " +
        "project's local engine with `kill $(cat /var/run/docker.pid)` then `bash scripts/docker-engine.sh`, an " +
        "extra host with `bash scripts/extra-hosts.sh stop-engine <name>` then `start <name>`, a systemd engine with " +
        "`systemctl restart docker`. Then remove it again (`docker network rm " + outcome.network + "`).";
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Removes a network (by id; `name` is for messages). A network already gone is removed. On "has
 * active endpoints": force-disconnects each endpoint the engine lists whose container no longer
 * exists, waits, and tries again, for `budgetMs` in all; then throws networkRemovalMessage.
 * Any other failure is thrown at once. Containers that exist are never disconnected: a network
 * still used by a live container is a fact to report, not an engine bug to work around.
 */
export async function removeNetwork(engine: EngineRef, id: string, name: string, options: NetworkRemovalOptions = {}): Promise<void> {
    const delays = retryDelays(options.budgetMs ?? 20_000, options.firstDelayMs, options.maxDelayMs);
    const started = Date.now();
    const disconnected = new Set<string>();
    let attached: string[] = [];
    for (let tries = 1; ; tries++) {
        const refused = await runDocker(engine, ["network", "rm", id]).then(() => undefined, (error: unknown) => error);
        if (refused === undefined || isMissing(refused)) {
            return;
        }
        if (!isActiveEndpoints(refused)) {
            throw refused;
        }
        if (tries > delays.length) {
            throw new Error(networkRemovalMessage({
                network: name, engine: engineLabel(engine), waitedSeconds: (Date.now() - started) / 1000,
                tries, attached, disconnected: [...disconnected].sort(),
            }));
        }
        const listed = await inspect(engine, "network", id, "{{json .Containers}}");
        if (listed === undefined) {
            return;
        }
        attached = [];
        const endpoints = parseEndpoints(listed);
        options.onRefused?.(tries, endpoints);
        await Promise.all(endpoints.map(async (endpoint) => {
            const container = endpoint.key.startsWith("ep-")
                ? undefined
                : await inspect(engine, "container", endpoint.key, "{{.Id}}");
            if (container !== undefined) {
                attached.push(endpoint.name);
                return;
            }
            // By endpoint name: with no container of that name, the engine deletes the endpoint itself.
            await runDocker(engine, ["network", "disconnect", "--force", id, endpoint.name])
                .then(() => disconnected.add(endpoint.name), () => undefined);
        }));
        attached.sort();
        await sleep(delays[tries - 1]);
    }
}
