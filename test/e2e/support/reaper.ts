import * as fs from "fs";
import { stopProcessesOnBackend } from "./backend-processes";
import { dockerOn, extraHostsUp, readExtraHosts, stopExtraHosts, testEngines } from "./extra-hosts";
import { ownerAlive, readRecords, RunRecord } from "./run-records";

// Removes what test runs that no longer exist left behind: each suite calls it before it makes
// anything, once per process, and `.ci/run` before the tests. For a stack whose owner is gone:
// its processes (a `pulumi up` outlives the mocha that started it, and holds ports), the Docker
// objects with its label on every engine, its backend and its stack file. Extra hosts a dead run
// started are stopped.

/** Each engine a test stack may have used: the local one, and the extra hosts' when they run. */
function engines(): string[] {
    return extraHostsUp() ? Object.values(testEngines(readExtraHosts())) : ["unix:///var/run/docker.sock"];
}

/** Containers (forced), networks and volumes with the stack's label on one engine. */
function removeLabelled(endpoint: string, stack: string): string[] {
    const filter = `label=clusterlab.stack=${stack}`;
    const list = (...args: string[]) => dockerOn(endpoint, ...args, "--filter", filter).split("\n").filter((line) => line !== "");
    const removed: string[] = [];
    for (const [kind, listing, remove] of [
        ["container", ["ps", "-aq"], ["rm", "--force", "--volumes"]],
        ["network", ["network", "ls", "-q"], ["network", "rm"]],
        ["volume", ["volume", "ls", "-q"], ["volume", "rm", "--force"]],
    ] as const) {
        const ids = list(...listing);
        if (ids.length > 0) {
            dockerOn(endpoint, ...remove, ...ids);
            removed.push(`${ids.length} ${kind}(s)`);
        }
    }
    return removed;
}

function reapStack(record: Extract<RunRecord, { kind: "stack" }>): string {
    // Gone before the objects are removed: a dying `up` must not make one after the removal.
    const killed = stopProcessesOnBackend(record.backendDir);
    const removed = engines().flatMap((endpoint) => {
        try {
            return removeLabelled(endpoint, record.stack);
        } catch (error) {
            return [`(${endpoint}: ${(error as Error).message.split("\n")[0]})`];
        }
    });
    fs.rmSync(record.backendDir, { recursive: true, force: true });
    fs.rmSync(record.stackFile, { force: true });
    return `stack ${record.stack} of pid ${record.pid}: ${killed.length} process(es) killed, ${removed.join(", ") || "no Docker object"} removed`;
}

let reaped = false;

/** Reaps every record whose owner is gone, once per process; returns what it did, one line each. */
export function reapAbandonedRuns(log: (line: string) => void = (line) => console.log(`      reaper: ${line}`)): string[] {
    if (reaped) {
        return [];
    }
    reaped = true;
    return reapNow(log);
}

/** Reaps every record whose owner is gone, now (a test's second look). */
export function reapNow(log: (line: string) => void = () => {}): string[] {
    const done: string[] = [];
    // Stacks first: their objects on the extra hosts go while those still run.
    const abandoned = readRecords().filter(({ record }) => !ownerAlive(record))
        .sort((a, b) => Number(a.record.kind === "extra-hosts") - Number(b.record.kind === "extra-hosts"));
    for (const { file, record } of abandoned) {
        if (record.kind === "stack") {
            done.push(reapStack(record));
        } else {
            if (extraHostsUp()) {
                stopExtraHosts();
            }
            done.push(`extra hosts started by pid ${record.pid}: stopped`);
        }
        fs.rmSync(file, { force: true });
    }
    done.forEach(log);
    return done;
}

if (require.main === module) {
    const done = reapAbandonedRuns((line) => console.log(`reaper: ${line}`));
    if (done.length === 0) {
        console.log("reaper: nothing left by an earlier run");
    }
}
