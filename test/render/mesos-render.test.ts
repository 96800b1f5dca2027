import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    idleAgents,
    renderAgentEnv,
    renderEnqueueCommand,
    renderMasterEnv,
    renderMesosAttributes,
    renderMesosResources,
    renderQueueNames,
    renderSchedulerCommand,
    renderSchedulerConfig,
    renderZookeeperUrl,
} from "../../components/mesos/render";
import { mesosClusterArgsSchema } from "../../components/mesos/schema";

const golden = (name: string) => fs.readFileSync(path.join(__dirname, "golden", name), "utf8");
const defaults = mesosClusterArgsSchema.parse({});

describe("Mesos render functions", () => {
    it("renders MESOS_RESOURCES in Mesos' syntax, custom queue resources included", () => {
        assert.strictEqual(renderMesosResources({ cpus: 2, mem: 2048, high: 1, low: 0, world: 3 }),
            "cpus:2;mem:2048;high:1;low:0;world:3");
        assert.strictEqual(renderMesosResources({ cpus: 0.5, mem: 512, disk: 4096, high: 0, low: 1, world: 1 }),
            "cpus:0.5;mem:512;disk:4096;high:0;low:1;world:1");
    });

    it("renders attributes sorted, so reordering them in config is no diff", () => {
        assert.strictEqual(renderMesosAttributes({ rack: "r1", location: "yow" }), "location:yow;rack:r1");
        assert.strictEqual(renderMesosAttributes({}), "");
    });

    it("renders the zookeeper URL for one or several servers", () => {
        assert.strictEqual(renderZookeeperUrl(["zookeeper"]), "zk://zookeeper:2181/mesos");
        assert.strictEqual(renderZookeeperUrl(["zk1", "zk2"], 2182, "/m"), "zk://zk1:2182,zk2:2182/m");
    });

    it("names the queues after the prefix and the resources", () => {
        assert.deepStrictEqual(renderQueueNames("wraxl"), { high: "wraxl_high", low: "wraxl_low", world: "wraxl_world" });
    });

    it("renders the scheduler config (golden)", () => {
        assert.strictEqual(renderSchedulerConfig({ ...defaults.scheduler, buildUser: defaults.buildUser }), golden("scheduler.yaml"));
    });

    it("renders a custom build user, its home defaulting to /home/<name>", () => {
        const text = renderSchedulerConfig({ queuePrefix: "x", runsOn: ["high"], pullImages: true, buildUser: { name: "ci", uid: 2000, gid: 2001 } });
        assert.match(text, /^build_user:\n {2}name: ci\n {2}uid: 2000\n {2}gid: 2001\n {2}home: \/home\/ci$/m);
        assert.match(text, /^pull_images: true$/m);
    });

    it("renders the scheduler's command line as the seed starts it", () => {
        assert.deepStrictEqual(renderSchedulerCommand("zk://zookeeper:2181/mesos", "redis:6379"), [
            "wraxl_scheduler", "--master", "zk://zookeeper:2181/mesos", "--redis", "redis:6379", "--config", "/etc/wraxl/scheduler.yaml",
        ]);
    });

    it("renders master and agent env with the variables upstream Mesos images read", () => {
        assert.deepStrictEqual(Object.keys(renderMasterEnv({
            zookeeperUrl: "zk://z:2181/mesos", quorum: 1, clusterName: "c", registry: "in_memory", hostname: "master",
        })), ["MESOS_CLUSTER", "MESOS_HOSTNAME", "MESOS_PORT", "MESOS_QUORUM", "MESOS_REGISTRY", "MESOS_WORK_DIR", "MESOS_ZK"]);
        const agentEnv = renderAgentEnv(defaults.agents[0], "zk://z:2181/mesos", defaults.buildUser);
        assert.strictEqual(agentEnv.MESOS_MASTER, "zk://z:2181/mesos");
        assert.strictEqual(agentEnv.MESOS_RESOURCES, "cpus:1;mem:1024;high:1;low:1;world:1");
        assert.strictEqual(agentEnv.MESOS_CONTAINERIZERS, "docker,mesos");
    });

    it("finds agents that can never run a job", () => {
        const agents = mesosClusterArgsSchema.parse({
            agents: [{ name: "busy" }, { name: "idle", resources: { high: 1, low: 0, world: 0 } }],
        }).agents;
        assert.deepStrictEqual(idleAgents(agents, ["low", "world"]), ["idle"]);
        assert.deepStrictEqual(idleAgents(agents, ["high"]), []);
    });

    it("renders an enqueue command a shell runs as is (golden)", () => {
        assert.strictEqual(renderEnqueueCommand({ schedulerContainer: "local-wraxl-scheduler", queue: "wraxl_low" }) + "\n",
            golden("enqueue-command.txt"));
    });
});
