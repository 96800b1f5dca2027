import * as assert from "assert";
import { changesOf, labelledLeftovers, suiteStack } from "../e2e/support/lifecycle";
import { aliveNodes, runJob } from "../e2e/support/oar";
import { docker, e2eOptOut } from "../e2e/support/toolchain";

// OarCluster after faults on a real engine: refresh shows the drift, up repairs exactly it, and
// a job runs again. Times are from the fault to a cluster that runs a job.

/** A one-node job submitted as the user ends Terminated: the cluster does its job. */
async function jobTerminates(frontend: string): Promise<void> {
    assert.strictEqual((await runJob(frontend, "nodes=1", "hostname")).state, "Terminated");
}

const describeFaults = e2eOptOut ? describe.skip : describe;

describeFaults("OarCluster faults — real OAR 2.5.9 on a real engine: every fault converges again", function () {
    this.timeout(20 * 60 * 1000);
    const { stack } = suiteStack("OarCluster faults", "oar", { oar: { kind: "oar", nodes: 2 } }, "faults");
    let names: Record<string, string>;

    before(async () => {
        await stack.up();
        names = (await stack.outputs()).clusters.oar.containerNames;
    });

    it("OarCluster, a node container removed by hand: up makes it anew, it joins OAR again by itself, and it takes jobs", async () => {
        const started = Date.now();
        docker("rm", "--force", names.node1);
        const refresh = await stack.refresh();
        assert.deepStrictEqual(changesOf(refresh.summary.resourceChanges), { delete: 1 });
        const up = await stack.up();
        assert.deepStrictEqual(changesOf(up.summary.resourceChanges), { create: 1 });
        assert.deepStrictEqual(aliveNodes(names.server), ["node1", "node2"]);
        await jobTerminates(names.frontend);
        console.log(`      node removed: job-ready again ${((Date.now() - started) / 1000).toFixed(1)}s after the fault; refresh: 1 deleted; up: 1 created`);
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

    it("OarCluster, destroy after a node and the server were removed by hand: succeeds and leaves nothing labelled", async () => {
        docker("rm", "--force", names.node2);
        docker("rm", "--force", names.server);
        await stack.destroy();
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
    });
});
