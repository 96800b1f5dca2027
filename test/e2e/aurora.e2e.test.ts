import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import { seedJobs, twoExecutors } from "../support/aurora-fixtures";
import { standinAurora, standinGet } from "./support/aurora";
import { changesOf, danglingVolumes, labelledLeftovers, policyPack, suiteStack } from "./support/lifecycle";
import { eventually } from "./support/poll";
import { docker, e2eOptOut } from "./support/toolchain";

const ports = { master: 25160, scheduler: 28081, observer: 21338 };

/** The cluster under test: stand-ins for every Mesos and Aurora role, the seed's executors and jobs. */
const aurora = (jobs: unknown[], customExecutors: unknown[] = twoExecutors) => standinAurora(ports, { jobs, customExecutors });
const scheduler = (path: string) => standinGet(ports.scheduler, path);
const startedAt = (container: string) => Date.parse(docker("inspect", "-f", "{{.State.StartedAt}}", container));

const describeE2e = e2eOptOut ? describe.skip : describe;

describeE2e("AuroraWithCustomExecutor end to end — real zookeeper and Docker; Mesos, the Aurora scheduler and the thermos observer are STAND-INS, " +
    "so what is NOT proven here is that Aurora accepts the executor config or runs the jobs", function () {
    this.timeout(20 * 60 * 1000);
    const { stack, danglingBefore } = suiteStack("AuroraWithCustomExecutor e2e", "aurora", aurora(seedJobs));
    let outputs: Record<string, any>;
    let names: Record<string, string>;

    it("AuroraWithCustomExecutor: preview with the policy pack plans every role and the two jobs, with no mandatory violation", async () => {
        const preview = await stack.preview({ policyPacks: [policyPack()] });
        assert.deepStrictEqual(Object.keys(changesOf(preview.changeSummary)), ["create"]);
        assert.match(preview.stdout, /aurora-job-www-data-prod-hello/);
        assert.match(preview.stdout, /aurora-job-vagrant-prod-docker-compose/);
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
    });

    it("AuroraWithCustomExecutor: up brings zookeeper, master, agent, scheduler stand-in, observer stand-in and a keeper per job to healthy", async () => {
        const started = Date.now();
        const result = await stack.up();
        console.log(`      up: ${((Date.now() - started) / 1000).toFixed(1)}s`);
        assert.strictEqual(result.summary.result, "succeeded");
        outputs = (await stack.outputs()).clusters.aurora;
        names = outputs.containerNames;
        const statuses = docker("ps", "--filter", `label=clusterlab.stack=${stack.name}`, "--format", "{{.Names}} {{.Status}}").split("\n").sort();
        // The five roles, and the two jobs' keepers (healthy once their job is created).
        assert.strictEqual(statuses.length, 7, statuses.join("\n"));
        assert.deepStrictEqual(Object.keys(names).filter((n) => n.startsWith("job-")).sort(), ["job-vagrant-prod-docker-compose", "job-www-data-prod-hello"]);
        for (const line of statuses) {
            assert.match(line, /\(healthy\)/, line);
        }
        assert.strictEqual(outputs.schedulerUrl, `http://127.0.0.1:${ports.scheduler}`);
        assert.strictEqual(outputs.masterUrl, `http://127.0.0.1:${ports.master}`);
        assert.strictEqual(outputs.observerUrl, `http://127.0.0.1:${ports.observer}`);
    });

    it("AuroraWithCustomExecutor: every role is on the cluster's own network, and the scheduler found the leading master through zookeeper, at the address of its pid", async () => {
        const members = docker("network", "inspect", "-f", "{{range .Containers}}{{.Name}} {{end}}", outputs.networkName).split(" ").filter((n) => n !== "").sort();
        assert.deepStrictEqual(members, Object.values(names).sort());
        const state = await scheduler("/standin/state");
        // The address of the master's pid (its container's, on one host), as Mesos' clients use it.
        const masterIp = docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", names.master);
        assert.strictEqual(state.master.url, `http://${masterIp}:5050`);
        assert.strictEqual(state.master.cluster, "aurora");
        assert.deepStrictEqual(state.agents.map((a: any) => [a.hostname, a.active, a.attributes.rack]), [["agent1", true, "r1"]]);
        assert.match(state.serverset_member, /^\/aurora\/scheduler\/member_\d+$/);
    });

    it("AuroraWithCustomExecutor: each role started only once the one it needs was ready, the jobs last", async () => {
        const order = ["zookeeper", "master", "agent1", "scheduler"].map((role) => startedAt(names[role]));
        for (let i = 1; i < order.length; i++) {
            assert.ok(order[i - 1] < order[i], `${JSON.stringify(order)} is not in readiness order`);
        }
        const jobs = await scheduler("/standin/jobs");
        for (const job of jobs) {
            assert.ok(job.created * 1000 > order[3], `${job.key} created after the scheduler started`);
        }
    });

    it("AuroraWithCustomExecutor: the rendered executor config is in the scheduler container byte for byte, and the stand-in read both executors from it", async () => {
        const sha = crypto.createHash("sha256").update(outputs.executorConfig).digest("hex");
        assert.strictEqual(docker("exec", names.scheduler, "sha256sum", "/etc/aurora/custom-executors.json").split(" ")[0], sha);
        const read = await scheduler("/standin/executor-config");
        assert.strictEqual(read, outputs.executorConfig);
        const executors = await scheduler("/standin/executors");
        assert.deepStrictEqual(executors.map((e: any) => [e.name, e.task_prefix, e.shell, e.volume_mounts.length]),
            [["docker-compose-executor", "compose-", true, 0], ["myExecutor", "my-executor-", false, 1]]);
    });

    it("AuroraWithCustomExecutor: the scheduler process runs with -custom_executor_config and -enable_mesos_fetcher=true on its command line", async () => {
        const processes = docker("exec", names.scheduler, "sh", "-c",
            "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done").split("\n");
        const line = processes.find((p) => p.includes("aurora-scheduler -cluster_name="));
        assert.ok(line, processes.join("\n"));
        assert.match(line, / -custom_executor_config=\/etc\/aurora\/custom-executors\.json /);
        assert.match(line, / -enable_mesos_fetcher=true /);
        assert.match(line, / -zk_endpoints=zookeeper:2181 /);
        const { flags } = await scheduler("/standin/flags");
        assert.strictEqual(flags.custom_executor_config, "/etc/aurora/custom-executors.json");
        assert.strictEqual(flags.enable_mesos_fetcher, "true");
        assert.strictEqual(flags.cluster_name, "devcluster");
    });

    it("AuroraWithCustomExecutor: the seed's thermos hello job and the compose job were created through the stand-in's API, each on its executor", async () => {
        const jobs = await scheduler("/standin/jobs");
        assert.deepStrictEqual(jobs.map((j: any) => [j.key, j.executor, j.status]), [
            ["devcluster/vagrant/prod/docker-compose", "docker-compose-executor", "RUNNING"],
            ["devcluster/www-data/prod/hello", "AuroraExecutor", "RUNNING"],
        ]);
        assert.match(jobs[0].task_ids[0], /^compose-vagrant-prod-docker-compose-0-/);
        assert.match(jobs[1].task_ids[0], /^www-data-prod-hello-0-/);
        assert.deepStrictEqual(outputs.jobKeys, ["devcluster/www-data/prod/hello", "devcluster/vagrant/prod/docker-compose"]);
    });

    it("AuroraWithCustomExecutor: docker-compose is on the agent and reaches the Docker engine through the socket it was given", () => {
        assert.match(docker("exec", names.agent1, "docker-compose", "version"), /docker-compose version 1\.29\./);
        assert.strictEqual(docker("exec", names.agent1, "python3", "-c", "import docker; print(docker.from_env().ping())"), "True");
    });

    it("AuroraWithCustomExecutor: the observer stand-in serves the observer's port, started with the observer's options", async () => {
        const { argv } = await standinGet(ports.observer, "/standin/flags");
        assert.deepStrictEqual(argv, ["--ip=0.0.0.0", "--port=1338", "--mesos-root=/var/lib/mesos", "--log_to_disk=NONE", "--log_to_stderr=google:INFO"]);
    });

    it("AuroraWithCustomExecutor: a second preview and a refresh report no changes", async () => {
        const preview = await stack.preview({ expectNoChanges: true });
        assert.deepStrictEqual(changesOf(preview.changeSummary), {});
        const refresh = await stack.refresh({ expectNoChanges: true });
        assert.deepStrictEqual(changesOf(refresh.summary.resourceChanges), {});
    });

    it("AuroraWithCustomExecutor: a changed executor config remakes the scheduler with the new file; its jobs are killed on the old one and created on the new", async () => {
        const before = await scheduler("/standin/jobs");
        await stack.setClusters(aurora(seedJobs, twoExecutors.slice(0, 1)));
        const result = await stack.up();
        // The scheduler's container, and the two job keepers that name it: nothing else moves.
        assert.deepStrictEqual(changesOf(result.summary.resourceChanges), { replace: 3 });
        const config = (await stack.outputs()).clusters.aurora.executorConfig;
        assert.strictEqual(JSON.parse(config).length, 1);
        assert.strictEqual(await scheduler("/standin/executor-config"), config);
        const after = await scheduler("/standin/jobs");
        assert.deepStrictEqual(after.map((j: any) => j.status), ["RUNNING", "RUNNING"]);
        assert.notDeepStrictEqual(after.map((j: any) => j.task_ids[0]), before.map((j: any) => j.task_ids[0]), "created anew");
    });

    it("AuroraWithCustomExecutor: removing the compose job from the stack removes its keeper, which kills it through the stand-in's API, and touches nothing else", async () => {
        await stack.setClusters(aurora(seedJobs.filter((job) => job.name !== "docker-compose"), twoExecutors.slice(0, 1)));
        const result = await stack.up();
        // The job's keeper: its Service and container; stopped, it killed the job.
        assert.deepStrictEqual(changesOf(result.summary.resourceChanges), { delete: 2 });
        const jobs = await scheduler("/standin/jobs");
        assert.deepStrictEqual(jobs.map((j: any) => [j.key, j.status]), [
            ["devcluster/vagrant/prod/docker-compose", "KILLED"],
            ["devcluster/www-data/prod/hello", "RUNNING"],
        ]);
    });

    it("AuroraWithCustomExecutor: destroy kills the remaining job first, then leaves no container, network or volume with the stack's label", async () => {
        // The scheduler goes with the stack, so its own log (followed until it stops) is the witness of the kill.
        const follower: ChildProcess = spawn("docker", ["logs", "-f", names.scheduler], { stdio: ["ignore", "pipe", "pipe"] });
        let log = "";
        follower.stdout!.on("data", (chunk) => (log += chunk));
        follower.stderr!.on("data", (chunk) => (log += chunk));
        const started = Date.now();
        await stack.destroy();
        console.log(`      destroy: ${((Date.now() - started) / 1000).toFixed(1)}s`);
        await eventually("the scheduler's log follower ends", 20, () => follower.exitCode !== null);
        assert.match(log, /job devcluster\/www-data\/prod\/hello killed/);
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
        // The engine is shared: other suites' named volumes (e2e-<kind>-…) may come and go meanwhile.
        const leaked = [...danglingVolumes()].filter((v) => !danglingBefore().has(v) && (v.startsWith(stack.name) || !/^(e2e|faults)-/.test(v)));
        assert.deepStrictEqual(leaked, [], "no anonymous volume left behind");
    });
});
