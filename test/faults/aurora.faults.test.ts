import * as assert from "assert";
import { standinAurora, standinGet } from "../e2e/support/aurora";
import { changesOf, labelledLeftovers, suiteStack } from "../e2e/support/lifecycle";
import { eventually } from "../e2e/support/poll";
import { docker, e2eOptOut } from "../e2e/support/toolchain";
import {
    allHealthy, containersOf, crashAndWatch, describeChanges, interruptUpAndRecover, networkRemovedWhileStopped, repairAfter, report,
    restartEngine, stoppedByHand, twoUpsAtOnce,
} from "./support/faults";

// AuroraWithCustomExecutor after faults on a real engine: refresh shows the drift, up repairs
// exactly it, and the cluster does what the e2e suite checks: the scheduler (a STAND-IN) serves
// the rendered executor config and runs the stack's jobs, and sees every agent through the
// (stand-in) Mesos master it found in the real zookeeper. Times are from the fault to that.

const kind = "AuroraWithCustomExecutor";
const ports = { master: 25260, scheduler: 28181, observer: 21438 };

/** The e2e suite's cluster (stand-in images, the seed's executors and jobs), on ports of its own, with the named agents. */
const aurora = (agents: string[]) => standinAurora(ports, { agents });
const scheduler = (path: string) => standinGet(ports.scheduler, path);

async function answers(path: string): Promise<boolean> {
    try {
        return (await fetch(`http://127.0.0.1:${ports.scheduler}${path}`, { signal: AbortSignal.timeout(2000) })).ok;
    } catch {
        return false;
    }
}

/** The agents the scheduler sees active through the master, by name. */
async function activeAgents(): Promise<string[]> {
    try {
        const state = await scheduler("/standin/state");
        return state.agents.filter((a: any) => a.active).map((a: any) => a.hostname).sort();
    } catch {
        return [];
    }
}

const describeFaults = e2eOptOut ? describe.skip : describe;

describeFaults(`${kind} faults — real zookeeper and Docker, Mesos and Aurora STAND-INS: every fault converges again`, function () {
    this.timeout(20 * 60 * 1000);
    const { stack } = suiteStack(`${kind} faults`, "aurora", aurora(["agent1"]), "faults");
    let outputs: Record<string, any>;
    let names: Record<string, string>;
    let agents = ["agent1"];
    const container = (role: string) => `${stack.name}-aurora-${role}`;
    // zookeeper, master, scheduler, observer, the agents, and a keeper container per job (two).
    const roles = () => 4 + agents.length + 2;

    /** What the e2e suite checks of a working cluster: config, jobs on their executors, every agent seen. */
    async function doesItsJob(): Promise<void> {
        await eventually(`the scheduler sees ${agents.join(", ")} active`, 60, async () =>
            JSON.stringify(await activeAgents()) === JSON.stringify([...agents].sort()));
        assert.strictEqual(await scheduler("/standin/executor-config"), outputs.executorConfig);
        const jobs = await scheduler("/standin/jobs");
        assert.deepStrictEqual(jobs.map((j: any) => [j.key, j.executor, j.status]), [
            ["devcluster/vagrant/prod/docker-compose", "docker-compose-executor", "RUNNING"],
            ["devcluster/www-data/prod/hello", "AuroraExecutor", "RUNNING"],
        ]);
        assert.ok(allHealthy(stack.name, roles()), JSON.stringify(containersOf(stack.name)));
    }

    before(async () => {
        const started = Date.now();
        await stack.up();
        console.log(`      up: ${((Date.now() - started) / 1000).toFixed(1)}s`);
        outputs = (await stack.outputs()).clusters.aurora;
        names = outputs.containerNames;
        await doesItsJob();
    });

    it(`${kind}, the scheduler's container removed by hand: refresh reports it gone; up recreates only it, on its volume, and the jobs are still there`, async () => {
        const tasks = (await scheduler("/standin/jobs")).map((j: any) => j.task_ids[0]);
        await repairAfter(stack, kind, "scheduler container removed", {
            inflict: () => docker("rm", "--force", names.scheduler),
            refresh: { delete: 1 },
            // Only the container: the jobs live in the scheduler's native log (its volume), as in
            // Aurora, so the new scheduler has them and their create commands must not run again.
            up: { create: 1 },
            works: async () => {
                await doesItsJob();
                assert.deepStrictEqual((await scheduler("/standin/jobs")).map((j: any) => j.task_ids[0]), tasks, "the same tasks, not created anew");
            },
        });
    });

    it(`${kind}, an agent's container removed by hand: refresh reports it gone; up recreates only it and it registers with the master again`, () =>
        repairAfter(stack, kind, "agent container removed", {
            inflict: () => docker("rm", "--force", names.agent1), refresh: { delete: 1 }, up: { create: 1 }, works: doesItsJob,
        }));

    it(`${kind}, the master's container removed by hand: up recreates only it; the agents and the scheduler find the new one through zookeeper`, () =>
        repairAfter(stack, kind, "master container removed", {
            inflict: () => docker("rm", "--force", names.master), refresh: { delete: 1 }, up: { create: 1 }, works: doesItsJob,
        }));

    it(`${kind}, the scheduler's process crashed: the restart policy brings it back, its healthcheck never says healthy while it does not answer, refresh finds nothing to repair`, async () => {
        const started = Date.now();
        const seen = await crashAndWatch(stack.name, names.scheduler, /python3 .*aurora-scheduler/, () => answers("/health"), 120);
        assert.deepStrictEqual(changesOf((await stack.refresh({ expectNoChanges: true })).summary.resourceChanges), {});
        await doesItsJob();
        report(kind, "scheduler process crashed", started, `statuses seen: ${seen.join("; ")}; no refresh drift, no up needed`);
    });

    // @pulumi/docker's provider does not read the published ports of a stopped container back, and
    // ports are a container's identity: a container with published ports (the observer's UI) is
    // made anew by the next `up`, under the same name; one without is started in place (MesosCluster's agent).
    it(`${kind}, a container stopped by hand: its healthcheck no longer says healthy, refresh reports it stopped, up makes it anew (it publishes a port)`, () =>
        stoppedByHand(stack, kind, "observer container stopped", names.observer, { works: doesItsJob, madeAnew: true }));

    it(`${kind}, the cluster network removed while its containers were stopped: up restores the network and every attachment`, () =>
        networkRemovedWhileStopped(stack, kind, outputs.networkName, {
            containers: roles(),
            // The network, and each container made anew on it (volumes stay), the job keepers
            // too: stopped, they killed their jobs; made anew, they create them again.
            up: { create: 1, replace: roles() },
            works: doesItsJob,
        }));

    it(`${kind}, the Docker engine restarted: the cluster comes back by itself, with its jobs`, async () => {
        const started = Date.now();
        await restartEngine();
        await eventually("every role healthy", 180, () => allHealthy(stack.name, roles()));
        assert.deepStrictEqual(changesOf((await stack.refresh({ expectNoChanges: true })).summary.resourceChanges), {});
        await doesItsJob();
        report(kind, "engine restarted", started, "no refresh drift, no up needed");
    });

    it(`${kind}, two \`up\` at once: the second is refused by the backend's lock, and nothing is corrupted`, async () => {
        const started = Date.now();
        agents = ["agent1", "agent2"];
        await stack.setClusters(aurora(agents));
        await twoUpsAtOnce(stack);
        assert.deepStrictEqual(changesOf((await stack.preview({ expectNoChanges: true })).changeSummary), {});
        await doesItsJob();
        report(kind, "two ups at once", started, "second refused by the lock; first: agent2 created");
    });

    for (const signal of ["SIGINT", "SIGKILL"] as const) {
        it(`${kind}, an up interrupted half-way by ${signal}: scripts/recover.sh and the next up finish the job`, async () => {
            const started = Date.now();
            const newAgent = signal === "SIGINT" ? "agent3" : "agent4";
            agents = [...agents, newAgent];
            await stack.setClusters(aurora(agents));
            await interruptUpAndRecover(stack, signal, `${newAgent}'s container being created`,
                () => containersOf(stack.name).some((c) => c.name === container(newAgent)));
            const up = changesOf((await stack.up()).summary.resourceChanges);
            assert.deepStrictEqual(changesOf((await stack.preview({ expectNoChanges: true })).changeSummary), {});
            await doesItsJob();
            report(kind, `up interrupted by ${signal}`, started, `recover.sh, then up: ${describeChanges(up)}`);
        });
    }

    it(`${kind}, destroy after the scheduler, an agent and its volume were removed by hand: succeeds, leaves nothing labelled`, async () => {
        docker("rm", "--force", names.scheduler);
        docker("rm", "--force", names.agent1);
        docker("volume", "rm", `${names.agent1}-work`);
        await stack.destroy();
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
    });
});
