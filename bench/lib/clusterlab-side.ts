import { execFileSync } from "child_process";
import { changesOf, TestStack } from "../../test/e2e/support/lifecycle";
import { repoRoot } from "../../test/e2e/support/toolchain";
import { deployedGraph, DeployedGraph } from "./deployment";

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

    /** `pulumi up`, returning the resource operations it did (without `same`). */
    async up(): Promise<Record<string, number>> {
        const result = await this.stack.up();
        return changesOf(result.summary.resourceChanges);
    }

    async destroy(): Promise<void> {
        await this.stack.destroy();
    }

    async serverContainer(): Promise<string> {
        return (await this.stack.outputs()).clusters.bench.containerNames.server;
    }

    /** What was deployed, secrets included, read from the stack's state as `pulumi stack export` gives it. */
    deployed(): DeployedGraph {
        const exported = execFileSync("pulumi", ["stack", "export", "--show-secrets", "--stack", this.stack.name], {
            cwd: repoRoot, env: { ...process.env, ...this.stack.env }, encoding: "utf8", maxBuffer: 1 << 28,
        });
        return deployedGraph(JSON.parse(exported));
    }

    async dispose(): Promise<void> {
        await this.stack.dispose();
    }
}
