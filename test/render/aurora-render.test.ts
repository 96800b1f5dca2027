import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    renderAgentEnv,
    renderExecutorConfig,
    renderJobKeeperCommand,
    renderJobConfiguration,
    renderObserverCommand,
    renderSchedulerCommand,
    renderSchedulerEnv,
    renderSchedulerFlags,
    renderThermosPayload,
} from "../../components/aurora/render";
import { auroraArgsSchema, AuroraArgsInput } from "../../components/aurora/schema";
import { seedJobs, twoExecutors } from "../support/aurora-fixtures";

const golden = (name: string) => fs.readFileSync(path.join(__dirname, "golden", name), "utf8");
const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "fixtures", name), "utf8");
const settings = (args: AuroraArgsInput = {}) => auroraArgsSchema.parse(args);


/** Booleans as Aurora's Jackson reads them: the seed writes "true" where it means true. */
function inMeaning(value: unknown): unknown {
    if (value === "true" || value === "false") {
        return value === "true";
    }
    if (Array.isArray(value)) {
        return value.map(inMeaning);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.keys(value).sort().map((key) => [key, inMeaning((value as Record<string, unknown>)[key])]));
    }
    return value;
}

describe("Aurora render functions", () => {
    it("renders the default executor config: the seed's sample, equal in meaning, key for key", () => {
        const rendered = renderExecutorConfig(settings().customExecutors);
        assert.deepStrictEqual(inMeaning(JSON.parse(rendered)), inMeaning(JSON.parse(fixture("aurora-seed-executor-config.json"))));
        assert.strictEqual(rendered, golden("aurora-executor-config-seed.json"));
    });

    it("renders several executors with Aurora's snake_case keys (golden)", () => {
        const rendered = renderExecutorConfig(settings({ customExecutors: twoExecutors }).customExecutors);
        assert.strictEqual(rendered, golden("aurora-executor-config-two.json"));
        const parsed = JSON.parse(rendered);
        assert.deepStrictEqual(parsed.map((entry: { task_prefix: string }) => entry.task_prefix), ["compose-", "my-executor-"]);
        assert.deepStrictEqual(parsed[1].volume_mounts, [{ host_path: "/path/to/host/directory", container_path: "/path/on/container", mode: "RO" }]);
        assert.ok(!("volume_mounts" in parsed[0]), "no volume_mounts key where none were given");
        assert.doesNotMatch(rendered, /taskPrefix|volumeMounts|hostPath|containerPath/);
    });

    it("renders the scheduler's flags with the custom executor config and the fetcher enabled (golden)", () => {
        const flags = renderSchedulerFlags({
            clusterName: "devcluster", zookeeperEndpoints: ["zookeeper:2181"], mesosMasterAddress: "zk://zookeeper:2181/mesos",
            quorumSize: 1, flags: { min_offer_hold_time: "1secs", enable_preemptor: false },
        });
        assert.strictEqual(renderSchedulerCommand(flags).join("\n") + "\n", golden("aurora-scheduler-command.txt"));
        assert.ok(flags.includes("-custom_executor_config=/etc/aurora/custom-executors.json"));
        assert.ok(flags.includes("-enable_mesos_fetcher=true"));
    });

    it("gives the upstream image's entrypoint the same settings through its environment", () => {
        const env = renderSchedulerEnv({
            clusterName: "devcluster", zookeeperEndpoints: ["zookeeper:2181"], mesosMasterAddress: "zk://zookeeper:2181/mesos",
            quorumSize: 1, flags: { min_offer_hold_time: "1secs" },
        });
        assert.deepStrictEqual(env, {
            CLUSTER_NAME: "devcluster",
            EXTRA_SCHEDULER_ARGS: "-custom_executor_config=/etc/aurora/custom-executors.json -enable_mesos_fetcher=true -min_offer_hold_time=1secs",
            QUORUM_SIZE: "1",
            ZK_ENDPOINTS: "zookeeper:2181",
        });
    });

    it("renders each agent's resources, attributes and containerizers as MESOS_* variables", () => {
        const agent = settings({ agents: [{ name: "a1", attributes: { rack: "r1", host: "a1" } }] }).agents[0];
        assert.deepStrictEqual(renderAgentEnv(agent, "zk://zookeeper:2181/mesos"), {
            MESOS_ATTRIBUTES: "host:a1;rack:r1",
            MESOS_CONTAINERIZERS: "docker,mesos",
            MESOS_HOSTNAME: "a1",
            MESOS_MASTER: "zk://zookeeper:2181/mesos",
            MESOS_PORT: "5051",
            MESOS_RESOURCES: "cpus:2;mem:1024;disk:4096;ports:[31000-32000]",
            MESOS_SYSTEMD_ENABLE_SUPPORT: "false",
            MESOS_WORK_DIR: "/var/lib/mesos/agent",
        });
    });

    it("renders the observer's command line with the real observer's options", () => {
        assert.deepStrictEqual(renderObserverCommand(), [
            "thermos_observer", "--ip=0.0.0.0", "--port=1338", "--mesos-root=/var/lib/mesos", "--log_to_disk=NONE", "--log_to_stderr=google:INFO",
        ]);
    });

    it("renders the seed's hello job and a compose job as job keeper commands: create, and kill when stopped (golden)", () => {
        const { jobs } = settings({ jobs: seedJobs });
        const commands = jobs.map((job) => renderJobKeeperCommand("devcluster", job));
        const shown = commands.map((c) => [...c.slice(0, 3), JSON.parse(c[3])]);
        assert.strictEqual(JSON.stringify(shown, null, 2) + "\n", golden("aurora-job-keepers.json"));
        const payload = JSON.parse(renderThermosPayload("devcluster", jobs[0]));
        assert.deepStrictEqual(payload.task.processes, [{ name: "hello", cmdline: "while true; do\n  echo hello world\n  sleep 10\ndone" }]);
        assert.strictEqual(payload.task.resources.ram, 128 * 1024 * 1024);
        const compose = renderJobConfiguration("devcluster", jobs[1]) as { taskConfig: { executorConfig: { name: string } } };
        assert.strictEqual(compose.taskConfig.executorConfig.name, "docker-compose-executor");
    });
});
