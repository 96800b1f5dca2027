import * as assert from "assert";
import { derivedPassword } from "../../components/core/derived-secrets";
import { byType, dockerTypes, installMocks, mockSecretSeed, named, recorded, recordingOptions, resetRecorded, settle, valueOf } from "../support/mocks";

installMocks("test");
const { createEdmPlatform, edmPlatformOutputs } = require("../../components/edm/platform") as typeof import("../../components/edm/platform");
const { EdmMaster, EdmWorker } = require("../../components/edm") as typeof import("../../components/edm");
const { Host } = require("../../components/core/host") as typeof import("../../components/core/host");

const container = dockerTypes.container;

async function deploy(args: Parameters<typeof createEdmPlatform>[1] = {}) {
    resetRecorded();
    const platform = createEdmPlatform("edm", args, Host.local(), recordingOptions());
    const outputs = edmPlatformOutputs(platform);
    const values = Object.fromEntries(await Promise.all(Object.entries(outputs).map(async ([k, v]) => [k, await valueOf(v)])));
    await settle();
    return { platform, outputs: values as Record<string, any> };
}

const env = (name: string): Record<string, string> => Object.fromEntries((named(name, container).inputs.env as string[])
    .map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));

describe("EdmMaster + EdmWorker (unit, mocked engine)", () => {
    it("puts consul, nginx and gogs on the master and a consul client, registrator and API on each worker, all on one network", async () => {
        await deploy();
        assert.deepStrictEqual(byType(container).map((c) => c.inputs.name).sort(), [
            "test-edm-consul", "test-edm-gogs", "test-edm-nginx", "test-edm-nginx-upstream",
            "test-edm-worker1-api", "test-edm-worker1-consul", "test-edm-worker1-registrator",
            "test-edm-worker2-api", "test-edm-worker2-consul", "test-edm-worker2-registrator",
        ]);
        assert.deepStrictEqual(byType(dockerTypes.network).map((n) => n.inputs.name), ["test-edm"]);
        for (const c of byType(container)) {
            assert.strictEqual(c.inputs.network, "edm-network-id", `${c.name} is on the one network, by its id`);
            assert.strictEqual(c.inputs.env.includes("SERVICE_IGNORE=true"), true, `${c.name}: registrator must leave platform containers alone`);
        }
        assert.deepStrictEqual(named("edm-worker2-consul", container).inputs.command,
            ["agent", "-node=worker2", "-retry-join=consul", "-client=0.0.0.0", "-data-dir=/consul/data"]);
        assert.deepStrictEqual(named("edm-worker1-registrator", container).inputs.command, ["-explicit", "-ip", "127.0.0.1", "consul://worker1-consul:8500"]);
        assert.ok(named("edm-worker1-api", container).dependsOn.includes("edm-worker1-consul"), "the API starts once its consul agent is ready");
    });

    it("publishes each worker's API and consul agent on its own host port, on 127.0.0.1", async () => {
        const { outputs } = await deploy({ workers: [{ name: "worker1" }, { name: "worker2" }, { name: "big", apiPort: 9000, consulPort: 9001 }] });
        const published = (name: string) => named(name, container).inputs.ports.map((p: { ip: string; external: number }) => `${p.ip}:${p.external}`);
        assert.deepStrictEqual(published("edm-worker1-api"), ["127.0.0.1:8833"]);
        assert.deepStrictEqual(published("edm-worker2-api"), ["127.0.0.1:8834"]);
        assert.deepStrictEqual(published("edm-big-api"), ["127.0.0.1:9000"]);
        assert.deepStrictEqual(published("edm-worker2-consul"), ["127.0.0.1:8512"]);
        assert.deepStrictEqual(outputs.workerApiUrls, { worker1: "http://127.0.0.1:8833", worker2: "http://127.0.0.1:8834", big: "http://127.0.0.1:9000" });
        assert.strictEqual(outputs.loadBalancerUrl, "http://127.0.0.1:8080");
        assert.strictEqual(outputs.consulUrl, "http://127.0.0.1:8500");
    });

    it("hands each worker API its own consul registration, which it makes in its agent (no resource of Pulumi's), once the agent is ready", async () => {
        const { platform } = await deploy();
        assert.deepStrictEqual(recorded.filter((r) => r.type.includes("consul")).map((r) => r.type), [], "no registration resource");
        const api = env("edm-worker2-api");
        assert.strictEqual(api.CONSUL_HTTP_ADDR, "http://worker2-consul:8500", "its own agent");
        const registration = JSON.parse(api.CONSUL_SERVICE);
        assert.strictEqual(registration.ID, "edm-worker-api-worker2");
        assert.strictEqual(registration.Check.HTTP, "http://worker2-api:8833/health");
        assert.ok(named("edm-worker2-api", container).dependsOn.includes("edm-worker2-consul"), "the API starts once its agent is ready");
        assert.strictEqual(await valueOf(platform.workers.worker2.consulServiceId), "edm-worker-api-worker2");
    });

    it("renders the nginx upstream from every worker and installs it with a one-shot step on nginx's volume, not a new nginx", async () => {
        await deploy({ workers: 3 });
        const upstream = named("edm-upstream", container);
        assert.deepStrictEqual(upstream.inputs.command, ["/usr/local/bin/edm-apply-upstream", "/run/edm/workers.conf"]);
        assert.strictEqual(upstream.inputs.image, named("edm-nginx", container).inputs.image, "nginx's own image: its nginx -t");
        assert.strictEqual(upstream.inputs.labels["clusterlab.one-shot"], "true");
        assert.strictEqual(upstream.raw!.attach, true, "up waits for it to end, and fails with it");
        const [file] = upstream.inputs.files;
        assert.strictEqual(file.path, "/run/edm/workers.conf");
        assert.deepStrictEqual([...file.content.matchAll(/server (\S+);/g)].map((m: RegExpMatchArray) => m[1]),
            ["worker1-api:8833", "worker2-api:8833", "worker3-api:8833"]);
        const volume = { type: "volume", source: "test-edm-nginx-upstream", target: "/etc/nginx/edm", readOnly: false };
        assert.deepStrictEqual(upstream.inputs.mounts, [volume]);
        assert.deepStrictEqual(named("edm-nginx", container).inputs.mounts, [volume]);
        assert.strictEqual(env("edm-upstream").NGINX_CONTAINER, "edm-nginx-id", "run again for an nginx made anew");
        assert.strictEqual(env("edm-upstream").WORKER_API_CONTAINERS, "edm-worker1-api-id,edm-worker2-api-id,edm-worker3-api-id",
            "and when a worker API is made anew: nginx resolves its new address at the reload");
        assert.deepStrictEqual(upstream.dependsOn, ["edm-nginx", "edm-worker1", "edm-worker2", "edm-worker3"]);
        assert.ok(!JSON.stringify(named("edm-nginx", container).inputs).includes("worker"), "the nginx container knows no worker");
    });

    it("keys workers by name: removing one leaves the other workers' resources and the master's containers as they were", async () => {
        await deploy({ workers: 3 });
        const before = new Map(byType(container).map((c) => [c.name, JSON.stringify(c.inputs)]));
        await deploy({ workers: [{ name: "worker1" }, { name: "worker3" }] });
        // All but the upstream step, which runs again for the new list.
        for (const c of byType(container).filter((c) => c.name !== "edm-upstream")) {
            assert.strictEqual(JSON.stringify(c.inputs), before.get(c.name), `${c.name} changed`);
        }
        assert.ok(!byType(container).some((c) => c.name.startsWith("edm-worker2")));
    });

    it("derives gogs' admin password from the stack's secret seed (no resource), ships it as a file and keeps it secret; no install wizard env is needed", async () => {
        const { platform } = await deploy();
        assert.deepStrictEqual(recorded.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/clusterlab:")).map((r) => r.type), [], "no GeneratedPassword or SshKeyPair resource");
        const password = derivedPassword(mockSecretSeed, "test/edm/gogs-admin-password");
        const gogs = named("edm-gogs", container);
        assert.deepStrictEqual(gogs.inputs.files.map((f: { path: string; content: string }) => [f.path, f.content]), [["/run/secrets/gogs-admin-password", password]]);
        assert.strictEqual(await valueOf(platform.master.gogsAdminPassword), password);
        assert.deepStrictEqual(gogs.inputs.secretInputs, ["file:/run/secrets/gogs-admin-password"]);
        assert.deepStrictEqual(env("edm-gogs"), {
            GOGS_ADMIN_PASSWORD_FILE: "/run/secrets/gogs-admin-password", GOGS_ADMIN_USER: "edm",
            GOGS_EXTERNAL_URL: "http://127.0.0.1:10080/", GOGS_HTTP_PORT: "3000", SERVICE_IGNORE: "true",
        });
        assert.ok(!gogs.inputs.env.some((e: string) => e.includes(password)), "the password is not in the env");
        assert.strictEqual(await pulumi().isSecret(platform.master.gogsAdminPassword), true);
        assert.deepStrictEqual(gogs.inputs.mounts.map((m: { source: string; target: string }) => `${m.source}:${m.target}`), ["test-edm-gogs-data:/data"]);
    });

    it("gives the worker API the docker socket (role worker-api, which the policy pack exempts), its consul agent and gogs", async () => {
        await deploy();
        const api = named("edm-worker1-api", container);
        assert.strictEqual(api.inputs.labels["clusterlab.role"], "worker-api");
        assert.strictEqual(named("edm-worker1-registrator", container).inputs.labels["clusterlab.role"], "registrator");
        assert.ok(api.inputs.mounts.some((m: { source: string; target: string }) => m.source === "/var/run/docker.sock" && m.target === "/var/run/docker.sock"));
        const { CONSUL_SERVICE: registration, ...plain } = env("edm-worker1-api");
        assert.strictEqual(JSON.parse(registration).ID, "edm-worker-api-worker1");
        assert.deepStrictEqual(plain, {
            CONSUL_HTTP_ADDR: "http://worker1-consul:8500", GOGS_URL: "http://gogs:3000", SERVICE_IGNORE: "true",
            WORKER_IP: "127.0.0.1", WORKER_API_URL: "http://worker1-api:8833", WORKER_NAME: "worker1",
        });
    });

    it("builds each image once for the whole platform: one consul build serves the server and every client", async () => {
        await deploy({ workers: 3 });
        assert.deepStrictEqual(byType(dockerTypes.image).map((i) => i.name).sort(),
            ["edm-image-consul", "edm-image-edm-nginx", "edm-image-edm-worker-api", "edm-image-gitea", "edm-image-registrator-standin"]);
        for (const name of ["edm-consul", "edm-worker1-consul", "edm-worker3-consul"]) {
            assert.strictEqual(named(name, container).inputs.image, named("edm-image-consul", dockerTypes.image).inputs.name, name);
        }
    });

    it("lets a user point a worker at their own API image", async () => {
        await deploy({ workers: [{ name: "worker1", image: "registry.example/edm-api:2.1" }] });
        assert.strictEqual(named("edm-image-registry-example-edm-api-2-1").inputs.name, "registry.example/edm-api:2.1");
        assert.strictEqual(named("edm-worker1-api", container).inputs.image, "registry.example/edm-api:2.1");
    });

    it("rejects bad args before any resource, naming every bad path", async () => {
        resetRecorded();
        assert.throws(() => createEdmPlatform("edm", {
            master: { gogsAdminUser: "admin" },
            workers: [{ name: "worker1" }, { name: "big" }, { name: "master", apiPort: 9100, consulPort: 9101 }, { name: "worker1" }],
        } as never, Host.local()), (error: Error) => {
            assert.strictEqual(error.message, [
                `invalid EDM platform "edm" args:`,
                `  master.gogsAdminUser: must not be admin, a name gogs and Gitea reserve, got "admin"`,
                `  workers[2].name: must not be master, the master's consul node, got "master"`,
                `  workers[3].name: must be unique: workers[0] is already named "worker1", got "worker1"`,
            ].join("\n"));
            return true;
        });
        assert.throws(() => createEdmPlatform("edm", { master: { ports: { gogs: 8833 } }, workers: [{ name: "worker1" }, { name: "big" }] }, Host.local()),
            (error: Error) => {
                assert.strictEqual(error.message, [
                    `invalid EDM platform "edm" args:`,
                    `  workers[1].apiPort: must be set: only a worker named workerN (N 1-99) has a default, got nothing`,
                    `  workers[1].consulPort: must be set: only a worker named workerN (N 1-99) has a default, got nothing`,
                    `  workers[0].apiPort: must differ from master.ports.gogs: both publish host port 8833, got nothing`,
                ].join("\n"));
                return true;
            });
        assert.strictEqual(byType(container).length, 0);
    });

    it("refuses a worker on another Docker engine than a master that does not publish consul's gossip, rather than wiring it half", () => {
        resetRecorded();
        const master = new EdmMaster("m", {}, recordingOptions());
        assert.throws(() => new EdmWorker("w", { name: "worker1", master, host: new Host("other", { docker: "tcp://10.0.0.2:2375" }) }),
            /host: runs on host "other" \(tcp:\/\/10\.0\.0\.2:2375\), not the master's engine: the master must publish consul's gossip \(ports\.consulSerfLan and ports\.consulServerRpc\)/);
        const noGogs = new EdmMaster("m2", { ports: { consulSerfLan: 8301, consulServerRpc: 8300, gogs: false }, host: new Host("here", { bindAddress: "10.0.0.1" }) },
            recordingOptions());
        assert.throws(() => new EdmWorker("w2", { name: "worker1", master: noGogs, host: new Host("other", { docker: "tcp://10.0.0.2:2375" }) }),
            /host: .*the master must publish gogs \(ports\.gogs\)/);
    });
});

function pulumi() {
    return require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
}
