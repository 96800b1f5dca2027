import * as assert from "assert";
import { changesOf, danglingVolumes, labelledLeftovers, TestStack } from "./support/lifecycle";
import { borrowExtraHosts, dockerOn, ExtraHosts, labelledOn, localBridgeAddress, testEngines, tlsStackHosts } from "./support/extra-hosts";
import { eventually } from "./support/poll";
import { e2eOptOut, prepareToolchain } from "./support/toolchain";

const describeE2e = e2eOptOut ? describe.skip : describe;

const ports = { zookeeper: 42181, master: 45050, scheduler: 48081, observer: 41338, agent: 45051 };

/**
 * Zookeeper, the master, the scheduler and the observer on local; agent1 on host2, agent2 on
 * host3, both publishing one port number on their own hosts. One thermos job of two instances,
 * as root (the role reaches the agent's Docker socket): each task says where it runs, runs
 * docker-compose there and lists the containers of the engine the agent was given.
 */
const clusters = {
    aurora: {
        kind: "aurora",
        host: "local",
        zookeeper: { port: ports.zookeeper },
        master: { image: { build: "mesos-standin" }, port: ports.master },
        agentImage: { build: "mesos-standin" },
        scheduler: { image: { build: "aurora-scheduler-standin" }, port: ports.scheduler },
        observer: { port: ports.observer },
        agentHosts: ["host2", "host3"],
        agents: [
            { name: "agent1", port: ports.agent, resources: { mem: 256 } },
            { name: "agent2", port: ports.agent, resources: { mem: 256 } },
        ],
        jobs: [{
            name: "where", role: "root", instances: 2,
            processes: [
                { name: "where", cmdline: "echo \"agent=$(hostname)\"" },
                { name: "compose", cmdline: "echo \"compose=$(docker-compose version --short)\"" },
                { name: "engine", cmdline: "python3 -c 'import docker; print(\"containers=\" + \" \".join(sorted(c.name for c in docker.from_env().containers.list())))'" },
            ],
        }],
    },
};

describeE2e("AuroraWithCustomExecutor over three Docker engines (local, host2 tcp://, host3 tcp:// + TLS) — Mesos and the Aurora scheduler are STAND-INS; " +
    "agent1 on host2, agent2 on host3, the rest on local", function () {
    this.timeout(30 * 60 * 1000);
    const stack = new TestStack("aurora-multi", "e2e");
    let extra: ExtraHosts;
    let started = 0;
    let danglingBefore = new Set<string>();
    let outputs: Record<string, any>;
    const engine = () => testEngines(extra);
    const getJson = async (url: string): Promise<any> => {
        const response = await fetch(url);
        assert.strictEqual(response.status, 200, url);
        return response.json();
    };

    before(async () => {
        started = Date.now();
        prepareToolchain();
        extra = borrowExtraHosts();
        danglingBefore = danglingVolumes();
        await stack.init({});
        await stack.setStackConfig(tlsStackHosts(extra), clusters);
    });
    after(async () => {
        await stack.dispose();
        console.log(`    suite aurora multi-host e2e: ${((Date.now() - started) / 1000).toFixed(1)}s`);
    });

    it("AuroraWithCustomExecutor multi-host: up runs each agent on its host, healthy only once the master on local registered it at its host's address", async () => {
        const t = Date.now();
        await stack.up();
        console.log(`      up over three engines: ${((Date.now() - t) / 1000).toFixed(1)}s`);
        outputs = (await stack.outputs()).clusters.aurora;
        const s = stack.name;
        const on = (endpoint: string) => dockerOn(endpoint, "ps", "--filter", `label=clusterlab.stack=${s}`, "--format", "{{.Names}} {{.Status}}").split("\n").sort();
        const healthy = (endpoint: string) => on(endpoint).map((line) => {
            assert.match(line, /\(healthy\)/, line);
            return line.split(" ")[0];
        });
        // The job's keeper runs beside the scheduler.
        assert.deepStrictEqual(healthy(engine().local), ["job-root-prod-where", "master", "observer", "scheduler", "zookeeper"].map((r) => `${s}-aurora-${r}`));
        assert.deepStrictEqual(healthy(engine().host2), [`${s}-aurora-agent1`]);
        assert.deepStrictEqual(healthy(engine().host3), [`${s}-aurora-agent2`]);
        assert.strictEqual(outputs.masterUrl, `http://${localBridgeAddress}:${ports.master}`);
        const master = await getJson(`${outputs.masterUrl}/master/state`);
        assert.strictEqual(master.pid, `master@${localBridgeAddress}:${ports.master}`, "the master advertises local's address and published port");
        assert.deepStrictEqual(master.slaves.map((a: any) => [a.hostname, a.pid, a.active]).sort(), [
            ["agent1", `slave(1)@${extra.host2.address}:${ports.agent}`, true],
            ["agent2", `slave(1)@${extra.host3.address}:${ports.agent}`, true],
        ]);
        // The scheduler found that master through zookeeper and sees both agents.
        const state = await getJson(`${outputs.schedulerUrl}/standin/state`);
        assert.deepStrictEqual(state.agents.map((a: any) => [a.hostname, a.active]).sort(), [["agent1", true], ["agent2", true]]);
    });

    it("AuroraWithCustomExecutor multi-host: the job created through the scheduler stand-in's API runs a task on each remote agent, reached at its published port; docker-compose runs there against that host's engine", async () => {
        const key = "devcluster/root/prod/where";
        assert.deepStrictEqual(outputs.jobKeys, [key]);
        let job: any;
        await eventually("both tasks of the job ended", 120, async () => {
            job = (await getJson(`${outputs.schedulerUrl}/standin/jobs`)).find((j: any) => j.key === key);
            const placements = Object.values(job?.placements ?? {}) as any[];
            return placements.length === 2 && placements.every((p) => ["FINISHED", "FAILED", "LOST"].includes(p.state));
        });
        const s = stack.name;
        const byAgent = Object.fromEntries((Object.values(job.placements) as any[]).map((p) => [p.agent, p]));
        assert.deepStrictEqual(Object.keys(byAgent).sort(), ["agent1", "agent2"], "one task on each agent");
        for (const [agent, address] of [["agent1", extra.host2.address], ["agent2", extra.host3.address]]) {
            const task = byAgent[agent];
            assert.strictEqual(task.state, "FINISHED", JSON.stringify(task));
            assert.strictEqual(task.pid, `slave(1)@${address}:${ports.agent}`);
            const lines = task.stdout.trim().split("\n");
            assert.strictEqual(lines[0], `agent=${agent}`);
            assert.match(lines[1], /^compose=1\.29\./);
            // The engine the agent's socket reaches is its own host's: it runs that agent and nothing of local.
            assert.strictEqual(lines[2], `containers=${s}-aurora-${agent}`, `${agent} on its own host's engine`);
        }
        // The agent itself recorded the task in its sandbox, on its own host.
        const agent2 = JSON.parse(dockerOn(engine().host3, "exec", `${s}-aurora-agent2`, "curl", "-fsS", "http://127.0.0.1:5051/state"));
        const agent2Task = Object.keys(job.placements).find((id) => job.placements[id].agent === "agent2");
        assert.deepStrictEqual(agent2.tasks.map((t: any) => [t.id, t.state, t.user]), [[agent2Task, "TASK_FINISHED", "root"]]);
    });

    it("AuroraWithCustomExecutor multi-host: a second preview changes nothing on any host", async () => {
        assert.deepStrictEqual(changesOf((await stack.preview()).changeSummary), {});
    });

    it("AuroraWithCustomExecutor multi-host: destroy leaves nothing labelled on any of the three engines", async () => {
        const t = Date.now();
        await stack.destroy();
        console.log(`      destroy over three engines: ${((Date.now() - t) / 1000).toFixed(1)}s`);
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
        assert.deepStrictEqual(labelledOn(extra.host2.docker, stack.name), []);
        assert.deepStrictEqual(labelledOn(`unix://${extra.host3.socket}`, stack.name), []);
        // The local engine is shared: other suites' volumes may come and go meanwhile.
        assert.deepStrictEqual([...danglingVolumes()].filter((v) => !danglingBefore.has(v) && (v.startsWith(stack.name) || !/^(e2e|faults)-/.test(v))), []);
    });
});
