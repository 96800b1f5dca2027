import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { byType, dockerProviders, dockerTypes, installMocks, named, recorded, resetRecorded, settle, valueOf } from "../support/mocks";
import { readStackFile, stackConfigAsPulumiGivesIt, configProblems } from "../support/stack-config";

installMocks("test");
const { readStackConfig } = require("../../stacks/config") as typeof import("../../stacks/config");
const { deployStack } = require("../../stacks/program") as typeof import("../../stacks/program");
const { renderUpstream } = require("../../components/edm/render") as typeof import("../../components/edm/render");
const { diffShipment } = require("../../components/core/docker/image-ship") as typeof import("../../components/core/docker/image-ship");
const { portClashes } = require("../../components/core/placement") as typeof import("../../components/core/placement");

const container = dockerTypes.container;
const imageType = dockerTypes.image;
const shipmentType = "pulumi-nodejs:dynamic/docker:ImageShipment";

const hosts = {
    local: { bindAddress: "10.0.0.1" },
    h2: { docker: "tcp://10.0.0.2:2375", bindAddress: "10.0.0.2", socketPath: "/srv/h2/docker.sock" },
    h3: { docker: "ssh://root@10.0.0.3", bindAddress: "0.0.0.0", advertiseAddress: "10.0.0.3" },
};
const crossHostPorts = { consulSerfLan: 8301, consulServerRpc: 8300 };
const edm = (extra: Record<string, unknown> = {}) => ({
    kind: "edm", host: "local",
    master: { ports: crossHostPorts },
    workerHosts: ["h2", "h3"],
    workers: 3,
    ...extra,
});
const stackOf = (clusters: Record<string, unknown>) => stackConfigAsPulumiGivesIt({ "clusterlab:hosts": hosts, "clusterlab:clusters": clusters });

const problemsOf = configProblems;

async function deploy(clusters: Record<string, unknown>) {
    resetRecorded();
    const outputs = deployStack(readStackConfig(stackOf(clusters)));
    const values = Object.fromEntries(await Promise.all(Object.entries(outputs.edm).map(async ([k, v]) => [k, await valueOf(v)])));
    await settle();
    return values as Record<string, any>;
}

const envOf = (name: string): Record<string, string> => Object.fromEntries((named(name, container).inputs.env as string[])
    .map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));

describe("EDM platform over several hosts (unit, mocked engine)", () => {
    it("graph per host: the master's roles on its host, workers round-robin over workerHosts, one network per host", async () => {
        const outputs = await deploy({ edm: edm() });
        const engineOf = Object.fromEntries(byType(container).map((c) => [c.inputs.name, c.inputs.dockerHost ?? "local"]));
        assert.deepStrictEqual(engineOf, {
            "test-edm-consul": "local", "test-edm-gogs": "local", "test-edm-nginx": "local", "test-edm-nginx-upstream": "local",
            "test-edm-worker1-consul": "tcp://10.0.0.2:2375", "test-edm-worker1-registrator": "tcp://10.0.0.2:2375", "test-edm-worker1-api": "tcp://10.0.0.2:2375",
            "test-edm-worker2-consul": "ssh://root@10.0.0.3", "test-edm-worker2-registrator": "ssh://root@10.0.0.3", "test-edm-worker2-api": "ssh://root@10.0.0.3",
            "test-edm-worker3-consul": "tcp://10.0.0.2:2375", "test-edm-worker3-registrator": "tcp://10.0.0.2:2375", "test-edm-worker3-api": "tcp://10.0.0.2:2375",
        });
        // Each container on its own host's network (named by id), all named `<stack>-<cluster>`.
        const networkById = Object.fromEntries(byType(dockerTypes.network).map((n) => [`${n.name}-id`, `${n.inputs.name}@${n.inputs.dockerHost ?? "local"}`]));
        for (const c of byType(container)) {
            assert.strictEqual(networkById[c.inputs.network], `test-edm@${c.inputs.dockerHost ?? "local"}`, c.name);
        }
        const networks = byType(dockerTypes.network).map((n) => `${n.inputs.name}@${n.inputs.dockerHost ?? "local"}`).sort();
        assert.deepStrictEqual(networks, ["test-edm@local", "test-edm@ssh://root@10.0.0.3", "test-edm@tcp://10.0.0.2:2375"]);
        assert.deepStrictEqual(outputs.workerHosts, { worker1: "h2", worker2: "h3", worker3: "h2" });
        assert.deepStrictEqual(outputs.workerApiUrls, { worker1: "http://10.0.0.2:8833", worker2: "http://10.0.0.3:8834", worker3: "http://10.0.0.2:8835" });
    });

    it("images are built only on the master's engine and shipped once per other host, skipping nothing the workers run", async () => {
        await deploy({ edm: edm() });
        const builds = byType(imageType).map((i) => `${i.inputs.name.replace(/:.*/, "")}@${i.inputs.dockerHost ?? "local"}`).sort();
        assert.deepStrictEqual(builds, [
            "clusterlab/consul@local", "clusterlab/edm-nginx@local", "clusterlab/edm-worker-api@local", "clusterlab/gitea@local", "clusterlab/registrator-standin@local",
        ]);
        const shipments = byType(shipmentType).map((s) => `${s.inputs.name.replace(/:.*/, "")}@${s.inputs.dockerHost}`).sort();
        assert.deepStrictEqual(shipments, [
            "clusterlab/consul@ssh://root@10.0.0.3", "clusterlab/consul@tcp://10.0.0.2:2375",
            "clusterlab/edm-worker-api@ssh://root@10.0.0.3", "clusterlab/edm-worker-api@tcp://10.0.0.2:2375",
            "clusterlab/registrator-standin@ssh://root@10.0.0.3", "clusterlab/registrator-standin@tcp://10.0.0.2:2375",
        ]);
        const consulToH2 = named("edm-image-consul-h2", shipmentType);
        assert.strictEqual(consulToH2.inputs.name, named("edm-image-consul", imageType).inputs.name, "the same content tag on both engines");
        assert.strictEqual(consulToH2.inputs.sourceImageId, "sha256:edm-image-consul", "a rebuild on the master's engine ships again");
        // Workers on a host run the shipped image, by the name it has on the master's engine.
        assert.strictEqual(named("edm-worker1-consul", container).inputs.image, named("edm-image-consul", imageType).inputs.name);
    });

    it("advertised addresses: consul server and clients -advertise their host's address with explicit serf (TCP+UDP) and RPC ports", async () => {
        await deploy({ edm: edm() });
        assert.deepStrictEqual(named("edm-consul", container).inputs.command, [
            "agent", "-server", "-bootstrap-expect=1", "-ui", "-node=master", "-client=0.0.0.0", "-data-dir=/consul/data",
            "-advertise=10.0.0.1", "-serf-lan-port=8301", "-server-port=8300",
        ]);
        assert.deepStrictEqual(named("edm-consul", container).inputs.ports, [
            { ip: "10.0.0.1", internal: 8500, external: 8500 },
            { ip: "10.0.0.1", internal: 8301, external: 8301 },
            { ip: "10.0.0.1", internal: 8301, external: 8301, protocol: "udp" },
            { ip: "10.0.0.1", internal: 8300, external: 8300 },
        ]);
        assert.deepStrictEqual(named("edm-worker2-consul", container).inputs.command, [
            "agent", "-node=worker2", "-retry-join=10.0.0.1:8301", "-client=0.0.0.0", "-data-dir=/consul/data",
            "-advertise=10.0.0.3", "-serf-lan-port=8312",
        ]);
        assert.deepStrictEqual(named("edm-worker3-consul", container).inputs.ports, [
            { ip: "10.0.0.2", internal: 8500, external: 8513 },
            { ip: "10.0.0.2", internal: 8313, external: 8313 },
            { ip: "10.0.0.2", internal: 8313, external: 8313, protocol: "udp" },
        ]);
        assert.deepStrictEqual(named("edm-worker3-consul", container).raw!.ports.filter((p: { protocol: string }) => p.protocol === "udp"),
            [{ ip: "10.0.0.2", internal: 8313, external: 8313, protocol: "udp" }]);
        assert.deepStrictEqual(named("edm-worker2-registrator", container).inputs.command, ["-explicit", "-ip", "10.0.0.3", "consul://worker2-consul:8500"]);
        const api = envOf("edm-worker1-api");
        assert.strictEqual(api.WORKER_IP, "10.0.0.2");
        assert.strictEqual(api.GOGS_URL, "http://10.0.0.1:10080", "gogs at the master's address and published port");
        assert.strictEqual(api.WORKER_API_URL, "http://10.0.0.2:8833", "other workers forward to its published port");
        const registration = JSON.parse(envOf("edm-worker2-api").CONSUL_SERVICE);
        assert.strictEqual(registration.Address, "10.0.0.3", "consul lists the API at its host's address");
        assert.strictEqual(registration.Port, 8834, "and its published port");
    });

    it("binds THAT host's engine socket into the worker API and registrator (socketPath, default /var/run/docker.sock)", async () => {
        await deploy({ edm: edm() });
        const socketOf = (name: string) => (named(name, container).inputs.mounts as { type: string; source: string }[])
            .filter((m) => m.type === "bind").map((m) => m.source);
        assert.deepStrictEqual(socketOf("edm-worker1-api"), ["/srv/h2/docker.sock"]);
        assert.deepStrictEqual(socketOf("edm-worker1-registrator"), ["/srv/h2/docker.sock"]);
        assert.deepStrictEqual(socketOf("edm-worker2-api"), ["/var/run/docker.sock"]);
    });

    it("nginx reaches remote workers at their host's address and published port, a worker beside it by its alias (golden edm-upstream-remote.conf)", async () => {
        await deploy({ edm: edm({ workerHosts: undefined, workers: [{ name: "worker1", host: "h2" }, { name: "worker2", host: "h3" }, { name: "worker3" }] }) });
        const content = named("edm-upstream", container).inputs.files[0].content as string;
        const golden = fs.readFileSync(path.join(__dirname, "..", "render", "golden", "edm-upstream-remote.conf"), "utf8");
        assert.strictEqual(content, golden);
        assert.strictEqual(content, renderUpstream([
            { worker: "worker1", address: "10.0.0.2", port: 8833 }, { worker: "worker2", address: "10.0.0.3", port: 8834 },
            { worker: "worker3", address: "worker3-api", port: 8833 },
        ]));
        // The local worker gossips at its host's address too (every agent must reach every other),
        // but keeps the aliases for what stays on its host.
        assert.deepStrictEqual(named("edm-worker3-consul", container).inputs.command.slice(2, 3), ["-retry-join=consul"]);
        assert.strictEqual(envOf("edm-worker3-api").GOGS_URL, "http://gogs:3000");
    });

    it("a one-host platform renders as before: no -advertise, no serf ports, the default socket", async () => {
        await deploy({ edm: { kind: "edm" } });
        for (const c of byType(container)) {
            assert.ok(!(c.inputs.command ?? []).some((a: string) => a.startsWith("-advertise")), c.name);
            assert.ok((c.inputs.ports as { protocol?: string; internal: number }[]).every((p) => !("protocol" in p) && p.internal !== 8301), c.name);
        }
        assert.strictEqual(byType(shipmentType).length, 0);
        assert.deepStrictEqual(envOf("edm-worker1-api").WORKER_API_URL, "http://worker1-api:8833");
    });

    it("stacks/presets/multi-server.yaml: the EDM master on local, worker1 on host2 and worker2 on host3", async () => {
        resetRecorded();
        const outputs = deployStack(readStackConfig(readStackFile("multi-server")));
        assert.deepStrictEqual(await valueOf(outputs.edm.workerHosts), { worker1: "host2", worker2: "host3" });
        await settle();
        assert.strictEqual(named("edm-worker2-api", container).inputs.dockerHost, "ssh://root@10.213.0.3");
        assert.ok((dockerProviders()["docker-host3"].sshOpts ?? []).length > 0, "the ssh options go with its provider");
    });

    it("refuses consul advertising a loopback address, which no other container reaches", async () => {
        resetRecorded();
        const local = stackConfigAsPulumiGivesIt({ "clusterlab:clusters": { edm: { kind: "edm", master: { ports: crossHostPorts } } } });
        assert.throws(() => deployStack(readStackConfig(local)),
            /ports\.consulSerfLan: agents would advertise host "local" \(the local engine\) at 127\.0\.0\.1, a loopback address no container reaches/);
        await settle();
        assert.strictEqual(recorded.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/") || r.type.startsWith("docker:")).length, 0, "no resource before the error");
    });

    const bad: [string, Record<string, unknown>, string[]][] = [
        ["remote workers with consul's gossip and gogs unpublished",
            { edm: edm({ master: { ports: { gogs: false } } }) }, [
                'clusterlab:clusters.edm.master.ports.consulSerfLan: must be a host port: worker "worker1" (host "h2"), "worker2" (host "h3"), "worker3" (host "h2") join consul across hosts, got false',
                'clusterlab:clusters.edm.master.ports.consulServerRpc: must be a host port: worker "worker1" (host "h2"), "worker2" (host "h3"), "worker3" (host "h2") join consul across hosts, got false',
                'clusterlab:clusters.edm.master.ports.gogs: must be a host port: worker "worker1" (host "h2"), "worker2" (host "h3"), "worker3" (host "h2") clone from gogs across hosts, got false',
            ]],
        ["only one of the two consul ports published",
            { edm: edm({ master: { ports: { consulSerfLan: 8301 } } }) }, [
                "clusterlab:clusters.edm.master.ports.consulServerRpc: must be a host port when ports.consulSerfLan is one: agents on other hosts need both, got nothing",
            ]],
        ["two workers on one host with one serf port (TCP and UDP), and the same ports on two hosts (fine)",
            { edm: edm({ workers: [{ name: "worker1", serfPort: 9000 }, { name: "worker2", serfPort: 9000 }, { name: "worker3", serfPort: 9000 }] }) }, [
                'clusterlab:clusters.edm.workers[2].serfPort: must differ from workers[0].serfPort: both publish host port 9000 on host "h2", got 9000',
                'clusterlab:clusters.edm.workers[2].serfPort: must differ from workers[0].serfPort: both publish host port 9000/udp on host "h2", got 9000',
            ]],
        ["a worker naming the master's host with the master's serf port",
            { edm: edm({ workerHosts: undefined, workers: [{ name: "worker1", host: "local", serfPort: 8301 }] }) }, [
                'clusterlab:clusters.edm.workers[0].serfPort: must differ from master.ports.consulSerfLan: both publish host port 8301 on host "local", got 8301',
                'clusterlab:clusters.edm.workers[0].serfPort: must differ from master.ports.consulSerfLan: both publish host port 8301/udp on host "local", got 8301',
            ]],
        ["a worker on a host the stack does not have",
            { edm: edm({ workerHosts: ["h2", "h9"] }) }, [
                'clusterlab:clusters.edm.workerHosts[1]: must name a host under clusterlab:hosts (local, h2, h3), got "h9"',
            ]],
    ];
    for (const [what, clusters, expected] of bad) {
        it(`rejects ${what}, naming every path, before any resource`, () => {
            resetRecorded();
            assert.deepStrictEqual(problemsOf(stackOf(clusters)), expected);
            assert.strictEqual(recorded.length, 0);
        });
    }
});

describe("core additions for cross-host platforms (pure)", () => {
    it("portClashes: one number for TCP and UDP is no clash; twice for one protocol on one host is", () => {
        assert.deepStrictEqual(portClashes([
            { path: ["a"], host: "h", port: 8301 }, { path: ["a"], host: "h", port: 8301, protocol: "udp" },
        ]), []);
        assert.deepStrictEqual(portClashes([
            { path: ["a"], host: "h", port: 8301, protocol: "udp" }, { path: ["b"], host: "h", port: 8301, protocol: "udp" },
        ]), [{ path: ["b"], earlier: ["a"], port: 8301, message: 'must differ from a: both publish host port 8301/udp on host "h"' }]);
    });

    it("ImageShipment: ships again when the image (its id on the source) or the target changes, not for connection settings", () => {
        const base = { dockerHost: "tcp://h2:2375", name: "clusterlab/consul:abc", sourceImageId: "sha256:1", source: { dockerHost: undefined }, imageId: "sha256:1" };
        assert.deepStrictEqual(diffShipment(base, { ...base, imageId: undefined }), { changes: false, replaces: [], deleteBeforeReplace: false });
        assert.deepStrictEqual(diffShipment(base, { ...base, source: { dockerHost: "unix:///other.sock" }, dockerTls: { ca: "x" } }).changes, false);
        assert.deepStrictEqual(diffShipment(base, { ...base, sourceImageId: "sha256:2" }).replaces, ["sourceImageId"]);
        assert.deepStrictEqual(diffShipment(base, { ...base, dockerHost: "tcp://h3:2375" }).replaces, ["dockerHost"]);
    });
});
