import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// What each live test run owns, recorded where the next run looks: one file per test stack and
// one for extra hosts a run started. A run killed before its cleanup (SIGKILL, a CI timeout)
// leaves its records behind with an owner that no longer runs; the reaper (reaper.ts) then
// removes what they name, as testcontainers' reaper does for its containers.

/** Machine-wide, not per checkout: a CI clone must find what an earlier clone's run left. */
export const runsDir = path.join(os.tmpdir(), "clusterlab-test-runs");

/** Who owns a record: a process, told apart from a later one with the same pid by its start time. */
export interface Owner {
    pid: number;
    /** `/proc/<pid>/stat`'s starttime (clock ticks since boot). */
    startTicks: string;
}

/** What a record names: a test stack with its backend and stack file, or the extra hosts. */
export type Owned =
    | { kind: "stack"; stack: string; backendDir: string; stackFile: string }
    | { kind: "extra-hosts" };

export type RunRecord = Owner & Owned;

/** A process's start time as /proc says it, or undefined when it is gone. Field 22, counted after the command's `)`. */
export function startTicksOf(pid: number): string | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    } catch {
        return undefined;
    }
}

/** This process, as the owner of what it records. */
export function thisProcess(): Owner {
    return { pid: process.pid, startTicks: startTicksOf(process.pid) ?? "" };
}

/** Whether the record's owner still runs (the same process, not a later one given its pid). */
export function ownerAlive(owner: Owner): boolean {
    return startTicksOf(owner.pid) === owner.startTicks;
}

function recordPath(name: string): string {
    return path.join(runsDir, `${name}.json`);
}

/** Records what this process owns under a name; returns the release that forgets it. */
export function record(name: string, what: Owned): () => void {
    fs.mkdirSync(runsDir, { recursive: true });
    fs.writeFileSync(recordPath(name), JSON.stringify({ ...thisProcess(), ...what }));
    return () => fs.rmSync(recordPath(name), { force: true });
}

/** Every record on the machine, by file. */
export function readRecords(): { file: string; record: RunRecord }[] {
    if (!fs.existsSync(runsDir)) {
        return [];
    }
    return fs.readdirSync(runsDir).filter((name) => name.endsWith(".json")).flatMap((name) => {
        const file = path.join(runsDir, name);
        try {
            return [{ file, record: JSON.parse(fs.readFileSync(file, "utf8")) as RunRecord }];
        } catch {
            return []; // being written by a live run
        }
    });
}
