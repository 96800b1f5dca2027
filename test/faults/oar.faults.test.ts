import * as assert from "assert";
import { changesOf, labelledLeftovers, TestStack } from "../e2e/support/lifecycle";
import { docker, e2eOptOut, prepareToolchain } from "../e2e/support/toolchain";

// OarCluster after faults on a real engine: refresh shows the drift, up repairs exactly it, and
// a job runs again. Times are from the fault to a cluster that runs a job.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function aliveNodes(server: string): string[] {
    const text = docker("exec", server, "oarnodes", "-s");
    return [...text.matchAll(/^(\S+)\n\s+\d+\s*:\s*Alive$/gm)].map((m) => m[1]).sort();
}

/** Submits a one-node job as the user and waits (bounded) until OAR ends it. */
async function jobTerminates(frontend: string): Promise<void> {
    const submitted = docker("exec", frontend, "su", "-", "user", "-c", "oarsub -l nodes=1 hostname");
    const id = /OAR_JOB_ID=(\d+)/.exec(submitted)?.[1];
    assert.ok(id, submitted);
    const deadline = Date.now() + 120_000;
    let state = "";
    while (state !== "Terminated" && state !== "Error" && Date.now() < deadline) {
        await sleep(1000);
        state = /state = (\w+)/.exec(docker("exec", frontend, "oarstat", "-fj", id))?.[1] ?? "";
    }
    assert.strictEqual(state, "Terminated");
}

const describeFaults = e2eOptOut ? describe.skip : describe;

describeFaults("OarCluster faults — real OAR 2.5.9 on a real engine: every fault converges again", function () {
    this.timeout(20 * 60 * 1000);
    const stack = new TestStack("oar", "faults");
    let names: Record<string, string>;
    let suiteStart = 0;

    before(async () => {
        suiteStart = Date.now();
        prepareToolchain();
        await stack.init({ oar: { kind: "oar", nodes: 2 } });
        await stack.up();
        names = (await stack.outputs()).clusters.oar.containerNames;
    });

    after(async () => {
        await stack.dispose();
        console.log(`    suite OarCluster faults: ${((Date.now() - suiteStart) / 1000).toFixed(1)}s`);
    });

    it("OarCluster, a node container removed by hand: up makes it and registers it anew, and it takes jobs", async () => {
        const started = Date.now();
        docker("rm", "--force", names.node1);
        const refresh = await stack.refresh();
        assert.deepStrictEqual(changesOf(refresh.summary.resourceChanges), { delete: 1 });
        const up = await stack.up();
        assert.deepStrictEqual(changesOf(up.summary.resourceChanges), { create: 1, replace: 1 });
        assert.deepStrictEqual(aliveNodes(names.server), ["node1", "node2"]);
        await jobTerminates(names.frontend);
        console.log(`      node removed: job-ready again ${((Date.now() - started) / 1000).toFixed(1)}s after the fault; refresh: 1 deleted; up: 1 created, 1 replaced (its registration)`);
    });

    it("OarCluster, the server container removed by hand: up makes it anew on its database volume, nodes still registered", async () => {
        const started = Date.now();
        docker("rm", "--force", names.server);
        const refresh = await stack.refresh();
        assert.deepStrictEqual(changesOf(refresh.summary.resourceChanges), { delete: 1 });
        const up = await stack.up();
        assert.deepStrictEqual(changesOf(up.summary.resourceChanges), { create: 1 });
        assert.deepStrictEqual(aliveNodes(names.server), ["node1", "node2"]);
        await jobTerminates(names.frontend);
        console.log(`      server removed: job-ready again ${((Date.now() - started) / 1000).toFixed(1)}s after the fault; refresh: 1 deleted; up: 1 created`);
    });

    it("OarCluster, destroy after a node and its registration's target were removed by hand: succeeds and leaves nothing labelled", async () => {
        docker("rm", "--force", names.node2);
        docker("rm", "--force", names.server);
        await stack.destroy();
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
    });
});
