import * as assert from "assert";
import { byType, containerEnv, containerNamed, dockerTypes, installMocks, named, recorded, resetRecorded, valueOf } from "../support/mocks";
import { stackConfigAsPulumiGivesIt, configProblems } from "../support/stack-config";

installMocks("test");
const { readStackConfig } = require("../../stacks/config") as typeof import("../../stacks/config");
const { deployStack } = require("../../stacks/program") as typeof import("../../stacks/program");
const { auroraArgsSchema } = require("../../components/aurora/schema") as typeof import("../../components/aurora/schema");
const { auroraPlacementProblems, placeAurora } = require("../../components/aurora/placement") as typeof import("../../components/aurora/placement");

const container = dockerTypes.container;
const hosts = {
    local: { bindAddress: "10.0.0.1" },
    h2: { docker: "tcp://10.0.0.2:2375", bindAddress: "10.0.0.2", socketPath: "/srv/h2/docker.sock" },
    h3: { docker: "ssh://root@10.0.0.3", bindAddress: "0.0.0.0", advertiseAddress: "10.0.0.3" },
};
/** Aurora over three hosts: a1 beside the master, a2 on h2, a3 on h3; a job created in the scheduler. */
const aurora = (extra: Record<string, unknown> = {}) => ({
    kind: "aurora", host: "local",
    zookeeper: { port: 12181 }, master: { port: 15050 }, scheduler: { port: 18081 }, observer: { port: 11338 },
    agentHosts: ["local", "h2", "h3"],
    agents: [{ name: "a1", port: 15051 }, { name: "a2", port: 15051 }, { name: "a3", port: 15052 }],
    jobs: [{ name: "hello", processes: [{ name: "hello", cmdline: "echo hello" }] }],
    ...extra,
});
const stackOf = (clusters: Record<string, unknown>) => stackConfigAsPulumiGivesIt({ "clusterlab:hosts": hosts, "clusterlab:clusters": clusters });

describe("AuroraWithCustomExecutor placement (pure)", () => {
    it("places agents by their own host, else round-robin over agentHosts; every other role stays home", () => {
        const settings = auroraArgsSchema.parse({ agentHosts: ["h2", "h3"], agents: [{ name: "a" }, { name: "b", host: "local" }, { name: "c" }, { name: "d" }] });
        const placed = placeAurora(settings, "local");
        assert.deepStrictEqual(placed.agents, { a: "h2", b: "local", c: "h3", d: "h2" });
        assert.deepStrictEqual(placed.remoteAgents, ["a", "c", "d"]);
        assert.deepStrictEqual(placeAurora(auroraArgsSchema.parse({ agents: 2 }), "local"), { agents: { agent1: undefined, agent2: undefined }, remoteAgents: [] });
    });

    it("an agent's port may repeat on another host, not on its own (one naming the cluster's host explicitly)", () => {
        const settings = auroraArgsSchema.parse({
            agents: [{ name: "a", port: 15051 }, { name: "b", host: "h2", port: 15051 }, { name: "c", host: "local", port: 8081 }],
        });
        assert.deepStrictEqual(auroraPlacementProblems(settings, "local"), [
            { propertyPath: "agents[2].port", reason: 'must differ from scheduler.port: both publish host port 8081 on host "local", got 8081' },
        ]);
    });

    it("the schema still rejects one port twice on the cluster's host, as before placement existed", () => {
        const result = auroraArgsSchema.safeParse({ agents: [{ name: "a", port: 1338 }] });
        assert.ok(!result.success);
        assert.deepStrictEqual(result.error.issues.map((i) => [i.path.join("."), i.message]),
            [["agents.0.port", "must differ from observer.port: both publish host port 1338"]]);
    });
});

describe("AuroraWithCustomExecutor over several hosts (unit, mocked engine)", () => {
    beforeEach(resetRecorded);

    it("runs each agent on its host's engine with a network per host and the agent image made there; everything else home", async () => {
        const outputs = deployStack(readStackConfig(stackOf({ aurora: aurora() })));
        await valueOf(outputs.aurora.containerNames);
        const engineOf = Object.fromEntries(byType(container).map((c) => [c.inputs.name, c.inputs.dockerHost ?? "local"]));
        assert.deepStrictEqual(engineOf, {
            "test-aurora-zookeeper": "local", "test-aurora-master": "local", "test-aurora-a1": "local",
            "test-aurora-a2": "tcp://10.0.0.2:2375", "test-aurora-a3": "ssh://root@10.0.0.3",
            "test-aurora-scheduler": "local", "test-aurora-observer": "local",
            // A job's keeper runs beside the scheduler, whose job client it is.
            "test-aurora-job-www-data-prod-hello": "local",
        });
        const networks = byType(dockerTypes.network).map((n) => `${n.inputs.name}@${n.inputs.dockerHost ?? "local"}`).sort();
        assert.deepStrictEqual(networks, ["test-aurora@local", "test-aurora@ssh://root@10.0.0.3", "test-aurora@tcp://10.0.0.2:2375"]);
        // Every image on the cluster's host; each other host makes only the agent image, the same
        // reference as the cluster's own, on its own engine (no copy between hosts, no dynamic step).
        const imagesOn = (engine: string | undefined) => byType(dockerTypes.image).filter((i) => i.inputs.dockerHost === engine);
        const agentImage = named("aurora-agent-image").inputs.name;
        assert.ok(imagesOn(undefined).length >= 4, imagesOn(undefined).map((i) => i.name).join(", "));
        assert.deepStrictEqual(imagesOn("tcp://10.0.0.2:2375").map((i) => [i.name, i.inputs.name]), [["aurora-agent-image-h2", agentImage]]);
        assert.deepStrictEqual(imagesOn("ssh://root@10.0.0.3").map((i) => [i.name, i.inputs.name]), [["aurora-agent-image-h3", agentImage]]);
        assert.strictEqual(containerNamed("test-aurora-a2").inputs.image, agentImage);
        // A job's keeper runs the scheduler's image (its job client) on the scheduler's engine.
        const keeper = containerNamed("test-aurora-job-www-data-prod-hello");
        assert.deepStrictEqual([keeper.inputs.image, keeper.inputs.dockerHost], [containerNamed("test-aurora-scheduler").inputs.image, undefined]);
    });

    it("wires agents by advertised addresses: the master's, a remote agent's zookeeper URL and its own; each agent gets its own host's Docker socket", async () => {
        const outputs = deployStack(readStackConfig(stackOf({ aurora: aurora() })));
        await valueOf(outputs.aurora.containerNames);
        const master = containerEnv("test-aurora-master");
        assert.strictEqual(master.MESOS_ADVERTISE_IP, "10.0.0.1");
        assert.strictEqual(master.MESOS_ADVERTISE_PORT, "15050");
        assert.strictEqual(master.LIBPROCESS_ADVERTISE_IP, "10.0.0.1");
        const a2 = containerEnv("test-aurora-a2");
        assert.strictEqual(a2.MESOS_MASTER, "zk://10.0.0.1:12181/mesos");
        assert.strictEqual(a2.MESOS_ADVERTISE_IP, "10.0.0.2");
        assert.strictEqual(a2.LIBPROCESS_ADVERTISE_PORT, "15051");
        const a3 = containerEnv("test-aurora-a3");
        assert.strictEqual(a3.MESOS_ADVERTISE_IP, "10.0.0.3", "a wildcard bind address advertises advertiseAddress");
        assert.strictEqual(a3.MESOS_ADVERTISE_PORT, "15052");
        const a1 = containerEnv("test-aurora-a1");
        assert.strictEqual(a1.MESOS_MASTER, "zk://zookeeper:2181/mesos", "an agent beside zookeeper keeps the alias");
        assert.strictEqual(a1.MESOS_ADVERTISE_IP, undefined);
        assert.deepStrictEqual(containerNamed("test-aurora-a3").inputs.ports, [{ ip: "0.0.0.0", internal: 5051, external: 15052 }]);
        const socketOf = (name: string) => containerNamed(name).inputs.mounts.filter((m: { type: string }) => m.type === "bind");
        assert.deepStrictEqual(socketOf("test-aurora-a1"), [{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock", readOnly: false }]);
        assert.deepStrictEqual(socketOf("test-aurora-a2"), [{ type: "bind", source: "/srv/h2/docker.sock", target: "/var/run/docker.sock", readOnly: false }]);
    });

    it("a one-host Aurora cluster has no advertised env and no extra network", async () => {
        const outputs = deployStack(readStackConfig(stackOf({ aurora: aurora({ agentHosts: undefined, agents: [{ name: "a1", port: 15051 }, { name: "a2" }] }) })));
        await valueOf(outputs.aurora.containerNames);
        for (const c of byType(container)) {
            assert.strictEqual(c.inputs.dockerHost, undefined, c.inputs.name);
            const keys = (c.inputs.env as string[] ?? []).map((e) => e.slice(0, e.indexOf("=")));
            assert.ok(!keys.some((k) => /ADVERTISE/.test(k)), `${c.inputs.name}: ${keys.join(",")}`);
        }
        assert.strictEqual(byType(dockerTypes.network).length, 1);
    });

    it("rejects a cluster over several hosts whose hosts advertise a loopback address, naming each host once, before any resource", () => {
        const { AuroraWithCustomExecutor } = require("../../components/aurora") as typeof import("../../components/aurora");
        const { Host } = require("../../components/core/host") as typeof import("../../components/core/host");
        const args = {
            host: Host.local(), hosts: { h2: new Host("h2", { docker: "tcp://10.0.0.2:2375" }) },
            agentHosts: ["h2"], agents: [{ name: "a1", port: 15051 }, { name: "a2", port: 15052 }],
        };
        assert.throws(() => new AuroraWithCustomExecutor("bad", args), (error: Error) => error.message === [
            'invalid AuroraWithCustomExecutor "bad" args:',
            '  host: runs on host "local" (the local engine), advertised at 127.0.0.1, a loopback address: the cluster spans hosts and its roles are reached at their host\'s address from the other hosts; give the host a bindAddress or advertiseAddress they reach',
            '  agents[0]: runs on host "h2" (tcp://10.0.0.2:2375), advertised at 127.0.0.1, a loopback address: the cluster spans hosts and its roles are reached at their host\'s address from the other hosts; give the host a bindAddress or advertiseAddress they reach',
        ].join("\n") || assert.fail(error.message));
        assert.strictEqual(recorded.length, 0);
    });

    const bad: [string, Record<string, unknown>, string[]][] = [
        ["remote agents without published ports, zookeeper and master unpublished",
            { aurora: aurora({ zookeeper: { port: false }, master: { port: false }, agents: [{ name: "a1" }, { name: "a2" }] }) }, [
                'clusterlab:clusters.aurora.zookeeper.port: must be a host port: agent "a2" (host "h2") reach zookeeper across hosts, got false',
                'clusterlab:clusters.aurora.master.port: must be a host port: agent "a2" (host "h2") reach master across hosts, got false',
                'clusterlab:clusters.aurora.agents[1].port: must be a host port: "a2" runs on host "h2" and the master and scheduler reach it there, got false',
            ]],
        ["two agents on one host with one port, one naming the cluster's host",
            { aurora: aurora({ agentHosts: undefined, agents: [{ name: "a1", port: 15051 }, { name: "a2", port: 15051, host: "local" }] }) }, [
                'clusterlab:clusters.aurora.agents[1].port: must differ from agents[0].port: both publish host port 15051 on host "local", got 15051',
            ]],
        ["agents on hosts the stack does not have",
            { aurora: aurora({ agentHosts: ["local", "h9"], agents: [{ name: "a1", port: 1 }, { name: "a2", port: 2, host: "h8" }] }) }, [
                'clusterlab:clusters.aurora.agentHosts[1]: must name a host under clusterlab:hosts (local, h2, h3), got "h9"',
                'clusterlab:clusters.aurora.agents[1].host: must name a host under clusterlab:hosts (local, h2, h3), got "h8"',
            ]],
    ];
    for (const [what, clusters, expected] of bad) {
        it(`rejects ${what}, naming every path, before any resource`, () => {
            assert.deepStrictEqual(configProblems(stackOf(clusters)), expected);
            assert.strictEqual(recorded.length, 0);
        });
    }
});
