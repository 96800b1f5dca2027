import * as assert from "assert";
import { isCustomResource } from "../../bench/lib/clusterlab-side";
import { renderComposeProject } from "../../bench/lib/compose-file";
import { deployedGraph } from "../../bench/lib/deployment";
import { busyCores, cpuTicks } from "../../bench/lib/idle-load";
import { figureOf, growthPer10x, ratioOf } from "../../bench/lib/stats";

const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", plaintext: JSON.stringify(value) });
const { renderContainerArgs } = require("../../components/core/docker/container-args") as typeof import("../../components/core/docker/container-args");

/** A `docker.Container`'s inputs as a state export holds them: its env and uploads secret, its network by id. */
function container(name: string, extra: Partial<Parameters<typeof renderContainerArgs>[0]> = {}) {
    const { envs, uploads, ...plain } = renderContainerArgs({
        name, hostname: name, image: "clusterlab/oar:0123456789ab", env: ["A=1"], labels: { "clusterlab.stack": "s" },
        network: "net-id", aliases: [name], ports: [], mounts: [], files: [], waitTimeoutSeconds: 60, init: true, privileged: false,
        restart: "unless-stopped", extraHosts: {}, ...extra,
    });
    return { ...plain, envs: secret(envs), uploads: secret(uploads) };
}
const exported = {
    deployment: {
        resources: [
            { urn: "urn:net", type: "docker:index/network:Network", id: "net-id", inputs: { name: "s-oar", driver: "bridge" } },
            { urn: "urn:server", type: "docker:index/container:Container", dependencies: ["urn:net", "urn:image"], inputs: container("server", {
                env: ["PASSWORD=pa$$word"],
                healthcheck: { shellCommand: "test -e /ready", intervalSeconds: 2, timeoutSeconds: 5, retries: 30, startPeriodSeconds: 60 },
                mounts: [{ type: "volume", source: "db-vol", target: "/var/lib/db", readOnly: false }],
                files: [{ path: "/etc/key", content: "private $KEY", mode: 0o600 }],
                memoryMb: 256,
            }) },
            { urn: "urn:node1", type: "docker:index/container:Container", dependencies: ["urn:net", "urn:server", "urn:image"], inputs: container("node1", {
                ports: [{ ip: "127.0.0.1", internal: 22, external: 2222 }], command: ["sshd", "-D"],
                healthcheck: { shellCommand: "sshd-answers", intervalSeconds: 10, timeoutSeconds: 5, retries: 5, startPeriodSeconds: 60 },
            }) },
            { urn: "urn:image", type: "docker:index/remoteImage:RemoteImage", inputs: { name: "clusterlab/oar:0123456789ab" } },
        ],
    },
};

describe("bench: the idle load", () => {
    it("reads busy and total ticks from /proc/stat (idle and iowait are not busy) and averages busy cores", () => {
        const before = cpuTicks("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n");
        assert.deepStrictEqual(before, { busy: 150, total: 1000 });
        const after = cpuTicks("cpu  250 0 100 1600 50 0 0 0 0 0\n");
        assert.strictEqual(busyCores(before, after, 2), 0.4, "200 busy of 1000 ticks on 2 cores");
        assert.throws(() => cpuTicks("intr 1 2 3\n"), /no cpu line/);
    });
});

describe("bench: statistics", () => {
    it("takes the median, min and max of repeated runs, and a ratio of medians", () => {
        assert.deepStrictEqual(figureOf([30, 10, 20]), { median: 20, min: 10, max: 30, runs: [30, 10, 20] });
        assert.strictEqual(figureOf([10, 20, 30, 40]).median, 25);
        assert.strictEqual(ratioOf(figureOf([12]), figureOf([10])), 1.2);
        assert.throws(() => figureOf([]), /at least one run/);
    });

    it("says how a cost grows per 10× of size: flat, linear, quadratic", () => {
        assert.deepStrictEqual(growthPer10x([{ size: 100, cost: 5 }, { size: 10, cost: 5 }]), [{ from: 10, to: 100, per10x: 1 }]);
        assert.deepStrictEqual(growthPer10x([{ size: 10, cost: 1 }, { size: 1000, cost: 100 }]), [{ from: 10, to: 1000, per10x: 10 }]);
        assert.deepStrictEqual(growthPer10x([{ size: 10, cost: 1 }, { size: 100, cost: 100 }]), [{ from: 10, to: 100, per10x: 100 }]);
    });
});

describe("bench: the compose file generated from a deployment", () => {
    const graph = deployedGraph(exported);
    const file = renderComposeProject(graph);
    const services = file.services as Record<string, Record<string, any>>;

    it("reads containers with secrets revealed and which containers each waited for", () => {
        assert.deepStrictEqual(graph.containers.map((c) => [c.inputs.name, c.after]), [["server", []], ["node1", ["urn:server"]]]);
        assert.deepStrictEqual(graph.containers[0].inputs.env, ["PASSWORD=pa$$word"]);
        assert.throws(() => deployedGraph({ deployment: { resources: [{ urn: "u", type: "docker:index/container:Container",
            inputs: { envs: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "x" } } }] } }), /--show-secrets/);
    });

    it("keeps names, image, limits, mounts, ports and the healthcheck, and escapes $ for compose", () => {
        assert.deepStrictEqual(services.server.environment, ["PASSWORD=pa$$$$word"]);
        assert.strictEqual(services.server.container_name, "server");
        assert.strictEqual(services.server.mem_limit, "256m");
        assert.deepStrictEqual(services.server.healthcheck, { test: ["CMD-SHELL", "test -e /ready"], interval: "2s", timeout: "5s", retries: 30, start_period: "60s" });
        assert.deepStrictEqual(services.server.volumes, [{ type: "volume", source: "db-vol", target: "/var/lib/db", read_only: false }]);
        assert.deepStrictEqual(file.volumes, { "db-vol": { name: "db-vol" } });
        assert.deepStrictEqual(services.node1.ports, [{ host_ip: "127.0.0.1", published: "2222", target: 22, protocol: "tcp" }]);
        assert.deepStrictEqual(services.node1.command, ["sshd", "-D"]);
    });

    it("gives compose the same check at no more than the 2 s readiness cadence: it learns readiness only from Docker's tests", () => {
        assert.deepStrictEqual(services.node1.healthcheck, { test: ["CMD-SHELL", "sshd-answers"], interval: "2s", timeout: "5s", retries: 5, start_period: "60s" });
    });

    it("ships files as inline configs with their mode, and waits for a healthy dependency as clusterlab does", () => {
        assert.deepStrictEqual(services.server.configs, [{ source: "server_etc_key", target: "/etc/key", uid: "0", gid: "0", mode: 0o600 }]);
        assert.deepStrictEqual((file.configs as Record<string, unknown>).server_etc_key, { content: "private $$KEY" });
        assert.deepStrictEqual(services.node1.depends_on, { server: { condition: "service_healthy" } });
        assert.strictEqual(services.server.depends_on, undefined);
    });

});

describe("bench: a docker.Container read through the view", () => {
    const graph = deployedGraph(exported);

    it("names its network (given by id), reveals its uploads as files, keeps its wait", () => {
        const inputs = graph.containers[0].inputs;
        assert.strictEqual(inputs.network, "s-oar", "the network the container names by id, by its name");
        assert.deepStrictEqual(inputs.files, [{ path: "/etc/key", content: "private $KEY", mode: 0o600 }]);
        assert.strictEqual(inputs.waitTimeoutSeconds, 60);
        assert.deepStrictEqual(inputs.labels, { "clusterlab.stack": "s" });
        assert.deepStrictEqual(graph.containers[0].after, [], "networks and images are no containers to wait for");
    });
});

describe("bench: Pulumi alone's yardstick", () => {
    it("counts every resource a provider makes, on either kind of resource, and no component, stack or provider", () => {
        const types = ["pulumi:pulumi:Stack", "pulumi:providers:docker", "clusterlab:oar:OarCluster", "clusterlab:core:Service",
            "docker:index/container:Container", "docker:index/network:Network", "pulumi-nodejs:dynamic/docker:Exec"];
        assert.deepStrictEqual(types.filter(isCustomResource), ["docker:index/container:Container", "docker:index/network:Network", "pulumi-nodejs:dynamic/docker:Exec"]);
    });
});
