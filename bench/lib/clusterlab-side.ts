import { execFileSync } from "child_process";
import { changesOf, TestStack } from "../../test/e2e/support/lifecycle";
import { repoRoot } from "../../test/e2e/support/toolchain";
import { deployedGraph, DeployedGraph } from "./deployment";
import { timedPulumi } from "./timed-cli";

/** An OarCluster of `nodes` nodes as the project's own stack program declares it. */
export const oarClusters = (nodes: number) => ({ bench: { kind: "oar", nodes } });

/** One throwaway stack of the project's program, driven the way a user's `pulumi up` is. */
export class ClusterlabSide {
    readonly stack = new TestStack("oar", "bench");

    async init(nodes: number): Promise<void> {
        await this.stack.init(oarClusters(nodes));
    }

    async setNodes(nodes: number): Promise<void> {
        await this.stack.setClusters(oarClusters(nodes));
    }

    /**
     * `pulumi up --yes --skip-preview`, the CLI command as a user types it; its wall time in ms.
     * The CLI is timed, not the Automation API: that adds a `pulumi stack history` call to every
     * operation (for its summary), which a user never pays for. `lastChanges` reads what it did.
     */
    up(): Promise<number> {
        return this.timedCli(["up", "--yes", "--skip-preview"]);
    }

    /** `pulumi destroy --yes --skip-preview`, as a user types it; its wall time in ms. */
    destroy(): Promise<number> {
        return this.timedCli(["destroy", "--yes", "--skip-preview"]);
    }

    /** The resource operations of the stack's last update, without `same` (from its history). */
    lastChanges(): Record<string, number> {
        const history = JSON.parse(this.pulumi(["stack", "history", "--json", "--page-size", "1"])) as { resourceChanges?: Record<string, number> }[];
        return changesOf(history[0]?.resourceChanges);
    }

    serverContainer(): string {
        return JSON.parse(this.pulumi(["stack", "output", "--json", "clusters"])).bench.containerNames.server;
    }

    /** What was deployed, secrets included, read from the stack's state as `pulumi stack export` gives it. */
    deployed(): DeployedGraph {
        const exported = execFileSync("pulumi", ["stack", "export", "--show-secrets", "--stack", this.stack.name], {
            cwd: repoRoot, env: { ...process.env, ...this.stack.env }, encoding: "utf8", maxBuffer: 1 << 28,
        });
        return deployedGraph(JSON.parse(exported));
    }

    /**
     * The stack's state as `pulumi stack export` writes it: its size in bytes (what Pulumi
     * rewrites after every step) and how many provider-made resources it holds (each a step of
     * destroy: `@pulumi/docker`'s and clusterlab's dynamic ones; not components, not providers).
     */
    state(): { bytes: number; customResources: number } {
        const text = this.pulumi(["stack", "export"]);
        const resources = (JSON.parse(text) as { deployment: { resources?: { type: string }[] } }).deployment.resources ?? [];
        return { bytes: Buffer.byteLength(text), customResources: resources.filter((r) => isCustomResource(r.type)).length };
    }

    private pulumi(args: string[]): string {
        return execFileSync("pulumi", [...args, "--stack", this.stack.name], {
            cwd: repoRoot, env: { ...process.env, ...this.stack.env }, encoding: "utf8", maxBuffer: 1 << 28,
        });
    }

    private timedCli(args: string[]): Promise<number> {
        return timedPulumi([...args, "--stack", this.stack.name], { cwd: repoRoot, env: this.stack.env, what: "the project's program" });
    }

    async dispose(): Promise<void> {
        await this.stack.dispose();
    }
}

/** A resource a provider makes (a step of its own on destroy), by type: not a component, the stack or a provider. */
export function isCustomResource(type: string): boolean {
    return !type.startsWith("clusterlab:") && type !== "pulumi:pulumi:Stack" && !type.startsWith("pulumi:providers:");
}
