// Tries to make Docker 20.10's stale network endpoint happen on the real engine, and whether
// the network removal of the benchmarks' peer side (bench/lib/network-removal.ts; clusterlab's own
// networks ran it on delete before they became @pulumi/docker's) gets past it:
//
//   node -r ts-node/register/transpile-only bench/stale-endpoint.ts [--containers 50] [--rounds 10] [--like-clusterlab [--busy-health]] [--no-init]
//
// Each round: a network, N containers on it (debian:bookworm-slim, `sleep infinity` under
// --init), all removed at once the way clusterlab's containers are (`docker stop --time 10`,
// then `docker rm --volumes`), then one plain `docker network rm` the moment the last removal
// returned, as `pulumi destroy` does. When that is refused, what the engine lists on the network
// is printed and removeNetwork takes over, timed.
// Everything carries clusterlab.stress=1 and this run's clusterlab.stress.run; only that is
// cleaned up. A network that still cannot be removed is left (only an engine restart clears it,
// and that is not this script's to do) and named at the end.
import { isMissing, runDocker } from "../components/core/docker/cli";
import { isActiveEndpoints, ListedEndpoint, removeNetwork } from "./lib/network-removal";

function option(name: string, fallback: number): number {
    const at = process.argv.indexOf(`--${name}`);
    return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const containers = option("containers", 50);
const rounds = option("rounds", 10);
// --like-clusterlab: the flags clusterlab gives OAR's containers (as bench/lib/docker-create-args.ts renders them): hostname,
// network alias, restart policy, memory limit, healthcheck, and `create` then `start`.
const likeClusterlab = process.argv.includes("--like-clusterlab");
// --busy-health: a healthcheck exec always in flight (`sleep 1` every second), as when the bench's
// OAR containers were stopped mid-check ("Health check … cannot exec in a stopped state" in the log).
const healthCommand = process.argv.includes("--busy-health") ? ["--health-cmd", "sleep 1", "--health-interval", "1s"] : ["--health-cmd", "true", "--health-interval", "2s"];
// --no-init: `sleep` as PID 1 ignores SIGTERM, so every `docker stop` ends in a SIGKILL after 10 s.
const init = process.argv.includes("--no-init") ? [] : ["--init"];
const run = `${Date.now().toString(36)}`;
const labels = ["--label", "clusterlab.stress=1", "--label", `clusterlab.stress.run=${run}`];
const seconds = (from: number) => ((Date.now() - from) / 1000).toFixed(1);

interface Round {
    round: number;
    network: string;
    upSeconds: string;
    removeSeconds: string;
    /** What the first `docker network rm` said: "removed" or the engine's error. */
    first: string;
    /** Refusals seen by removeNetwork, with what the engine listed each time. */
    refusals: { tries: number; listed: string[] }[];
    /** "not needed", "cleared after X s", or the error it gave up with. */
    recovery: string;
}

async function oneRound(round: number): Promise<Round> {
    const network = `clab-stress-${run}-${round}`;
    await runDocker(undefined, ["network", "create", ...labels, network]);
    const names = Array.from({ length: containers }, (_, i) => `${network}-c${i}`);
    let started = Date.now();
    await Promise.all(names.map(async (name) => {
        const flags = likeClusterlab
            ? ["--hostname", name, "--network-alias", name, "--restart", "unless-stopped", "--memory", "64m",
                ...healthCommand, "--health-timeout", "5s", "--health-retries", "30"]
            : [];
        await runDocker(undefined, ["create", ...init, "--network", network, ...labels, ...flags, "--name", name,
            "debian:bookworm-slim", "sleep", "infinity"]);
        await runDocker(undefined, ["start", name]);
    }));
    const upSeconds = seconds(started);
    started = Date.now();
    await Promise.all(names.map(async (name) => {
        await runDocker(undefined, ["stop", "--time", "10", name]);
        await runDocker(undefined, ["rm", "--volumes", name]);
    }));
    const removeSeconds = seconds(started);
    const result: Round = { round, network, upSeconds, removeSeconds, first: "removed", refusals: [], recovery: "not needed" };
    try {
        await runDocker(undefined, ["network", "rm", network]);
        return result;
    } catch (error) {
        result.first = String((error as { stderr?: string }).stderr ?? error);
        if (!isActiveEndpoints(error)) {
            throw error;
        }
    }
    started = Date.now();
    try {
        await removeNetwork(undefined, network, network, {
            onRefused: (tries: number, listed: ListedEndpoint[]) => {
                result.refusals.push({ tries, listed: listed.map((endpoint) => `${endpoint.name} (${endpoint.key.slice(0, 12)})`) });
            },
        });
        result.recovery = `cleared after ${seconds(started)} s`;
    } catch (error) {
        result.recovery = (error as Error).message;
    }
    return result;
}

/** Removes what this run left, except networks the engine refuses (named by the caller). */
async function cleanUp(): Promise<string[]> {
    const filter = ["--filter", `label=clusterlab.stress.run=${run}`];
    const ids = (await runDocker(undefined, ["ps", "--all", "--quiet", ...filter])).split("\n").filter(Boolean);
    if (ids.length > 0) {
        await runDocker(undefined, ["rm", "--force", "--volumes", ...ids]);
    }
    const stuck: string[] = [];
    for (const name of (await runDocker(undefined, ["network", "ls", "--format", "{{.Name}}", ...filter])).split("\n").filter(Boolean)) {
        await runDocker(undefined, ["network", "rm", name]).catch((error: unknown) => {
            if (!isMissing(error)) {
                stuck.push(name);
            }
        });
    }
    return stuck;
}

async function main() {
    const version = await runDocker(undefined, ["version", "--format", "{{.Server.Version}}"]);
    console.log(`stale-endpoint: engine ${version}, ${rounds} rounds of ${containers} containers` +
        `${likeClusterlab ? " made like clusterlab's" : ""}${init.length === 0 ? " without --init" : ""}, run ${run}`);
    const results: Round[] = [];
    try {
        for (let round = 1; round <= rounds; round++) {
            const result = await oneRound(round);
            results.push(result);
            console.log(`round ${round}: up ${result.upSeconds} s, parallel stop+rm ${result.removeSeconds} s, ` +
                `network rm: ${result.first}${result.first === "removed" ? "" : `; recovery: ${result.recovery}`}`);
            for (const refusal of result.refusals) {
                console.log(`  refusal ${refusal.tries}: engine lists ${refusal.listed.length === 0 ? "nothing" : refusal.listed.join(", ")}`);
            }
        }
    } finally {
        const stuck = await cleanUp();
        const refused = results.filter((r) => r.first !== "removed");
        const cleared = refused.filter((r) => r.recovery.startsWith("cleared"));
        console.log(`stale-endpoint: ${refused.length}/${results.length} rounds refused the first network rm, ` +
            `${cleared.length} of them cleared by removeNetwork; left on the engine: ${stuck.length === 0 ? "nothing" : stuck.join(", ")}`);
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
