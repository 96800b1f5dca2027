import * as assert from "assert";
import { byKind, installMocks, recorded, resetRecorded, valueOf } from "../support/mocks";
import { readStackFile, stackConfigAsPulumiGivesIt, configProblems } from "../support/stack-config";

installMocks("test");
const { readStackConfig } = require("../../stacks/config") as typeof import("../../stacks/config");
const { deployStack } = require("../../stacks/program") as typeof import("../../stacks/program");
// The kinds the message lists: every registered one, so adding a kind does not break this test.
const { clusterKinds } = require("../../stacks/kinds") as typeof import("../../stacks/kinds");

function withCluster(cluster: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return stackConfigAsPulumiGivesIt({ "clusterlab:clusters": { wraxl: { kind: "mesos", ...cluster } }, ...extra });
}

const problemsOf = configProblems;

describe("stack program (unit, mocked engine)", () => {
    beforeEach(resetRecorded);

    it("each kind's stack outputs: these names, in this order (what users' scripts and the e2e suites read)", () => {
        const outputs = deployStack(readStackConfig(readStackFile("local")));
        assert.deepStrictEqual(Object.fromEntries(Object.entries(outputs).map(([name, out]) => [name, Object.keys(out)])), {
            wraxl: ["masterUrl", "zookeeperUrl", "redisUrl", "queueNames", "enqueueCommand", "networkName", "containerNames"],
            oar: ["frontendCommand", "nodeCommands", "submitCommand", "sshCommand", "nodeNames", "containerNames"],
            aurora: ["schedulerUrl", "masterUrl", "zookeeperUrl", "observerUrl", "executorConfig", "jobKeys", "networkName", "containerNames"],
            hadoop: ["namenodeUrl", "resourcemanagerUrl", "historyserverUrl", "nodemanagerUrls", "defaultFs", "clientCommand", "exampleJobCommand",
                "datanodeNames", "datanodePlacement", "nodemanagerPlacement", "nodemanagerNames", "networkName", "containerNames"],
            edm: ["consulUrl", "loadBalancerUrl", "gogsUrl", "gogsAdminUser", "gogsAdminPassword", "workerApiUrls", "workerHosts", "networkName", "containerNames"],
        });
    });

    it("deploys the local stack's own config: one host, the wraxl MesosCluster, the oar OarCluster, the aurora AuroraWithCustomExecutor, the hadoop HadoopCluster and the edm EDM platform, their outputs", async () => {
        const outputs = deployStack(readStackConfig(readStackFile("local")));
        assert.deepStrictEqual(Object.keys(outputs), ["wraxl", "oar", "aurora", "hadoop", "edm"]);
        assert.deepStrictEqual(await valueOf(outputs.oar.nodeNames), ["node1", "node2"]);
        assert.strictEqual(await valueOf(outputs.wraxl.masterUrl), "http://127.0.0.1:5050");
        assert.match(String(await valueOf(outputs.wraxl.enqueueCommand)), /^docker exec test-wraxl-scheduler /);
        await valueOf(outputs.wraxl.containerNames);
        await valueOf(outputs.oar.containerNames);
        await valueOf(outputs.aurora.containerNames);
        await valueOf(outputs.hadoop.containerNames);
        await valueOf(outputs.edm.containerNames);
        assert.strictEqual(await valueOf(outputs.edm.loadBalancerUrl), "http://127.0.0.1:8080");
        assert.strictEqual(await valueOf(outputs.hadoop.namenodeUrl), "http://127.0.0.1:9870");
        assert.strictEqual(await valueOf(outputs.aurora.schedulerUrl), "http://127.0.0.1:8081");
        assert.deepStrictEqual(byKind("container").map((c) => c.inputs.name).sort(), [
            "test-aurora-agent1", "test-aurora-job-vagrant-prod-docker-compose", "test-aurora-job-www-data-prod-hello",
            "test-aurora-master", "test-aurora-observer", "test-aurora-scheduler", "test-aurora-zookeeper",
            "test-edm-consul", "test-edm-gogs", "test-edm-nginx", "test-edm-nginx-upstream", "test-edm-worker1-api", "test-edm-worker1-consul",
            "test-edm-worker1-registrator", "test-edm-worker2-api", "test-edm-worker2-consul", "test-edm-worker2-registrator",
            "test-hadoop-client", "test-hadoop-datanode1", "test-hadoop-hdfs-folders", "test-hadoop-historyserver", "test-hadoop-namenode",
            "test-hadoop-nodemanager1", "test-hadoop-resourcemanager", "test-hadoop-zookeeper",
            "test-oar-frontend", "test-oar-node1", "test-oar-node2", "test-oar-server",
            "test-wraxl-agent1", "test-wraxl-master", "test-wraxl-redis", "test-wraxl-scheduler", "test-wraxl-zookeeper",
        ]);
        const standin = byKind("image").filter((i) => String(i.inputs.name).startsWith("clusterlab/mesos-standin:"));
        assert.strictEqual(standin.length, 2, "the local stack runs the Mesos stand-in, built once per cluster that runs it (wraxl, aurora)");
    });

    it("defaults to one local host when the stack names none", () => {
        const config = readStackConfig(withCluster({}));
        assert.deepStrictEqual(config.hosts, { local: { bindAddress: "127.0.0.1" } });
        assert.strictEqual(config.clusters[0].host, "local");
    });

    it("ignores other namespaces' keys, such as a provider's", () => {
        assert.deepStrictEqual(problemsOf(withCluster({}, { "docker:host": "unix:///x.sock" })), []);
    });

    const badConfigs: [string, Record<string, string>, string[]][] = [
        ["a negative agent count", withCluster({ agents: -2 }),
            ["clusterlab:clusters.wraxl.agents: must be a whole number of agents >= 1, or a list of named agents, got -2"]],
        ["an unknown resource name", withCluster({ agents: [{ name: "a1", resources: { gpu: 1 } }] }),
            ["clusterlab:clusters.wraxl.agents[0].resources.gpu: is not a known setting: expected cpus, mem, disk, high, low or world"]],
        ["a queue prefix with spaces", withCluster({ scheduler: { queuePrefix: "my queue" } }),
            ['clusterlab:clusters.wraxl.scheduler.queuePrefix: must be letters, digits, _ or - (it is part of Redis queue names), got "my queue"']],
        ["two agents with one name", withCluster({ agents: [{ name: "a1" }, { name: "a1" }] }),
            ['clusterlab:clusters.wraxl.agents[1].name: must be unique: agents[0] is already named "a1", got "a1"']],
        ["an unknown cluster kind", stackConfigAsPulumiGivesIt({ "clusterlab:clusters": { x: { kind: "nomad" } } }),
            [`clusterlab:clusters.x.kind: must be a cluster kind clusterlab knows (${Object.keys(clusterKinds).join(", ")}), got "nomad"`]],
        ["a host that is not defined", withCluster({ host: "far" }),
            ['clusterlab:clusters.wraxl.host: must name a host under clusterlab:hosts (local), got "far"']],
        ["an unknown top-level key", stackConfigAsPulumiGivesIt({ "clusterlab:cluster": {} }),
            ["clusterlab:cluster: is not a known setting"]],
        ["a port published twice", withCluster({ redis: { port: 5050 } }),
            ["clusterlab:clusters.wraxl.redis.port: must differ from master.port: both publish host port 5050, got 5050"]],
    ];
    for (const [what, config, expected] of badConfigs) {
        it(`rejects ${what}, naming the path and what was expected`, () => {
            assert.deepStrictEqual(problemsOf(config), expected);
        });
    }

    it("rejects a host port two clusters publish on one host, naming both paths, before any resource (issue #21, 2)", () => {
        // The local stack with wraxl's master on 8080, which the EDM platform's nginx publishes.
        const local = readStackFile("local");
        const clusters = JSON.parse(local["clusterlab:clusters"]);
        clusters.wraxl.master.port = 8080;
        resetRecorded();
        assert.deepStrictEqual(problemsOf({ ...local, "clusterlab:clusters": JSON.stringify(clusters) }), [
            'clusterlab:clusters.edm.master.ports.loadBalancer: must differ from clusterlab:clusters.wraxl.master.port: both publish host port 8080 on host "local", got 8080',
        ]);
        assert.deepStrictEqual(recorded, []);
        // On two hosts, one number is two ports; and TCP and UDP are two ports.
        const twoHosts = stackConfigAsPulumiGivesIt({
            "clusterlab:hosts": { local: {}, h2: { docker: "tcp://10.0.0.2:2375", bindAddress: "10.0.0.2" } },
            "clusterlab:clusters": { a: { kind: "oar", frontend: { sshPort: 2222 } }, b: { kind: "oar", host: "h2", frontend: { sshPort: 2222 } } },
        });
        assert.deepStrictEqual(problemsOf(twoHosts), []);
        const oneHost = stackConfigAsPulumiGivesIt({
            "clusterlab:clusters": { a: { kind: "oar", frontend: { sshPort: 2222 } }, b: { kind: "oar", frontend: { sshPort: 2222 } } },
        });
        assert.deepStrictEqual(problemsOf(oneHost), [
            'clusterlab:clusters.b.frontend.sshPort: must differ from clusterlab:clusters.a.frontend.sshPort: both publish host port 2222 on host "local", got 2222',
        ]);
    });

    it("refuses a stack with OAR or EDM clusters and no clusterlab:secretSeed, naming the key, the clusters and how to set it, before any resource", () => {
        const clusters = { "clusterlab:clusters": { wraxl: { kind: "mesos" }, batch: { kind: "oar" }, apps: { kind: "edm" } } };
        const problems = problemsOf(stackConfigAsPulumiGivesIt(clusters, false));
        assert.strictEqual(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], /^clusterlab:secretSeed: must be set, as a secret: .*pulumi config set --secret clusterlab:secretSeed .*; batch, apps need it$/);
        assert.deepStrictEqual(recorded, []);
        // A stack of kinds that generate no secret needs none; a seed too short to be random is refused.
        assert.deepStrictEqual(problemsOf(stackConfigAsPulumiGivesIt({ "clusterlab:clusters": { wraxl: { kind: "mesos" } } }, false)), []);
        assert.match(problemsOf({ ...stackConfigAsPulumiGivesIt(clusters, false), "clusterlab:secretSeed": "short" }).join("\n"),
            /clusterlab:secretSeed: must be at least 16 characters of random text/);
    });

    it("reports every problem of a config at once, before any resource is registered", () => {
        const config = stackConfigAsPulumiGivesIt({
            "clusterlab:hosts": { local: { bindAddress: "localhost" } },
            "clusterlab:clusters": {
                a: { kind: "mesos", agents: 0, scheduler: { queuePrefix: "a b" } },
                b: { kind: "mesos", agents: [{ name: "x", resources: { high: 1, low: 0, world: 0 } }] },
            },
        });
        assert.throws(() => deployStack(readStackConfig(config)), (error: Error) => {
            assert.strictEqual(error.constructor.name, "RunError");
            const lines = error.message.split("\n");
            assert.strictEqual(lines[0], "invalid stack config:");
            assert.deepStrictEqual(lines.slice(1).map((line) => line.trim().split(": ")[0]), [
                "clusterlab:hosts.local.bindAddress",
                "clusterlab:clusters.a.agents",
                "clusterlab:clusters.a.scheduler.queuePrefix",
                "clusterlab:clusters.b.agents",
            ]);
            return true;
        });
        assert.deepStrictEqual(recorded, []);
    });
});
