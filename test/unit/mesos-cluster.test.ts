import * as assert from "assert";
import { byType, dockerTypes, installMocks, named, recorded, recordingOptions, resetRecorded, settle, valueOf } from "../support/mocks";

installMocks("test");
// Imported after the mocks, as the program under test would be.
const { MesosCluster } = require("../../components/mesos") as typeof import("../../components/mesos");

const container = dockerTypes.container;
const network = dockerTypes.network;
const volume = dockerTypes.volume;
const image = dockerTypes.image;

async function deploy(args: ConstructorParameters<typeof MesosCluster>[1] = {}) {
    resetRecorded();
    const cluster = new MesosCluster("wraxl", args, recordingOptions());
    const outputs = {
        masterUrl: await valueOf(cluster.masterUrl),
        zookeeperUrl: await valueOf(cluster.zookeeperUrl),
        redisUrl: await valueOf(cluster.redisUrl),
        queueNames: await valueOf(cluster.queueNames),
        enqueueCommand: await valueOf(cluster.enqueueCommand),
        containerNames: await valueOf(cluster.containerNames),
    };
    return { cluster, outputs };
}

function env(name: string): Record<string, string> {
    const envs: string[] = named(name, container).inputs.env ?? [];
    return Object.fromEntries(envs.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

describe("MesosCluster (unit, mocked engine)", () => {
    it("creates one network, the five roles and one volume per stateful role, named <name>-<role>", async () => {
        await deploy();
        assert.deepStrictEqual(byType(container).map((c) => c.name).sort(),
            ["wraxl-agent1", "wraxl-master", "wraxl-redis", "wraxl-scheduler", "wraxl-zookeeper"]);
        assert.deepStrictEqual(byType(network).map((n) => n.inputs.name), ["test-wraxl"]);
        assert.deepStrictEqual(byType(volume).map((v) => v.inputs.name).sort(), [
            "test-wraxl-agent1-work", "test-wraxl-master-work", "test-wraxl-redis-data", "test-wraxl-zookeeper-data",
        ]);
        assert.deepStrictEqual(byType("clusterlab:core:Service").map((s) => s.parent), Array(5).fill("wraxl"));
    });

    it("labels every container, network and volume with stack, cluster and role", async () => {
        await deploy();
        const labelled = recorded.filter((r) => /:(Container|Network|Volume)$/.test(r.type));
        assert.strictEqual(labelled.length, 10);
        for (const resource of labelled) {
            const labels = resource.inputs.labels;
            assert.strictEqual(labels["clusterlab.stack"], "test", resource.name);
            assert.strictEqual(labels["clusterlab.cluster"], "wraxl", resource.name);
            assert.ok(labels["clusterlab.role"], resource.name);
        }
        assert.strictEqual(named("wraxl-agent1", container).inputs.labels["clusterlab.role"], "agent");
        assert.strictEqual(named("wraxl-agent1", container).inputs.labels["clusterlab.instance"], "agent1");
    });

    it("starts each role only after the roles it needs are ready", async () => {
        await deploy();
        assert.deepStrictEqual(named("wraxl-zookeeper", container).dependsOn.filter((d) => d.startsWith("wraxl-")), ["wraxl-zookeeper-data"]);
        assert.ok(named("wraxl-master", container).dependsOn.includes("wraxl-zookeeper"));
        assert.ok(named("wraxl-agent1", container).dependsOn.includes("wraxl-master"));
        assert.deepStrictEqual(named("wraxl-scheduler", container).dependsOn, ["wraxl-master", "wraxl-redis", "wraxl-agent1"]);
        for (const c of byType(container)) {
            assert.ok(c.inputs.healthcheck.shellCommand, `${c.name} has a readiness test, so it counts as created only when ready`);
        }
    });

    it("joins every role to the cluster network under its role name", async () => {
        await deploy({ agents: [{ name: "a1" }, { name: "a2" }] });
        for (const c of byType(container)) {
            // By the network's id: a network made again makes its containers anew (test/faults).
            assert.strictEqual(c.inputs.network, "wraxl-network-id", c.name);
            assert.deepStrictEqual(c.inputs.aliases, [c.inputs.hostname]);
        }
        assert.deepStrictEqual(byType(container).map((c) => c.inputs.hostname).sort(),
            ["a1", "a2", "master", "redis", "scheduler", "zookeeper"]);
    });

    it("renders each agent's resources, attributes and containerizers into its MESOS_* env", async () => {
        await deploy({
            agents: [{ name: "yow1", resources: { cpus: 2, mem: 2048, high: 0, low: 2, world: 1 }, attributes: { location: "yow" }, containerizers: ["mesos"] }],
        });
        assert.deepStrictEqual(env("wraxl-yow1"), {
            CLUSTERLAB_BUILD_GID: "1000",
            CLUSTERLAB_BUILD_HOME: "/home/wrlbuild",
            CLUSTERLAB_BUILD_UID: "1000",
            CLUSTERLAB_BUILD_USER: "wrlbuild",
            MESOS_ATTRIBUTES: "location:yow",
            MESOS_CONTAINERIZERS: "mesos",
            MESOS_HOSTNAME: "yow1",
            MESOS_MASTER: "zk://zookeeper:2181/mesos",
            MESOS_PORT: "5051",
            MESOS_RESOURCES: "cpus:2;mem:2048;high:0;low:2;world:1",
            MESOS_WORK_DIR: "/var/lib/mesos/agent",
        });
        assert.strictEqual(env("wraxl-master").MESOS_ZK, "zk://zookeeper:2181/mesos");
        assert.strictEqual(env("wraxl-master").MESOS_CLUSTER, "wraxl");
    });

    it("keys agents by name, so removing one leaves the others' resource names unchanged", async () => {
        await deploy({ agents: [{ name: "a1" }, { name: "a2" }, { name: "a3" }] });
        const before = recorded.map((r) => r.name).filter((n) => !n.includes("a2"));
        await deploy({ agents: [{ name: "a1" }, { name: "a3" }] });
        assert.deepStrictEqual(recorded.map((r) => r.name).sort(), before.sort());
    });

    it("publishes ports on the host's bind address only, and reports host-side URLs", async () => {
        const { outputs } = await deploy();
        const published = byType(container).flatMap((c) => c.inputs.ports ?? []);
        assert.deepStrictEqual(published.map((p: { ip: string; internal: number; external: number }) => [p.ip, p.internal, p.external]).sort(),
            [["127.0.0.1", 2181, 2181], ["127.0.0.1", 5050, 5050], ["127.0.0.1", 6379, 6379]]);
        assert.strictEqual(outputs.masterUrl, "http://127.0.0.1:5050");
        assert.strictEqual(outputs.zookeeperUrl, "zk://127.0.0.1:2181/mesos");
        assert.strictEqual(outputs.redisUrl, "redis://127.0.0.1:6379");
    });

    it("falls back to in-network URLs when nothing is published", async () => {
        const { outputs } = await deploy({ master: { port: false }, zookeeper: { port: false }, redis: { port: false } });
        assert.deepStrictEqual(byType(container).flatMap((c) => c.inputs.ports ?? []), []);
        assert.strictEqual(outputs.masterUrl, "http://master:5050");
        assert.strictEqual(outputs.zookeeperUrl, "zk://zookeeper:2181/mesos");
        assert.strictEqual(outputs.redisUrl, "redis://redis:6379");
    });

    it("pins every image: upstream Mesos by tag, images/ builds by content, with BASE_IMAGE", async () => {
        await deploy();
        const images = byType(image);
        assert.deepStrictEqual(images.map((i) => i.name).sort(),
            ["wraxl-agent-image", "wraxl-master-image", "wraxl-redis-image", "wraxl-scheduler-image", "wraxl-zookeeper-image"]);
        assert.strictEqual(named("wraxl-master-image").inputs.name, "mesosphere/mesos-master:1.7.1");
        for (const image of images) {
            assert.match(image.inputs.name, /:[0-9a-z.]+$/, image.name);
            assert.doesNotMatch(image.inputs.name, /:latest$/, image.name);
            if (image.inputs.build !== undefined) {
                assert.deepStrictEqual(image.inputs.build.buildArgs, { BASE_IMAGE: "debian:bookworm-slim" });
                assert.match(image.inputs.name, /^clusterlab\/[a-z-]+:[0-9a-f]{12}$/);
            }
        }
        // Containers run the image by its readable, content-pinned name, which `docker ps` shows.
        assert.strictEqual(named("wraxl-zookeeper", container).inputs.image, named("wraxl-zookeeper-image").inputs.name);
        // The build folder relative to the program's (the checkout's root here): a moved checkout is no diff.
        assert.strictEqual(named("wraxl-zookeeper-image").inputs.build.context, "images/zookeeper");
        assert.strictEqual(named("wraxl-zookeeper-image").raw!.build.useLegacyBuilder, true, "built over the provider's own connection");
        assert.strictEqual(named("wraxl-zookeeper-image").raw!.keepLocally, true, "images stay on the engine as a cache");
    });

    it("builds a shared image once when master and agents use the same stand-in", async () => {
        await deploy({ master: { image: { build: "mesos-standin" } }, agentImage: { build: "mesos-standin" }, agents: 2 });
        const standins = byType(image).filter((i) => i.inputs.build?.context?.endsWith("mesos-standin"));
        assert.strictEqual(standins.length, 1);
        assert.strictEqual(named("wraxl-agent2", container).inputs.image, named("wraxl-master", container).inputs.image);
    });

    it("ships the rendered scheduler config and starts the scheduler as the seed does", async () => {
        await deploy({ scheduler: { queuePrefix: "dev", runsOn: ["world"] } });
        const scheduler = named("wraxl-scheduler", container);
        assert.deepStrictEqual(scheduler.inputs.command, [
            "wraxl_scheduler", "--master", "zk://zookeeper:2181/mesos", "--redis", "redis:6379", "--config", "/etc/wraxl/scheduler.yaml",
        ]);
        assert.strictEqual(scheduler.inputs.files[0].path, "/etc/wraxl/scheduler.yaml");
        assert.match(scheduler.inputs.files[0].content, /^queue_prefix: dev$/m);
        assert.match(scheduler.inputs.files[0].content, /^runs_on: \[world\]$/m);
        assert.deepStrictEqual(scheduler.inputs.mounts, []);
    });

    it("mounts a local scheduler source read-only over /opt/wraxl", async () => {
        await deploy({ scheduler: { source: "/home/me/wraxl" } });
        assert.deepStrictEqual(named("wraxl-scheduler", container).inputs.mounts,
            [{ type: "bind", source: "/home/me/wraxl", target: "/opt/wraxl", readOnly: true }]);
    });

    it("outputs the queue names and a ready-to-paste enqueue command", async () => {
        const { outputs } = await deploy();
        assert.deepStrictEqual(outputs.queueNames, { high: "wraxl_high", low: "wraxl_low", world: "wraxl_world" });
        assert.match(outputs.enqueueCommand, /^docker exec test-wraxl-scheduler python3 -c '.*Queue\("wraxl_low".*wraxl_queue\.exec_cmd/);
        assert.deepStrictEqual(Object.keys(outputs.containerNames).sort(), ["agent1", "master", "redis", "scheduler", "zookeeper"]);
        assert.strictEqual(outputs.containerNames.agent1, "test-wraxl-agent1");
    });

    it("rejects bad args before registering any resource, naming every bad path", () => {
        resetRecorded();
        assert.throws(() => new MesosCluster("bad", {
            agents: [{ name: "a", resources: { low: 0, world: 0, gpus: 1 } as never }, { name: "a" }],
            scheduler: { queuePrefix: "has space" },
        }), (error: Error) => {
            assert.strictEqual(error.message, [
                'invalid MesosCluster "bad" args:',
                "  agents[0].resources.gpus: is not a known setting: expected cpus, mem, disk, high, low or world",
                '  agents[1].name: must be unique: agents[0] is already named "a", got "a"',
                '  scheduler.queuePrefix: must be letters, digits, _ or - (it is part of Redis queue names), got "has space"',
            ].join("\n"));
            return true;
        });
        assert.deepStrictEqual(recorded.filter((r) => r.type.includes("docker")), []);
    });

    it("refuses agents that offer nothing the scheduler runs, the seed's trap", () => {
        assert.throws(() => new MesosCluster("trap", { agents: [{ name: "a1", resources: { high: 1, low: 0, world: 0 } }] }),
            /agents: no agent offers any of the resources the scheduler starts jobs on \(low, world\), so no job would ever run/);
    });

    it("refuses agents on other hosts while a host of the cluster is advertised at a loopback address, naming each such host once, before any resource", async () => {
        const { Host } = require("../../components/core/host") as typeof import("../../components/core/host");
        const args = (local: Record<string, string>, h2: Record<string, string>) => ({
            host: new Host("local", local),
            hosts: {
                h2: new Host("h2", { docker: "tcp://10.0.0.2:2375", ...h2 }),
                h3: new Host("h3", { docker: "ssh://root@10.0.0.3", bindAddress: "0.0.0.0", advertiseAddress: "10.0.0.3" }),
            },
            // a1 on h2 (loopback), a2 on h3 (reachable), a3 on h2 again: h2 is named once, at a1.
            agentHosts: ["h2", "h3"],
            agents: [{ name: "a1", port: 15051 }, { name: "a2", port: 15051 }, { name: "a3", port: 15052 }],
        });
        resetRecorded();
        assert.throws(() => new MesosCluster("bad", args({}, {})), (error: Error) => error.message === [
            'invalid MesosCluster "bad" args:',
            '  host: runs on host "local" (the local engine), advertised at 127.0.0.1, a loopback address: the cluster spans hosts and its roles are reached at their host\'s address from the other hosts; give the host a bindAddress or advertiseAddress they reach',
            '  agents[0]: runs on host "h2" (tcp://10.0.0.2:2375), advertised at 127.0.0.1, a loopback address: the cluster spans hosts and its roles are reached at their host\'s address from the other hosts; give the host a bindAddress or advertiseAddress they reach',
        ].join("\n") || assert.fail(error.message));
        assert.throws(() => new MesosCluster("bad", args({ bindAddress: "10.0.0.1" }, { advertiseAddress: "localhost" })),
            (error: Error) => /^ {2}agents\[0\]: runs on host "h2" \(tcp:\/\/10\.0\.0\.2:2375\), advertised at localhost, a loopback address/m.test(error.message)
                && !/^ {2}host:/m.test(error.message) || assert.fail(error.message));
        await settle();
        assert.deepStrictEqual(recorded.filter((r) => r.type.includes("dynamic") || r.type.startsWith("docker:")), []);
        // Reachable addresses everywhere: the same cluster deploys.
        const { outputs } = await deploy(args({ bindAddress: "10.0.0.1" }, { bindAddress: "10.0.0.2" }));
        assert.deepStrictEqual(Object.keys(outputs.containerNames).sort(), ["a1", "a2", "a3", "master", "redis", "scheduler", "zookeeper"]);
        // One agent on its own host is no cluster over hosts: a laptop's loopback host is fine.
        await deploy({ agents: [{ name: "a1", port: 15051 }] });
    });
});
