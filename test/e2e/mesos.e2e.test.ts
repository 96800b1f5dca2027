import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { PreviewEvent, summarizePreview } from "../../review/render";
import { changesOf, danglingVolumes, labelledLeftovers, policyPack, suiteStack } from "./support/lifecycle";
import { docker, e2eOptOut, repoRoot, shell } from "./support/toolchain";
import { agent, jobStatus, masterState as wraxlMasterState, waitForJob, wraxl as wraxlCluster } from "./support/wraxl";

const masterPort = 25050;
const wraxl = (agents: unknown[]) => wraxlCluster(agents, masterPort);
const masterState = () => wraxlMasterState(masterPort);

const describeE2e = e2eOptOut ? describe.skip : describe;

describeE2e("MesosCluster end to end — real zookeeper, redis, RQ scheduler and Docker; Mesos master/agents are the stand-in image (no real Mesos here)", function () {
    this.timeout(20 * 60 * 1000);
    const { stack, danglingBefore } = suiteStack("MesosCluster e2e", "mesos", wraxl([agent("agent1", { high: 1, low: 1, world: 1 })]));
    let outputs: Record<string, any>;

    it("MesosCluster: preview with the policy pack plans the network, five roles and their volumes, no violation", async () => {
        const preview = await stack.preview({ policyPacks: [policyPack()] });
        const changes = changesOf(preview.changeSummary);
        assert.deepStrictEqual(Object.keys(changes), ["create"], JSON.stringify(changes));
        assert.ok(changes.create >= 18, JSON.stringify(changes));
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
    });

    it("MesosCluster: the policy pack fails a preview that opens the master on every interface of a local stack", async () => {
        await stack.setClusters(wraxl([agent("agent1", { high: 1, low: 1, world: 1 })]), "0.0.0.0");
        await assert.rejects(stack.preview({ policyPacks: [policyPack()] }), (error: Error) => {
            assert.match(error.message, /loopback-ports-on-local-stacks/);
            assert.match(error.message, /container "wraxl-master" \(role master\) publishes port 25050 on 0\.0\.0\.0/);
            return true;
        });
        await stack.setClusters(wraxl([agent("agent1", { high: 1, low: 1, world: 1 })]));
    });

    it("MesosCluster: `npm run up` (scripts/up.sh) runs the policy pack, and a mandatory violation stops the update before any change", async () => {
        await stack.setClusters(wraxl([agent("agent1", { high: 1, low: 1, world: 1 })]), "0.0.0.0");
        try {
            const run = spawnSync("bash", [path.join(repoRoot, "scripts", "up.sh"), stack.name], {
                cwd: repoRoot, env: { ...process.env, ...stack.env }, encoding: "utf8", timeout: 10 * 60 * 1000,
            });
            assert.notStrictEqual(run.status, 0, `${run.stdout}\n${run.stderr}`);
            assert.match(run.stdout, /\[mandatory\]\s+loopback-ports-on-local-stacks/);
            assert.match(run.stdout, /container "wraxl-master" \(role master\) publishes port 25050 on 0\.0\.0\.0/);
            assert.deepStrictEqual(labelledLeftovers(stack.name), [], "nothing was made on the engine");
            assert.deepStrictEqual(await stack.stateResourceTypes(), [], "nothing is in the state");
        } finally {
            await stack.setClusters(wraxl([agent("agent1", { high: 1, low: 1, world: 1 })]));
        }
    });

    it("MesosCluster: up brings every role to healthy, in readiness order", async () => {
        const started = Date.now();
        const result = await stack.up();
        console.log(`      up: ${((Date.now() - started) / 1000).toFixed(1)}s`);
        assert.strictEqual(result.summary.result, "succeeded");
        outputs = (await stack.outputs()).clusters.wraxl;
        const statuses = docker("ps", "--filter", `label=clusterlab.stack=${stack.name}`, "--format", "{{.Names}} {{.Status}}")
            .split("\n").sort();
        assert.strictEqual(statuses.length, 5, statuses.join("\n"));
        for (const line of statuses) {
            assert.match(line, /\(healthy\)/, line);
        }
    });

    it("MesosCluster: the master, found through zookeeper by the agent, lists it with its custom resources and attributes", async () => {
        assert.strictEqual(outputs.masterUrl, `http://127.0.0.1:${masterPort}`);
        const state = await masterState();
        assert.strictEqual(state.cluster, "wraxl");
        const agents = state.slaves.filter((s: any) => s.active);
        assert.deepStrictEqual(agents.map((s: any) => s.hostname), ["agent1"]);
        assert.deepStrictEqual([agents[0].resources.high, agents[0].resources.low, agents[0].resources.world], [1, 1, 1]);
        assert.strictEqual(agents[0].attributes.location, "yow");
    });

    it("MesosCluster: a job enqueued with the output's command runs on the agent as the build user", async () => {
        const jobId = shell(outputs.enqueueCommand);
        assert.match(jobId, /^[0-9a-f-]{8,}$/);
        const job = await waitForJob(outputs.containerNames.scheduler, jobId, (s) => s === "finished" || s === "failed", 90);
        assert.strictEqual(job.status, "finished", JSON.stringify(job));
        assert.strictEqual(job.result.exit_code, 0);
        assert.match(job.result.stdout, /hello from wrlbuild/);
    });

    it("MesosCluster: a job on the high queue waits, since the scheduler starts jobs only on low and world", async () => {
        const scheduler = outputs.containerNames.scheduler;
        const enqueue = (queue: string) => shell(outputs.enqueueCommand.replace('Queue("wraxl_low"', `Queue("${queue}"`));
        const high = enqueue(outputs.queueNames.high);
        const low = enqueue(outputs.queueNames.low);
        assert.strictEqual((await waitForJob(scheduler, low, (s) => s === "finished", 90)).status, "finished");
        assert.strictEqual(jobStatus(scheduler, high).status, "queued");
    });

    it("MesosCluster: a second preview and a refresh report no changes", async () => {
        const preview = await stack.preview({ expectNoChanges: true });
        assert.deepStrictEqual(changesOf(preview.changeSummary), {});
        const refresh = await stack.refresh({ expectNoChanges: true });
        assert.deepStrictEqual(changesOf(refresh.summary.resourceChanges), {});
    });

    it("MesosCluster: the review of a one-agent edit lists exactly that agent's creates, and passes the policies", async () => {
        await stack.setClusters(wraxl([agent("agent1", { high: 1, low: 1, world: 1 }), agent("agent2", { high: 0, low: 2, world: 1 })]));
        const events: PreviewEvent[] = [];
        await stack.preview({ policyPacks: [policyPack()], onEvent: (event) => events.push(event as PreviewEvent) });
        const review = summarizePreview(stack.name, events);
        assert.strictEqual(review.failed, false);
        assert.deepStrictEqual([...review.clusters.keys()], ["wraxl (MesosCluster)"], JSON.stringify([...review.clusters.entries()]));
        assert.deepStrictEqual(review.clusters.get("wraxl (MesosCluster)")!.map((row) => `${row.op} ${row.name} ${row.type}`).sort(),
            ["create wraxl-agent2 Container", "create wraxl-agent2 Service", "create wraxl-agent2-work Volume"]);
    });

    it("MesosCluster: one more agent creates only that agent, which registers with the master", async () => {
        const result = await stack.up();
        // The agent's Service component, its work volume and its container; nothing else moves.
        assert.deepStrictEqual(changesOf(result.summary.resourceChanges), { create: 3 });
        const agents = (await masterState()).slaves.filter((s: any) => s.active).map((s: any) => s.hostname).sort();
        assert.deepStrictEqual(agents, ["agent1", "agent2"]);
    });

    it("MesosCluster: destroy leaves no container, network or volume with the stack's label", async () => {
        const started = Date.now();
        await stack.destroy();
        console.log(`      destroy: ${((Date.now() - started) / 1000).toFixed(1)}s`);
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
        assert.deepStrictEqual([...danglingVolumes()].filter((v) => !danglingBefore().has(v)), [], "no anonymous volume left behind");
    });
});
