import * as assert from "assert";
import { changesOf, labelledLeftovers, suiteStack } from "../e2e/support/lifecycle";
import { eventually } from "../e2e/support/poll";
import { docker, e2eOptOut } from "../e2e/support/toolchain";
import { activeAgents, agent, runsAJob, wraxl } from "../e2e/support/wraxl";
import { allHealthy, containersOf, interruptUpAndRecover, restartEngine, twoUpsAtOnce } from "./support/faults";

// Faults on a real engine, each followed by what a user would run: `refresh` to see the drift,
// `up` to repair exactly it, then the cluster's own job. Times are from the fault to a cluster
// that runs a job again.

const masterPort = 26050;
const oneAgent = () => wraxl([agent("agent1", { high: 1, low: 1, world: 1 })], masterPort);
const agents = (...names: string[]) => wraxl(names.map((name) => agent(name, { high: 0, low: 1, world: 1 })), masterPort);

function report(fault: string, started: number, changes: string): void {
    console.log(`      ${fault}: healthy and running jobs again ${((Date.now() - started) / 1000).toFixed(1)}s after the fault; ${changes}`);
}

const describeFaults = e2eOptOut ? describe.skip : describe;

describeFaults("MesosCluster faults — real engine, stand-in Mesos roles: every fault converges again", function () {
    this.timeout(20 * 60 * 1000);
    const { stack } = suiteStack("MesosCluster faults", "mesos", oneAgent(), "faults");
    let outputs: any;
    const container = (role: string) => `${stack.name}-wraxl-${role}`;

    before(async () => {
        await stack.up();
        outputs = (await stack.outputs()).clusters.wraxl;
    });

    it("MesosCluster, a container removed by hand: refresh reports it gone, up recreates only it", async () => {
        const started = Date.now();
        docker("rm", "--force", container("agent1"));
        const refresh = await stack.refresh();
        assert.deepStrictEqual(changesOf(refresh.summary.resourceChanges), { delete: 1 });
        const up = await stack.up();
        assert.deepStrictEqual(changesOf(up.summary.resourceChanges), { create: 1 });
        await eventually("agent1 registered again", 30, async () => (await activeAgents(masterPort)).includes("agent1"));
        await runsAJob(outputs);
        report("container removed", started, "refresh: 1 deleted; up: 1 created");
    });

    it("MesosCluster, a crashed process: the restart policy brings it back, refresh finds nothing to repair", async () => {
        const started = Date.now();
        const pid = docker("inspect", "--format", "{{.State.Pid}}", container("redis"));
        process.kill(Number(pid), "SIGKILL");
        await eventually("redis restarted", 60, () => docker("inspect", "--format", "{{.RestartCount}}", container("redis")) !== "0");
        await eventually("every role healthy", 60, () => allHealthy(stack.name, 5));
        const refresh = await stack.refresh({ expectNoChanges: true });
        assert.deepStrictEqual(changesOf(refresh.summary.resourceChanges), {});
        await runsAJob(outputs);
        report("process crash", started, "no refresh drift, no up needed");
    });

    it("MesosCluster, a container stopped by hand: refresh reports it stopped, up starts it in place", async () => {
        const started = Date.now();
        const id = docker("inspect", "--format", "{{.Id}}", container("agent1"));
        docker("stop", container("agent1"));
        const refresh = await stack.refresh();
        assert.deepStrictEqual(changesOf(refresh.summary.resourceChanges), { update: 1 });
        const up = await stack.up();
        assert.deepStrictEqual(changesOf(up.summary.resourceChanges), { update: 1 });
        assert.strictEqual(docker("inspect", "--format", "{{.Id}}", container("agent1")), id, "the same container, started again");
        await eventually("agent1 registered again", 30, async () => (await activeAgents(masterPort)).includes("agent1"));
        await runsAJob(outputs);
        report("container stopped", started, "refresh: 1 updated; up: 1 updated (started)");
    });

    it("MesosCluster, the cluster network removed while its containers were stopped: up restores the network and every attachment", async () => {
        const started = Date.now();
        const names = containersOf(stack.name).map((c) => c.name);
        docker("stop", ...names);
        docker("network", "rm", `${stack.name}-wraxl`);
        const refresh = await stack.refresh();
        assert.deepStrictEqual(changesOf(refresh.summary.resourceChanges), { delete: 1, update: 5 });
        const up = await stack.up();
        // The network, and each container made anew on it; volumes (zookeeper, redis, work dirs) stay.
        assert.deepStrictEqual(changesOf(up.summary.resourceChanges), { create: 1, replace: 5 });
        await eventually("agent1 registered again", 30, async () => (await activeAgents(masterPort)).includes("agent1"));
        await runsAJob(outputs);
        report("network removed", started, "refresh: network deleted, 5 containers drifted; up: 1 created, 5 replaced");
    });

    it("MesosCluster, the Docker engine restarted: the cluster comes back by itself", async () => {
        const started = Date.now();
        await restartEngine();
        await eventually("every role healthy", 120, () => allHealthy(stack.name, 5));
        await eventually("agent1 registered again", 30, async () => (await activeAgents(masterPort)).includes("agent1"));
        const refresh = await stack.refresh({ expectNoChanges: true });
        assert.deepStrictEqual(changesOf(refresh.summary.resourceChanges), {});
        await runsAJob(outputs);
        report("engine restart", started, "no refresh drift, no up needed");
    });

    it("MesosCluster, two `up` at once: the second is refused by the backend's lock, and nothing is corrupted", async () => {
        await stack.setClusters(agents("agent1", "agent2"));
        await twoUpsAtOnce(stack);
        const preview = await stack.preview({ expectNoChanges: true });
        assert.deepStrictEqual(changesOf(preview.changeSummary), {});
        assert.deepStrictEqual(await activeAgents(masterPort), ["agent1", "agent2"]);
    });

    for (const signal of ["SIGINT", "SIGKILL"] as const) {
        it(`MesosCluster, an up interrupted half-way by ${signal}: scripts/recover.sh and the next up finish the job`, async () => {
            const started = Date.now();
            const newAgent = signal === "SIGINT" ? "agent3" : "agent4";
            const before = await activeAgents(masterPort);
            await stack.setClusters(agents(...before, newAgent));
            await interruptUpAndRecover(stack, signal, `${newAgent}'s container being created`,
                () => containersOf(stack.name).some((c) => c.name === container(newAgent)));
            await stack.up();
            await eventually(`${newAgent} registered`, 60, async () => (await activeAgents(masterPort)).includes(newAgent));
            const preview = await stack.preview({ expectNoChanges: true });
            assert.deepStrictEqual(changesOf(preview.changeSummary), {});
            await runsAJob(outputs);
            report(`up interrupted by ${signal}`, started, `recover.sh, then up: ${newAgent} created`);
        });
    }

    it("MesosCluster, destroy after some resources were removed by hand: succeeds and leaves nothing labelled", async () => {
        docker("rm", "--force", container("agent1"));
        docker("volume", "rm", `${container("agent1")}-work`);
        docker("rm", "--force", container("scheduler"));
        await stack.destroy();
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
    });
});
