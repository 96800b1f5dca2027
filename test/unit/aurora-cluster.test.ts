import * as assert from "assert";
import { seedJobs, twoExecutors } from "../support/aurora-fixtures";
import { byType, dockerTypes, installMocks, named, recorded, recordingOptions, resetRecorded, settle, valueOf } from "../support/mocks";

installMocks("test");
// Imported after the mocks, as the program under test would be.
const { AuroraWithCustomExecutor } = require("../../components/aurora") as typeof import("../../components/aurora");

const container = dockerTypes.container;
const network = dockerTypes.network;
const volume = dockerTypes.volume;
const image = dockerTypes.image;

async function deploy(args: ConstructorParameters<typeof AuroraWithCustomExecutor>[1] = {}) {
    resetRecorded();
    const cluster = new AuroraWithCustomExecutor("aurora", args, recordingOptions());
    const outputs = {
        schedulerUrl: await valueOf(cluster.schedulerUrl),
        masterUrl: await valueOf(cluster.masterUrl),
        zookeeperUrl: await valueOf(cluster.zookeeperUrl),
        observerUrl: await valueOf(cluster.observerUrl),
        executorConfig: await valueOf(cluster.executorConfig),
        jobKeys: await valueOf(cluster.jobKeys),
        containerNames: await valueOf(cluster.containerNames),
    };
    return { cluster, outputs };
}

/** Jobs register once the scheduler's container name resolves: wait for them, briefly. */
function badArgs(args: Record<string, unknown>): string {
    resetRecorded();
    try {
        new AuroraWithCustomExecutor("bad", args as never);
    } catch (error) {
        assert.deepStrictEqual(recorded.filter((r) => r.type.includes("docker")), [], "no resource before the args are valid");
        return (error as Error).message;
    }
    assert.fail("the args were accepted");
}

describe("AuroraWithCustomExecutor (unit, mocked engine)", () => {
    it("creates one network, zookeeper, master, agents, scheduler and observer, named <name>-<role>", async () => {
        await deploy({ agents: 2 });
        assert.deepStrictEqual(byType(container).map((c) => c.name).sort(),
            ["aurora-agent1", "aurora-agent2", "aurora-master", "aurora-observer", "aurora-scheduler", "aurora-zookeeper"]);
        assert.deepStrictEqual(byType(network).map((n) => n.inputs.name), ["test-aurora"]);
        assert.deepStrictEqual(byType(volume).map((v) => v.inputs.name).sort(), [
            "test-aurora-agent1-work", "test-aurora-agent2-work", "test-aurora-master-work", "test-aurora-scheduler-db", "test-aurora-zookeeper-data",
        ]);
        for (const c of byType(container)) {
            assert.strictEqual(c.inputs.network, "aurora-network-id", c.name);
            assert.strictEqual(c.inputs.labels["clusterlab.cluster"], "aurora", c.name);
            assert.ok(c.inputs.healthcheck.shellCommand, `${c.name} has a readiness test`);
            assert.ok(c.inputs.memoryMb > 0, `${c.name} has a memory limit`);
        }
    });

    it("starts each role once the roles it needs are ready: zookeeper, master, agents, scheduler", async () => {
        await deploy({ agents: [{ name: "a1" }, { name: "a2" }] });
        assert.ok(named("aurora-master", container).dependsOn.includes("aurora-zookeeper"));
        assert.ok(named("aurora-a1", container).dependsOn.includes("aurora-master"));
        assert.deepStrictEqual(named("aurora-scheduler", container).dependsOn.filter((d) => !d.endsWith("-db")), ["aurora-master", "aurora-a1", "aurora-a2"]);
        assert.deepStrictEqual(named("aurora-observer", container).dependsOn, ["aurora-a1", "aurora-a2"]);
    });

    it("ships the rendered executor config into the scheduler and names it on its command line with the fetcher enabled", async () => {
        const { outputs } = await deploy({ customExecutors: twoExecutors });
        const scheduler = named("aurora-scheduler", container);
        assert.deepStrictEqual(scheduler.inputs.files, [{ path: "/etc/aurora/custom-executors.json", content: outputs.executorConfig, mode: 0o644 }]);
        assert.deepStrictEqual(JSON.parse(outputs.executorConfig).map((e: { executor: { name: string } }) => e.executor.name), ["docker-compose-executor", "myExecutor"]);
        const command: string[] = scheduler.inputs.command;
        assert.strictEqual(command[0], "aurora-scheduler");
        for (const flag of ["-custom_executor_config=/etc/aurora/custom-executors.json", "-enable_mesos_fetcher=true", "-cluster_name=devcluster",
            "-zk_endpoints=zookeeper:2181", "-mesos_master_address=zk://zookeeper:2181/mesos", "-http_port=8081"]) {
            assert.ok(command.includes(flag), `${flag} in ${command.join(" ")}`);
        }
        assert.ok(scheduler.inputs.env.includes("EXTRA_SCHEDULER_ARGS=-custom_executor_config=/etc/aurora/custom-executors.json -enable_mesos_fetcher=true"));
    });

    it("passes a stack's extra scheduler flags and cluster name", async () => {
        await deploy({ scheduler: { clusterName: "yow", flags: { min_offer_hold_time: "1secs" } } });
        const command: string[] = named("aurora-scheduler", container).inputs.command;
        assert.ok(command.includes("-cluster_name=yow"));
        assert.strictEqual(command[command.length - 1], "-min_offer_hold_time=1secs");
    });

    it("gives agents the docker and mesos containerizers and the host's Docker engine for docker-compose", async () => {
        await deploy({ agents: [{ name: "a1", attributes: { rack: "r1" } }, { name: "a2", dockerSocket: false, containerizers: ["mesos"] }] });
        const env = (name: string) => Object.fromEntries((named(name, container).inputs.env as string[]).map((e) => e.split(/=(.*)/s).slice(0, 2)));
        assert.strictEqual(env("aurora-a1").MESOS_CONTAINERIZERS, "docker,mesos");
        assert.strictEqual(env("aurora-a1").MESOS_ATTRIBUTES, "rack:r1");
        assert.strictEqual(env("aurora-a1").MESOS_MASTER, "zk://zookeeper:2181/mesos");
        assert.deepStrictEqual(named("aurora-a1", container).inputs.mounts.filter((m: { type: string }) => m.type === "bind"),
            [{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock", readOnly: false }]);
        assert.strictEqual(env("aurora-a2").MESOS_CONTAINERIZERS, "mesos");
        assert.deepStrictEqual(named("aurora-a2", container).inputs.mounts.filter((m: { type: string }) => m.type === "bind"), []);
    });

    it("keeps each job in a container of its own once the scheduler is ready: it creates the job and kills it when stopped; no exec resource", async () => {
        const { outputs } = await deploy({ jobs: seedJobs });
        assert.deepStrictEqual(outputs.jobKeys, ["devcluster/www-data/prod/hello", "devcluster/vagrant/prod/docker-compose"]);
        // A keeper's env waits on the scheduler's container name: it registers a tick later.
        for (let i = 0; i < 100 && byType(container).filter((c) => c.name.startsWith("aurora-job-")).length < 2; i++) {
            await settle();
        }
        const hello = named("aurora-job-www-data-prod-hello", container);
        assert.strictEqual(hello.inputs.name, "test-aurora-job-www-data-prod-hello");
        assert.strictEqual(hello.inputs.image, named("aurora-scheduler", container).inputs.image, "the scheduler's image: its job client");
        assert.deepStrictEqual(hello.inputs.command.slice(0, 3), ["aurora-standin-job", "keep", "devcluster/www-data/prod/hello"]);
        assert.strictEqual(JSON.parse(hello.inputs.command[3]).taskConfig.executorConfig.name, "AuroraExecutor");
        assert.ok(hello.inputs.env.includes("AURORA_STANDIN_URL=http://test-aurora-scheduler:8081"), JSON.stringify(hello.inputs.env));
        assert.deepStrictEqual(hello.dependsOn, ["aurora-scheduler"]);
        assert.deepStrictEqual(hello.replaceWith, ["aurora-scheduler"], "a scheduler made anew takes its keepers along: its jobs are created on the new one");
        assert.strictEqual(hello.raw!.wait, true, "up waits until the job is created");
        assert.strictEqual(hello.inputs.labels["clusterlab.role"], "job");
        const compose = named("aurora-job-vagrant-prod-docker-compose", container);
        assert.strictEqual(JSON.parse(compose.inputs.command[3]).taskConfig.executorConfig.name, "docker-compose-executor");
        assert.deepStrictEqual(recorded.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")).map((r) => r.name), []);
    });

    it("publishes ports on the host's bind address and reports host-side URLs", async () => {
        const { outputs } = await deploy();
        const published = byType(container).flatMap((c) => c.inputs.ports ?? []);
        assert.deepStrictEqual(published.map((p: { ip: string; internal: number; external: number }) => [p.ip, p.internal, p.external]).sort(),
            [["127.0.0.1", 1338, 1338], ["127.0.0.1", 2181, 2181], ["127.0.0.1", 5050, 5050], ["127.0.0.1", 8081, 8081]]);
        assert.strictEqual(outputs.schedulerUrl, "http://127.0.0.1:8081");
        assert.strictEqual(outputs.masterUrl, "http://127.0.0.1:5050");
        assert.strictEqual(outputs.zookeeperUrl, "zk://127.0.0.1:2181/mesos");
        assert.strictEqual(outputs.observerUrl, "http://127.0.0.1:1338");
        assert.deepStrictEqual(Object.keys(outputs.containerNames).sort(), ["agent1", "master", "observer", "scheduler", "zookeeper"]);
    });

    it("pins the upstream Mesos and Aurora images by default, builds the observer stand-in, and takes overrides per role", async () => {
        await deploy();
        assert.strictEqual(named("aurora-master-image").inputs.name, "mesosphere/mesos-master:1.7.1");
        assert.strictEqual(named("aurora-agent-image").inputs.name, "mesosphere/mesos-slave:1.7.1");
        assert.strictEqual(named("aurora-scheduler-image").inputs.name, "rdelvalle/aurora:0.22.0");
        assert.match(named("aurora-observer-image").inputs.name, /^clusterlab\/thermos-observer-standin:[0-9a-f]{12}$/);
        await deploy({ master: { image: { build: "mesos-standin" } }, agentImage: { build: "mesos-standin" }, scheduler: { image: { build: "aurora-scheduler-standin" } } });
        assert.strictEqual(byType(image).filter((i) => i.inputs.build?.context?.endsWith("mesos-standin")).length, 1);
        assert.match(named("aurora-scheduler-image").inputs.name, /^clusterlab\/aurora-scheduler-standin:/);
    });

    it("rejects executor entries with no name, no command, a duplicate task prefix or a URI that is not a URL, naming each path", () => {
        const message = badArgs({
            customExecutors: [
                { executor: { command: { value: "x" } }, taskPrefix: "a-" },
                { executor: { name: "b" }, taskPrefix: "b-" },
                { executor: { name: "c", command: { value: "c", uris: [{ value: "not a url" }] } }, taskPrefix: "a-" },
                { executor: { name: "c", command: { value: "c", shell: "yes" } }, taskPrefix: "d-" },
            ],
        });
        assert.strictEqual(message, [
            'invalid AuroraWithCustomExecutor "bad" args:',
            "  customExecutors[0].executor.name: is required: the executor's name, which jobs select it by, got nothing",
            "  customExecutors[1].executor.command: is required: how Mesos starts the executor ({ value, shell, uris }), got nothing",
            "  customExecutors[2].executor.command.uris[0].value: must be a URL the Mesos fetcher can get (http://, https://, ftp://, ftps://, hdfs://, hftp://, s3://, s3a://, s3n://, file://) or an absolute path on the agent, got \"not a url\"",
            "  customExecutors[3].executor.command.shell: must be true or false (the seed's \"true\" and \"false\" strings too), got \"yes\"",
            '  customExecutors[3].executor.name: must be unique: customExecutors[2] already has the name "c", got "c"',
            '  customExecutors[2].taskPrefix: must be unique: customExecutors[0] already has the task prefix "a-", got "a-"',
        ].join("\n"));
    });

    it("rejects jobs on an unknown executor, thermos jobs without processes, duplicate keys and flags the component sets", () => {
        const message = badArgs({
            jobs: [
                { name: "j", executor: "nope" },
                { name: "t" },
                { name: "t", executor: "docker-compose-executor", processes: [{ name: "p", cmdline: "true" }] },
            ],
            scheduler: { flags: { cluster_name: "x" } },
        });
        assert.strictEqual(message, [
            'invalid AuroraWithCustomExecutor "bad" args:',
            '  jobs[0].executor: must be thermos or a custom executor\'s name (docker-compose-executor), got "nope"',
            "  jobs[1].processes: must list at least one process: a thermos job runs processes, got nothing",
            "  jobs[2].processes: must be left out: only thermos jobs run processes, this one runs on docker-compose-executor, got [{\"name\":\"p\",\"cmdline\":\"true\"}]",
            '  jobs[2].name: must be unique: jobs[1] already is www-data/prod/t, got "t"',
            "  scheduler.flags.cluster_name: is set by the component from its typed args (clusterName, quorumSize, customExecutors, zookeeper, master): leave it out, got \"x\"",
        ].join("\n"));
    });

    it("rejects two roles publishing one host port and an agent named like a role", () => {
        const message = badArgs({ scheduler: { port: 5050 }, agents: [{ name: "scheduler" }] });
        assert.match(message, /agents\[0\]\.name: must not be a role name/);
        assert.match(message, /scheduler\.port: must differ from master\.port: both publish host port 5050/);
    });
});
