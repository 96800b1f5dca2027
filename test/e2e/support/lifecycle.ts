import * as automation from "@pulumi/pulumi/automation";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { newSecretSeed } from "../../../components/core/derived-secrets";
import { compiledPolicyPack, policyPackConfigOf } from "../../../review/policy-pack";
import { stopProcessesOnBackend } from "./backend-processes";
import { record } from "./run-records";
import { docker, prepareToolchain, repoRoot } from "./toolchain";

/** The project's policy pack compiled, as `npm run up` runs it (review/policy-pack.ts). */
export const policyPack = compiledPolicyPack;

/** Containers, networks and volumes that carry a stack's label: what destroy must leave at zero. */
export function labelledLeftovers(stack: string): string[] {
    const filter = `label=clusterlab.stack=${stack}`;
    return [
        ...docker("ps", "-a", "--filter", filter, "--format", "container {{.Names}}").split("\n"),
        ...docker("network", "ls", "--filter", filter, "--format", "network {{.Name}}").split("\n"),
        ...docker("volume", "ls", "--filter", filter, "--format", "volume {{.Name}}").split("\n"),
    ].filter((line) => line !== "");
}

/** Unlabelled volumes no container uses: an anonymous volume left by a removed container shows up here. */
export function danglingVolumes(): Set<string> {
    const list = (...filters: string[]) => docker("volume", "ls", "-q", "--filter", "dangling=true", ...filters).split("\n").filter((v) => v !== "");
    // Volumes with a stack's label are each stack's own leak check (labelledLeftovers); left out
    // here, so another suite tearing down on the same engine is not taken for this one's leak.
    const labelled = new Set(list("--filter", "label=clusterlab.stack"));
    return new Set(list().filter((volume) => !labelled.has(volume)));
}

/** The last log lines of every unhealthy or stopped container of a stack, for a failure report. */
export function diagnoseContainers(stack: string): string {
    const rows = docker("ps", "-a", "--filter", `label=clusterlab.stack=${stack}`, "--format", "{{.Names}}\t{{.Status}}");
    const reports = [`containers of stack ${stack}:\n${rows || "(none)"}`];
    for (const row of rows.split("\n").filter((r) => r !== "")) {
        const [name, status] = row.split("\t");
        if (!/\(healthy\)/.test(status)) {
            let logs: string;
            try {
                logs = docker("logs", "--tail", "30", name);
            } catch (error) {
                logs = String((error as { stderr?: string }).stderr ?? error);
            }
            reports.push(`--- ${name} (${status}), last log lines:\n${logs}`);
        }
    }
    return reports.join("\n");
}

/**
 * Destroys what a test stack left and removes the stack; a failure is reported, not thrown, so
 * cleanup after a failed test goes on. Then stops what still runs on its backend: plugins an
 * interrupted `up` left (they would otherwise outlive the run with parent 1).
 */
export async function destroyAndRemove(stack: automation.Stack, backendDir: string): Promise<void> {
    try {
        await stack.destroy();
        await stack.workspace.removeStack(stack.name);
    } catch (error) {
        console.error(`cleanup of ${stack.name} failed: ${(error as Error).message}`);
    }
    const stopped = stopProcessesOnBackend(backendDir);
    if (stopped.length > 0) {
        console.log(`      cleanup of ${stack.name}: stopped ${stopped.length} process(es) an interrupted pulumi left: ${stopped.join(" ")}`);
    }
}

/**
 * A stack of the project's own program on a throwaway file backend, with a unique name so
 * runs never collide with the local stack or with each other.
 */
export class TestStack {
    public readonly name: string;
    /** The throwaway file backend's folder. */
    public readonly backendDir: string;
    /** What the CLI needs to work on this stack: its backend and passphrase. */
    public readonly env: Record<string, string>;
    private stack?: automation.Stack;
    /** The pack config its updates run the policy pack with: a stack over servers is not a local one. */
    private packConfig?: string;
    /** Forgets the record that lets a later run reap this stack should this run be killed. */
    private releaseRecord = () => {};

    constructor(kind: string, prefix = "e2e") {
        this.name = `${prefix}-${kind}-${crypto.randomBytes(3).toString("hex")}`;
        this.backendDir = fs.mkdtempSync(path.join(os.tmpdir(), `clusterlab-${prefix}-`));
        this.env = {
            PULUMI_BACKEND_URL: `file://${this.backendDir}`,
            PULUMI_CONFIG_PASSPHRASE: crypto.randomBytes(16).toString("hex"),
        };
    }

    async init(clusters: Record<string, unknown>): Promise<void> {
        this.recordOwnership();
        this.stack = await automation.LocalWorkspace.createOrSelectStack({ stackName: this.name, workDir: repoRoot }, {
            envVars: this.env,
        });
        await this.setSecretSeed();
        await this.setClusters(clusters);
    }

    /**
     * Creates the stack on a copy of a shipped stack (`stacks/presets/<file>.yaml` as
     * `stacks/Pulumi.<this stack>.yaml`, gitignored), its config as written: the CLI reads it
     * the way `npm run up <file>` has it read its own copy. The copy goes with `dispose()`.
     */
    async initFromStackFile(file: string): Promise<void> {
        this.recordOwnership();
        const stacks = path.join(repoRoot, "stacks");
        fs.copyFileSync(path.join(stacks, "presets", `${file}.yaml`), this.stackFilePath());
        this.packConfig = policyPackConfigOf(file);
        this.stack = await automation.LocalWorkspace.createOrSelectStack({ stackName: this.name, workDir: repoRoot }, {
            envVars: this.env,
        });
        await this.setSecretSeed();
    }

    /** The stack's `clusterlab:secretSeed`, random, as `npm run up` makes it on first use. */
    private async setSecretSeed(): Promise<void> {
        await this.workspaceStack().setConfig("clusterlab:secretSeed", { value: newSecretSeed(), secret: true });
    }

    /** Before anything of the stack exists: a run killed from here on leaves it to the next run's reaper. */
    private recordOwnership(): void {
        this.releaseRecord = record(this.name, { kind: "stack", stack: this.name, backendDir: this.backendDir, stackFile: this.stackFilePath() });
    }

    /** Where the CLI keeps this stack's config: `stacks/Pulumi.<name>.yaml` (the project's stackConfigDir). */
    stackFilePath(): string {
        return path.join(repoRoot, "stacks", `Pulumi.${this.name}.yaml`);
    }

    async setClusters(clusters: Record<string, unknown>, bindAddress = "127.0.0.1"): Promise<void> {
        await this.workspaceStack().setAllConfig({
            "clusterlab:hosts": { value: JSON.stringify({ local: { bindAddress } }) },
            "clusterlab:clusters": { value: JSON.stringify(clusters) },
        });
    }

    /**
     * Sets the stack's hosts and clusters at once: what a multi-server stack file holds. Its
     * updates then run the pack with the multi-server stack file's pack config.
     */
    async setStackConfig(hosts: Record<string, unknown>, clusters: Record<string, unknown>): Promise<void> {
        this.packConfig = policyPackConfigOf("multi-server");
        await this.workspaceStack().setAllConfig({
            "clusterlab:hosts": { value: JSON.stringify(hosts), secret: true },
            "clusterlab:clusters": { value: JSON.stringify(clusters) },
        });
    }

    preview(opts: automation.PreviewOptions = {}) {
        return this.withDiagnostics("preview", () => this.workspaceStack().preview({ diff: true, ...opts }));
    }

    /** The policy pack and its config for this stack, as `scripts/up.sh` runs them. */
    policyOptions(): { policyPacks: string[]; policyPackConfigs?: string[] } {
        return { policyPacks: [policyPack()], ...(this.packConfig === undefined ? {} : { policyPackConfigs: [this.packConfig] }) };
    }

    /** `up` with the policy pack, as `npm run up` runs it: a resource that breaks a mandatory rule is not made. */
    up() {
        return this.withDiagnostics("up", () => this.workspaceStack().up({ onOutput: progress, ...this.policyOptions() }));
    }

    refresh(opts: automation.RefreshOptions = {}) {
        return this.withDiagnostics("refresh", () => this.workspaceStack().refresh(opts));
    }

    destroy() {
        return this.withDiagnostics("destroy", () => this.workspaceStack().destroy({ onOutput: progress }));
    }

    /** The types of the resources in the stack's state (none before its first `up`). */
    async stateResourceTypes(): Promise<string[]> {
        const deployment = await this.workspaceStack().exportStack();
        return (deployment.deployment?.resources ?? []).map((r: { type: string }) => r.type);
    }

    async outputs(): Promise<Record<string, any>> {
        const outputs = await this.workspaceStack().outputs();
        return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value]));
    }

    /** Destroys whatever is left and removes the stack and its backend; safe after a failure. */
    async dispose(): Promise<void> {
        if (this.stack !== undefined) {
            await destroyAndRemove(this.stack, this.backendDir);
        }
        fs.rmSync(this.backendDir, { recursive: true, force: true });
        fs.rmSync(this.stackFilePath(), { force: true });
        this.releaseRecord();
    }

    private workspaceStack(): automation.Stack {
        if (this.stack === undefined) {
            throw new Error("TestStack.init was not called");
        }
        return this.stack;
    }

    private async withDiagnostics<T>(operation: string, run: () => Promise<T>): Promise<T> {
        try {
            return await run();
        } catch (error) {
            const diagnostics = diagnoseContainers(this.name);
            throw new Error(`pulumi ${operation} of ${this.name} failed:\n${(error as Error).message}\n\n${diagnostics}`, { cause: error });
        }
    }
}

/** The engine's own progress lines, indented under the test's title, when E2E_VERBOSE is set. */
function progress(line: string): void {
    if (process.env.E2E_VERBOSE) {
        process.stdout.write(`      ${line}`);
    }
}

/** Resource operation counts, without the `same` entries, for asserting what an update did. */
export function changesOf(summary: Record<string, number> | undefined): Record<string, number> {
    return Object.fromEntries(Object.entries(summary ?? {}).filter(([op, count]) => op !== "same" && count > 0));
}

/**
 * One deployment per suite: registers the mocha hooks that set up the toolchain, make the
 * stack with `clusters`, and at the end destroy it and print the suite's time. A suite's
 * checks run against that one deployment; `danglingBefore()` is what to compare leaks with.
 */
export function suiteStack(title: string, kind: string, clusters: Record<string, unknown>, prefix = "e2e") {
    const stack = new TestStack(kind, prefix);
    let started = 0;
    let dangling = new Set<string>();
    before(async () => {
        started = Date.now();
        prepareToolchain();
        dangling = danglingVolumes();
        await stack.init(clusters);
    });
    after(async () => {
        await stack.dispose();
        console.log(`    suite ${title}: ${((Date.now() - started) / 1000).toFixed(1)}s`);
    });
    return { stack, danglingBefore: () => dangling };
}
