import * as docker from "@pulumi/docker";
import * as automation from "@pulumi/pulumi/automation";
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { destroyAndRemove, labelledLeftovers } from "./support/lifecycle";
import { record } from "./support/run-records";
import { e2eOptOut, prepareToolchain } from "./support/toolchain";

const describeE2e = e2eOptOut ? describe.skip : describe;

/** Docker's healthcheck of both cases: it never passes, and says why on its output. */
const failingHealthcheck = { tests: ["CMD-SHELL", "echo not-ready-because-test; exit 1"], interval: "1s", retries: 2, startPeriod: "0s" };

/** The suite's program: one docker.Container from the stack's `container` config. */
const program = path.join(__dirname, "programs", "one-container");

/**
 * A throwaway stack of the one-container program, on a file backend of its own and recorded for
 * the reaper (a killed run's container goes with the next run). `dispose()` destroys what is left
 * and removes the stack, its backend and its stack file.
 */
class ContainerStack {
    public readonly name = `e2e-wait-${crypto.randomBytes(3).toString("hex")}`;
    private readonly backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterlab-e2e-wait-"));
    private stack?: automation.Stack;
    private releaseRecord = () => {};

    constructor(private readonly container: (stackName: string) => Omit<docker.ContainerArgs, "labels">) {}

    /** The container's name: the stack's, so runs never collide. */
    containerName(role: string): string {
        return `${this.name}-${role}`;
    }

    /** Where the CLI keeps this stack's config: beside the program. */
    private readonly stackFile = path.join(program, `Pulumi.${this.name}.yaml`);

    async init(): Promise<void> {
        this.releaseRecord = record(this.name, { kind: "stack", stack: this.name, backendDir: this.backendDir, stackFile: this.stackFile });
        this.stack = await automation.LocalWorkspace.createOrSelectStack({ stackName: this.name, workDir: program }, {
            envVars: { PULUMI_BACKEND_URL: `file://${this.backendDir}`, PULUMI_CONFIG_PASSPHRASE: crypto.randomBytes(16).toString("hex") },
        });
        await this.stack.setConfig("container", { value: JSON.stringify(this.container(this.name)) });
    }

    /** Runs `up`, which must fail, and returns its error's text and how long it took. */
    async failingUp(): Promise<{ message: string; seconds: number }> {
        const started = Date.now();
        try {
            await this.workspaceStack().up();
        } catch (error) {
            return { message: (error as Error).message, seconds: (Date.now() - started) / 1000 };
        }
        assert.fail(`up of ${this.name} succeeded; it must fail`);
    }

    /** The types and ids of the resources in the stack's state. */
    async stateResources(): Promise<{ type: string; id?: string }[]> {
        const deployment = await this.workspaceStack().exportStack();
        return (deployment.deployment.resources ?? []).map((r: { type: string; id?: string }) => ({ type: r.type, id: r.id }));
    }

    /** Runs `up`, which must succeed, and returns how many resources it changed. */
    async up(): Promise<number> {
        const result = await this.workspaceStack().up();
        const changes = result.summary.resourceChanges ?? {};
        return Object.entries(changes).filter(([op]) => op !== "same").reduce((sum, [, count]) => sum + (count ?? 0), 0);
    }

    /** Runs `preview --refresh` (as a reviewer would) and returns what it would change, by operation. */
    async refreshedPreviewChanges(): Promise<Record<string, number>> {
        const result = await this.workspaceStack().preview({ refresh: true });
        return Object.fromEntries(Object.entries(result.changeSummary).filter(([op, count]) => op !== "same" && count > 0));
    }

    async destroy(): Promise<number> {
        const started = Date.now();
        await this.workspaceStack().destroy();
        return (Date.now() - started) / 1000;
    }

    async dispose(): Promise<void> {
        if (this.stack !== undefined) {
            await destroyAndRemove(this.stack, this.backendDir);
        }
        fs.rmSync(this.backendDir, { recursive: true, force: true });
        fs.rmSync(this.stackFile, { force: true });
        this.releaseRecord();
    }

    private workspaceStack(): automation.Stack {
        if (this.stack === undefined) {
            throw new Error("ContainerStack.init was not called");
        }
        return this.stack;
    }
}

/** The provider's error as the CLI's diagnostics give it (the last line with `phrase`, up to a blank line), for the test's output. */
function providerReport(message: string, phrase: string): string {
    const lines = message.split("\n");
    const first = lines.map((line) => line.includes(phrase)).lastIndexOf(true);
    if (first < 0) {
        return message;
    }
    const end = lines.findIndex((line, i) => i > first && line.trim() === "");
    return lines.slice(first, end < 0 ? undefined : end).map((line) => `    ${line}`).join("\n");
}

/** What one case's failing `up` left: its error, its time, and whether the container stayed in the state. */
interface FailedUp {
    message: string;
    seconds: number;
    containerName: string;
    containersInState: number;
    leftBeforeDestroy: string[];
}

/**
 * One case: a stack whose only container prints `marker` and runs `command`, an `up` that must
 * fail (its error printed), then a `destroy` that must leave nothing labelled. `check` judges the
 * failure before the stack goes.
 */
async function failingContainer(role: string, args: Omit<docker.ContainerArgs, "labels" | "name" | "image" | "command">,
    command: string, check: (failed: FailedUp, marker: string) => void, phrase = "container failed to be in healthy state"): Promise<void> {
    const marker = `provider-wait-${role}-${crypto.randomBytes(3).toString("hex")}`;
    const stack = new ContainerStack((stackName) => ({
        name: `${stackName}-${role}`,
        image: "debian:bookworm-slim",
        command: ["sh", "-c", `echo ${marker}; ${command}`],
        ...args,
    }));
    try {
        await stack.init();
        const { message, seconds } = await stack.failingUp();
        console.log(`      up failed after ${seconds.toFixed(1)}s (waitTimeout ${String(args.waitTimeout)} s):\n${providerReport(message, phrase)}`);
        const containersInState = (await stack.stateResources()).filter((r) => r.type === "docker:index/container:Container").length;
        check({ message, seconds, containerName: stack.containerName(role), containersInState, leftBeforeDestroy: labelledLeftovers(stack.name) }, marker);
        const destroySeconds = await stack.destroy();
        console.log(`      destroy: ${destroySeconds.toFixed(1)}s`);
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
    } finally {
        await stack.dispose();
    }
}

describeE2e("docker.Container `wait` and one-shot `attach` (our patches of pulumi-resource-docker) — real provider on a real engine", function () {
    this.timeout(10 * 60 * 1000);

    before(() => prepareToolchain());

    it("a container whose healthcheck turns unhealthy fails `up` within 30 s, not at its 120 s waitTimeout; the error names it and gives its state, last healthcheck output and log lines; destroy removes it", async () => {
        await failingContainer("unhealthy", { init: true, healthcheck: failingHealthcheck, wait: true, waitTimeout: 120 }, "exec sleep 600", (failed, marker) => {
            assert.ok(failed.seconds < 30, `up took ${failed.seconds.toFixed(1)}s`);
            assert.match(failed.message, /container failed to be in healthy state/);
            assert.ok(failed.message.includes(`container "${failed.containerName}"`), failed.message);
            assert.match(failed.message, /is unhealthy/);
            assert.match(failed.message, /status running, exit code 0, restart count 0, health unhealthy/);
            assert.match(failed.message, /not-ready-because-test/);
            assert.ok(failed.message.includes(marker), failed.message);
            // As before the patch: the container was made, so it stays in the state (and is destroyed with it).
            assert.strictEqual(failed.containersInState, 1);
            assert.deepStrictEqual(failed.leftBeforeDestroy, [`container ${failed.containerName}`]);
        });
    });

    it("a container still starting at its waitTimeout (5 s; first healthcheck after a minute) fails `up` with upstream's text first, then its name, state and log lines", async () => {
        await failingContainer("slow", { init: true, healthcheck: { ...failingHealthcheck, interval: "1m0s" }, wait: true, waitTimeout: 5 }, "exec sleep 600", (failed, marker) => {
            assert.ok(failed.seconds >= 5 && failed.seconds < 30, `up took ${failed.seconds.toFixed(1)}s`);
            assert.match(failed.message, /container failed to be in healthy state within wait_timeout \(5s\)/);
            assert.ok(failed.message.includes(`container "${failed.containerName}"`), failed.message);
            assert.match(failed.message, /status running, exit code 0, restart count 0, health starting/);
            assert.match(failed.message, /last healthcheck: none run yet/);
            assert.ok(failed.message.includes(marker), failed.message);
        });
    });

    it("a container that exits 3 at once (restart \"no\") fails `up` at once, with exit code 3 and its log line; destroy removes it", async () => {
        await failingContainer("exits", { restart: "no", healthcheck: failingHealthcheck, wait: true, waitTimeout: 120 }, "exit 3", (failed, marker) => {
            assert.ok(failed.seconds < 30, `up took ${failed.seconds.toFixed(1)}s`);
            assert.match(failed.message, /container failed to be in healthy state/);
            assert.ok(failed.message.includes(`container "${failed.containerName}"`), failed.message);
            assert.match(failed.message, /is exited, neither running nor restarting/);
            assert.match(failed.message, /status exited, exit code 3, restart count 0/);
            assert.ok(failed.message.includes(marker), failed.message);
            assert.strictEqual(failed.containersInState, 1);
        });
    });

    it("a one-shot container (attach) that exits 4 fails `up` when it ends (our patch; upstream reports success), with its name, the code and its log line; destroy removes it", async () => {
        await failingContainer("one-shot", { attach: true, logs: true, mustRun: false, restart: "no" }, "exit 4", (failed, marker) => {
            assert.ok(failed.seconds < 30, `up took ${failed.seconds.toFixed(1)}s`);
            assert.ok(failed.message.includes(`container "${failed.containerName}"`), failed.message);
            assert.match(failed.message, /exited with code 4/);
            assert.ok(failed.message.includes(marker), failed.message);
            // Made, then failed: it stays in the state, so the next `up` replaces it (Service's replaceOnChanges "#initerror").
            assert.strictEqual(failed.containersInState, 1);
        }, "exited with code");
    });

    it("a one-shot container (attach) that exits 0 is created once: a refreshed preview after `up` changes nothing, and a second `up` neither", async () => {
        const stack = new ContainerStack((stackName) => ({
            name: `${stackName}-one-shot-ok`, image: "debian:bookworm-slim", command: ["sh", "-c", "echo done"],
            attach: true, logs: true, mustRun: false, restart: "no",
        }));
        try {
            await stack.init();
            assert.strictEqual(await stack.up(), 3, "the stack, its provider and its container are created");
            assert.deepStrictEqual(await stack.refreshedPreviewChanges(), {});
            assert.strictEqual(await stack.up(), 0);
            await stack.destroy();
            assert.deepStrictEqual(labelledLeftovers(stack.name), []);
        } finally {
            await stack.dispose();
        }
    });
});
