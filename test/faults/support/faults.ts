import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { processesOnBackend } from "../../e2e/support/backend-processes";
import { changesOf, TestStack } from "../../e2e/support/lifecycle";
import { eventually } from "../../e2e/support/poll";
import { docker, repoRoot } from "../../e2e/support/toolchain";
import { oneShotLabel } from "../../../components/core/labels";

// What the fault suites share: the stack's
// containers as the engine shows them, the CLI run as a user runs it (so it can be interrupted),
// scripts/recover.sh, the engine restart, and the one-line report per fault.

/** A process's command line, as ps shows it. */
function commandLine(pid: number): string {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    } catch {
        return "(gone)";
    }
}

/** Every role container with the stack's label, running or not, with Docker's status line. */
export function containersOf(stack: string): { name: string; status: string }[] {
    // Not the one-shot steps' containers (the HDFS folders): they ran to their end, and are no role.
    return docker("ps", "-a", "--filter", `label=clusterlab.stack=${stack}`, "--format", `{{.Names}}\t{{.Status}}\t{{.Label "${oneShotLabel}"}}`)
        .split("\n").filter((line) => line !== "").map((line) => line.split("\t"))
        .filter(([, , oneShot]) => oneShot !== "true").map(([name, status]) => ({ name, status }));
}

/** Exactly `count` containers of the stack, each reported healthy by its own healthcheck. */
export function allHealthy(stack: string, count: number): boolean {
    const containers = containersOf(stack);
    return containers.length === count && containers.every((c) => c.status.includes("(healthy)"));
}

/** Docker's health status of one container: healthy, unhealthy, starting, or the state when it has none. */
export function healthOf(container: string): string {
    return docker("inspect", "--format", "{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}", container);
}

/**
 * Kills a container's process (SIGKILL, as the kernel's OOM killer or a crash) whose command line
 * matches `process`, waits for the engine's restart policy to start the container again, and
 * then watches it until healthy: whenever Docker says healthy, `truth` (the role really serving)
 * must hold. Returns the statuses seen, which must show more than "healthy".
 */
export async function crashAndWatch(stack: string, container: string, processLine: RegExp, truth: () => Promise<boolean> | boolean, seconds: number) {
    const restarts = () => Number(docker("inspect", "--format", "{{.RestartCount}}", container));
    const before = restarts();
    const line = docker("top", container, "-eo", "pid,args").split("\n").slice(1).find((l) => processLine.test(l));
    assert.ok(line, `no process matching ${processLine} in ${container}`);
    process.kill(Number(line.trim().split(/\s+/)[0]), "SIGKILL");
    // Until the engine has seen the death, its status may still say healthy: not a lie yet.
    await eventually(`${container} restarted by its restart policy`, 60, () => restarts() > before);
    const seen = new Set<string>();
    await eventually(`${container} healthy again`, seconds, async () => {
        const status = containersOf(stack).find((c) => c.name === container)?.status ?? "(gone)";
        const healthy = status.includes("(healthy)");
        seen.add(healthy ? "healthy" : status.replace(/^Up .*\(/, "Up (").replace(/\d+ \w+ ago/, "…"));
        if (healthy) {
            assert.ok(await truth(), `${container} reported healthy while it does not serve: ${status}`);
        }
        return healthy;
    });
    assert.ok(seen.size > 1, `the healthcheck never reported the crash: ${[...seen].join("; ")}`);
    return [...seen];
}

/** The CLI on the test stack, as a user runs it, so a test can interrupt it. */
export function pulumiCli(stack: TestStack, args: string[]): ChildProcess {
    return spawn("pulumi", [...args, "--stack", stack.name, "--non-interactive"], {
        cwd: repoRoot, env: { ...process.env, ...stack.env }, stdio: ["ignore", "pipe", "pipe"], detached: true,
    });
}

/** The child's exit code and everything it printed. */
export function exited(child: ChildProcess): Promise<{ code: number | null; output: string }> {
    let output = "";
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    return new Promise((resolve) => child.on("close", (code) => resolve({ code, output })));
}

/**
 * Interrupts an `up` of the stack once `when` holds: SIGINT to the CLI, as Ctrl-C; SIGKILL to its
 * whole process group, as a crash of the machine's session. Then runs scripts/recover.sh, as the
 * README tells a user to, and returns what the interrupted up and recover.sh printed.
 */
export async function interruptUpAndRecover(stack: TestStack, signal: "SIGINT" | "SIGKILL", what: string, when: () => boolean) {
    const cli = pulumiCli(stack, ["up", "--yes", "--skip-preview"]);
    const done = exited(cli);
    await eventually(what, 300, when);
    process.kill(signal === "SIGINT" ? cli.pid! : -cli.pid!, signal);
    const interrupted = await done;
    assert.notStrictEqual(interrupted.code, 0, interrupted.output);
    const recover = await exited(spawn("bash", [path.join(repoRoot, "scripts", "recover.sh"), stack.name], {
        cwd: repoRoot, env: { ...process.env, ...stack.env }, stdio: ["ignore", "pipe", "pipe"],
    }));
    assert.strictEqual(recover.code, 0, recover.output);
    for (const line of recover.output.split("\n").filter((l) => /^(recover|stop-orphan-providers):/.test(l))) {
        console.log(`      ${line}`);
    }
    // What the cut-short pulumi left running (its docker provider, language host, program) is gone.
    const left = processesOnBackend(stack.backendDir).map((pid) => `${pid} ${commandLine(pid)}`);
    assert.deepStrictEqual(left, [], `recover.sh left processes of the interrupted up running:\n${left.join("\n")}`);
    const pending = /(\d+) pending/.exec(interrupted.output);
    console.log(`      the interrupted up exited with ${interrupted.code ?? signal}${pending ? `, ${pending[0]} operations` : ""}`);
    return { interrupted, recover };
}

/**
 * Two `up` at once on the stack: the second must be refused by the file backend's lock while the
 * first holds it. Returns once both ended; the first must have succeeded.
 */
export async function twoUpsAtOnce(stack: TestStack): Promise<void> {
    const first = pulumiCli(stack, ["up", "--yes", "--skip-preview"]);
    const firstDone = exited(first);
    const lockDir = path.join(stack.backendDir, ".pulumi", "locks");
    await eventually("the first up holds the lock", 60, () => fs.existsSync(lockDir) &&
        fs.readdirSync(lockDir, { recursive: true }).some((file) => String(file).endsWith(".json")));
    const second = await exited(pulumiCli(stack, ["up", "--yes", "--skip-preview"]));
    assert.notStrictEqual(second.code, 0, second.output);
    assert.match(second.output, /currently locked/);
    const firstResult = await firstDone;
    assert.strictEqual(firstResult.code, 0, firstResult.output);
}

/**
 * Stops the main Docker engine and starts it again with scripts/docker-engine.sh. Breaks every
 * other run on the engine: only the lead runs these tests (`--grep "engine restarted"`).
 */
export async function restartEngine(): Promise<void> {
    const pid = Number(fs.readFileSync("/var/run/docker.pid", "utf8").trim());
    process.kill(pid, "SIGTERM");
    await eventually("dockerd stopped", 60, () => !fs.existsSync(`/proc/${pid}`));
    const engine = spawn("bash", [path.join(repoRoot, "scripts", "docker-engine.sh")], { stdio: "inherit" });
    assert.strictEqual((await exited(engine)).code, 0);
}

/** One line per fault, for the issue's note: time from the fault to a cluster doing its job, and what up changed. */
export function report(kind: string, fault: string, started: number, changes: string): void {
    console.log(`      ${kind} | ${fault} | ${((Date.now() - started) / 1000).toFixed(1)}s from fault to working again | ${changes}`);
}

/** `{ create: 1, replace: 2 }` as `create 1, replace 2`, or `nothing` when empty. */
export function describeChanges(changes: Record<string, number>): string {
    const entries = Object.entries(changes);
    return entries.length === 0 ? "nothing" : entries.map(([op, count]) => `${op} ${count}`).join(", ");
}

/** What a repair must show, as changesOf counts it: refresh's drift, and what up changed. */
export type Changes = Record<string, number>;

/**
 * The fault suites' round: the fault done by hand (`inflict`, with whatever it checks meanwhile),
 * then what a user runs: `refresh` must report exactly the expected drift and `up` must change
 * exactly the expected resources; `works` waits until the cluster does its job again (and checks
 * whatever else the test wants of it). One report line: the time from the fault, and both changes.
 */
export async function repairAfter(stack: TestStack, kind: string, fault: string, steps: {
    inflict: () => unknown;
    refresh: Changes;
    up: Changes;
    works: () => void | Promise<void>;
    /** Said after the changes in the report line. */
    note?: string;
}): Promise<void> {
    const started = Date.now();
    await steps.inflict();
    const refresh = changesOf((await stack.refresh()).summary.resourceChanges);
    assert.deepStrictEqual(refresh, steps.refresh);
    const up = changesOf((await stack.up()).summary.resourceChanges);
    assert.deepStrictEqual(up, steps.up);
    await steps.works();
    report(kind, fault, started, `refresh: ${describeChanges(refresh)}; up: ${describeChanges(up)}${steps.note === undefined ? "" : ` ${steps.note}`}`);
}

/**
 * A container stopped by hand (`docker stop`): it exits and its healthcheck says unhealthy (then
 * `meanwhile` checks what else must notice), refresh reports one update (stopped), up one update
 * that starts the same container again, and `works` holds.
 */
export async function stoppedByHand(stack: TestStack, kind: string, fault: string, container: string,
    steps: {
        meanwhile?: () => void | Promise<void>; works: () => void | Promise<void>; madeAnew?: boolean;
        /** What `up` makes anew besides the container, where a step follows it (EDM's upstream step follows a worker API). */
        alsoReplaced?: number;
    }): Promise<void> {
    const id = docker("inspect", "--format", "{{.Id}}", container);
    await repairAfter(stack, kind, fault, {
        inflict: async () => {
            docker("stop", container);
            assert.strictEqual(docker("inspect", "--format", "{{.State.Status}}", container), "exited");
            assert.strictEqual(healthOf(container), "unhealthy", "a stopped container is not reported healthy");
            assert.doesNotMatch(containersOf(stack.name).find((c) => c.name === container)!.status, /healthy/);
            await steps.meanwhile?.();
        },
        refresh: { update: 1 },
        up: steps.madeAnew
            ? { replace: 1 + (steps.alsoReplaced ?? 0) }
            : { update: 1, ...(steps.alsoReplaced === undefined ? {} : { replace: steps.alsoReplaced }) },
        works: async () => {
            if (steps.madeAnew) {
                assert.notStrictEqual(docker("inspect", "--format", "{{.Id}}", container), id, "a new container, under the same name");
            } else {
                assert.strictEqual(docker("inspect", "--format", "{{.Id}}", container), id, "the same container, started again");
            }
            await steps.works();
        },
        note: steps.madeAnew ? "(made anew)" : "(started in place)",
    });
}

/**
 * Every container of the stack stopped and the cluster network removed: refresh reports the
 * network gone and each container updated (stopped, cut off); up must change
 * `up` and attach every container to the network again; then `works` holds.
 */
export async function networkRemovedWhileStopped(stack: TestStack, kind: string, network: string,
    steps: { containers: number; up: Changes; works: () => void | Promise<void> }): Promise<void> {
    const all = containersOf(stack.name).map((c) => c.name);
    assert.strictEqual(all.length, steps.containers);
    await repairAfter(stack, kind, "network removed (containers stopped)", {
        inflict: () => {
            docker("stop", ...all);
            docker("network", "rm", network);
        },
        refresh: { delete: 1, update: steps.containers },
        up: steps.up,
        works: async () => {
            assert.deepStrictEqual(docker("network", "inspect", "-f", "{{range .Containers}}{{.Name}} {{end}}", network)
                .split(" ").filter((n) => n !== "").sort(), [...all].sort());
            await steps.works();
        },
    });
}
