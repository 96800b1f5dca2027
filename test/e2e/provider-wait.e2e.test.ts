import * as docker from "@pulumi/docker";
import * as automation from "@pulumi/pulumi/automation";
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { labelledLeftovers } from "./support/lifecycle";
import { e2eOptOut, prepareToolchain } from "./support/toolchain";

const describeE2e = e2eOptOut ? describe.skip : describe;

/** Docker's healthcheck of both cases: it never passes, and says why on its output. */
const failingHealthcheck = { tests: ["CMD-SHELL", "echo not-ready-because-test; exit 1"], interval: "1s", retries: 2, startPeriod: "0s" };

/**
 * A throwaway stack of an inline program with one `docker.Container` (on an explicit provider for
 * the local engine), on a file backend of its own. `dispose()` destroys what is left and removes
 * the stack, its backend and the workspace folder.
 */
class ContainerStack {
    public readonly name = `e2e-wait-${crypto.randomBytes(3).toString("hex")}`;
    private readonly backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterlab-e2e-wait-"));
    private stack?: automation.Stack;

    constructor(private readonly container: (stackName: string) => Omit<docker.ContainerArgs, "labels">) {}

    /** The container's name: the stack's, so runs never collide. */
    containerName(role: string): string {
        return `${this.name}-${role}`;
    }

    async init(): Promise<void> {
        const program = async () => {
            const provider = new docker.Provider("local", { host: "unix:///var/run/docker.sock" });
            new docker.Container("container", {
                ...this.container(this.name),
                labels: [{ label: "clusterlab.stack", value: this.name }],
            }, { provider });
        };
        this.stack = await automation.LocalWorkspace.createOrSelectStack({ stackName: this.name, projectName: "clusterlab-provider-wait", program }, {
            projectSettings: { name: "clusterlab-provider-wait", runtime: "nodejs", backend: { url: `file://${this.backendDir}` } },
            envVars: { PULUMI_CONFIG_PASSPHRASE: crypto.randomBytes(16).toString("hex") },
        });
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

    async destroy(): Promise<number> {
        const started = Date.now();
        await this.workspaceStack().destroy();
        return (Date.now() - started) / 1000;
    }

    async dispose(): Promise<void> {
        if (this.stack !== undefined) {
            try {
                await this.stack.destroy();
                await this.stack.workspace.removeStack(this.name);
            } catch (error) {
                console.error(`cleanup of ${this.name} failed: ${(error as Error).message}`);
            }
            // The temporary folder the Automation API made for the inline program's Pulumi.yaml.
            fs.rmSync(this.stack.workspace.workDir, { recursive: true, force: true });
        }
        fs.rmSync(this.backendDir, { recursive: true, force: true });
    }

    private workspaceStack(): automation.Stack {
        if (this.stack === undefined) {
            throw new Error("ContainerStack.init was not called");
        }
        return this.stack;
    }
}

/** The wait's error as the CLI's diagnostics give it (its last mention, up to a blank line), for the test's output. */
function waitReport(message: string): string {
    const lines = message.split("\n");
    const first = lines.map((line) => line.includes("container failed to be in healthy state")).lastIndexOf(true);
    if (first < 0) {
        return message;
    }
    const end = lines.findIndex((line, i) => i > first && line.trim() === "");
    return lines.slice(first, end < 0 ? undefined : end).map((line) => `    ${line}`).join("\n");
}

describeE2e("docker.Container `wait` (our patch of pulumi-resource-docker) — real provider on a real engine", function () {
    this.timeout(10 * 60 * 1000);

    before(() => prepareToolchain());

    it("a container whose healthcheck turns unhealthy fails `up` within 30 s, not at its 120 s waitTimeout; the error names it and gives its state, last healthcheck output and log lines; destroy removes it", async () => {
        const marker = `provider-wait-started-${crypto.randomBytes(3).toString("hex")}`;
        const stack = new ContainerStack((stackName) => ({
            name: `${stackName}-unhealthy`,
            image: "debian:bookworm-slim",
            command: ["sh", "-c", `echo ${marker}; exec sleep 600`],
            init: true,
            healthcheck: failingHealthcheck,
            wait: true,
            waitTimeout: 120,
        }));
        try {
            await stack.init();
            const { message, seconds } = await stack.failingUp();
            console.log(`      up failed after ${seconds.toFixed(1)}s (waitTimeout 120 s):\n${waitReport(message)}`);
            assert.ok(seconds < 30, `up took ${seconds.toFixed(1)}s`);
            assert.match(message, /container failed to be in healthy state/);
            assert.ok(message.includes(`container "${stack.containerName("unhealthy")}"`), message);
            assert.match(message, /is unhealthy/);
            assert.match(message, /status running, exit code 0, restart count 0, health unhealthy/);
            assert.match(message, /not-ready-because-test/);
            assert.ok(message.includes(marker), message);
            // As before the patch: the container was made, so it stays in the state (and is destroyed with it).
            const containers = (await stack.stateResources()).filter((r) => r.type === "docker:index/container:Container");
            assert.strictEqual(containers.length, 1, JSON.stringify(containers));
            assert.deepStrictEqual(labelledLeftovers(stack.name), [`container ${stack.containerName("unhealthy")}`]);
            const destroySeconds = await stack.destroy();
            console.log(`      destroy: ${destroySeconds.toFixed(1)}s`);
            assert.deepStrictEqual(labelledLeftovers(stack.name), []);
        } finally {
            await stack.dispose();
        }
    });

    it("a container still starting at its waitTimeout (5 s; first healthcheck after a minute) fails `up` with upstream's text first, then its name, state and log lines", async () => {
        const marker = `provider-wait-slow-${crypto.randomBytes(3).toString("hex")}`;
        const stack = new ContainerStack((stackName) => ({
            name: `${stackName}-slow`,
            image: "debian:bookworm-slim",
            command: ["sh", "-c", `echo ${marker}; exec sleep 600`],
            init: true,
            healthcheck: { ...failingHealthcheck, interval: "1m0s" },
            wait: true,
            waitTimeout: 5,
        }));
        try {
            await stack.init();
            const { message, seconds } = await stack.failingUp();
            console.log(`      up failed after ${seconds.toFixed(1)}s (waitTimeout 5 s):\n${waitReport(message)}`);
            assert.ok(seconds >= 5 && seconds < 30, `up took ${seconds.toFixed(1)}s`);
            assert.match(message, /container failed to be in healthy state within wait_timeout \(5s\)/);
            assert.ok(message.includes(`container "${stack.containerName("slow")}"`), message);
            assert.match(message, /status running, exit code 0, restart count 0, health starting/);
            assert.match(message, /last healthcheck: none run yet/);
            assert.ok(message.includes(marker), message);
            await stack.destroy();
            assert.deepStrictEqual(labelledLeftovers(stack.name), []);
        } finally {
            await stack.dispose();
        }
    });

    it("a container that exits 3 at once (restart \"no\") fails `up` at once, with exit code 3 and its log line; destroy removes it", async () => {
        const marker = `provider-wait-exiting-${crypto.randomBytes(3).toString("hex")}`;
        const stack = new ContainerStack((stackName) => ({
            name: `${stackName}-exits`,
            image: "debian:bookworm-slim",
            command: ["sh", "-c", `echo ${marker}; exit 3`],
            restart: "no",
            healthcheck: failingHealthcheck,
            wait: true,
            waitTimeout: 120,
        }));
        try {
            await stack.init();
            const { message, seconds } = await stack.failingUp();
            console.log(`      up failed after ${seconds.toFixed(1)}s (waitTimeout 120 s):\n${waitReport(message)}`);
            assert.ok(seconds < 30, `up took ${seconds.toFixed(1)}s`);
            assert.match(message, /container failed to be in healthy state/);
            assert.ok(message.includes(`container "${stack.containerName("exits")}"`), message);
            assert.match(message, /is exited, neither running nor restarting/);
            assert.match(message, /status exited, exit code 3, restart count 0/);
            assert.ok(message.includes(marker), message);
            const containers = (await stack.stateResources()).filter((r) => r.type === "docker:index/container:Container");
            assert.strictEqual(containers.length, 1, JSON.stringify(containers));
            const destroySeconds = await stack.destroy();
            console.log(`      destroy: ${destroySeconds.toFixed(1)}s`);
            assert.deepStrictEqual(labelledLeftovers(stack.name), []);
        } finally {
            await stack.dispose();
        }
    });
});
