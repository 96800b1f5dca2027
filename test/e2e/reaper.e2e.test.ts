import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { labelledLeftovers } from "./support/lifecycle";
import { eventually } from "./support/poll";
import { processesOnBackend } from "./support/backend-processes";
import { reapNow } from "./support/reaper";
import { readRecords } from "./support/run-records";
import { docker, e2eOptOut, prepareToolchain, repoRoot } from "./support/toolchain";

const describeE2e = e2eOptOut ? describe.skip : describe;

// A test run killed with SIGKILL in the middle of an `up` (a CI timeout, a developer's kill -9):
// its `pulumi up` outlives it, holding ports, and its containers stay. The next run's reaper
// must leave nothing of it: no process, no Docker object, no backend, no record.
describeE2e("Reaper — a test run killed with SIGKILL mid-up leaves nothing for the next run (real engine, a one-node OarCluster)", function () {
    this.timeout(10 * 60 * 1000);
    before(() => prepareToolchain());

    it("reaper: the killed run's pulumi processes, containers, network, volumes, backend and stack file all go", async () => {
        const started = Date.now();
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "support", "abandoned-run.ts")],
            { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] });
        const run = await new Promise<{ stack: string; backendDir: string }>((resolve, reject) => {
            let out = "";
            child.stdout.on("data", (chunk: Buffer) => {
                out += chunk.toString("utf8");
                const line = out.split("\n").find((l) => l.startsWith("{"));
                if (line !== undefined) {
                    resolve(JSON.parse(line));
                }
            });
            child.on("exit", (code) => reject(new Error(`the run ended (${code}) before it said which stack it made:\n${out}`)));
        });
        await eventually("the killed run's first container", 300, () =>
            docker("ps", "-aq", "--filter", `label=clusterlab.stack=${run.stack}`) !== "");
        child.kill("SIGKILL");
        await new Promise((resolve) => child.once("exit", resolve));
        // What makes this a fault: the up goes on without its run.
        assert.ok(processesOnBackend(run.backendDir).length > 0, "the killed run's pulumi up still runs");
        assert.ok(readRecords().some(({ record }) => record.kind === "stack" && record.stack === run.stack));

        const done = reapNow();
        assert.ok(done.some((line) => line.startsWith(`stack ${run.stack} `)), done.join("\n"));
        assert.deepStrictEqual(processesOnBackend(run.backendDir), [], "its pulumi processes are gone");
        assert.deepStrictEqual(labelledLeftovers(run.stack), []);
        assert.ok(!fs.existsSync(run.backendDir), "its backend is gone");
        assert.ok(!fs.existsSync(path.join(repoRoot, "stacks", `Pulumi.${run.stack}.yaml`)));
        assert.ok(!readRecords().some(({ record }) => record.kind === "stack" && record.stack === run.stack), "its record is gone");
        console.log(`      reaper: killed mid-up and reaped in ${((Date.now() - started) / 1000).toFixed(1)}s: ${done.join("; ")}`);
    });
});
