import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import * as fc from "fast-check";
import * as path from "path";
import { ContainerSpec, renderContainerArgs, renderDuration, renderPermissions } from "../../components/core/docker/container-args";
import { parseDuration, secretInputsLabel, viewContainer } from "../../components/core/docker/container-view";
import { buildContextPath } from "../../components/core/image";
import { installMocks } from "../support/mocks";

installMocks("test");
const { renderProviderArgs } = require("../../components/core/docker/provider") as typeof import("../../components/core/docker/provider");

/** A role's container as Service describes it: redis with a volume, a file, a healthcheck and a limit. */
function redisSpec(overrides: Partial<ContainerSpec> = {}): ContainerSpec {
    return {
        name: "dev-wraxl-redis", hostname: "redis", image: "clusterlab/redis:0123456789ab",
        env: ["APPENDONLY=yes", "MAXMEMORY=64mb"],
        labels: { "clusterlab.stack": "dev", "clusterlab.role": "redis", "clusterlab.cluster": "wraxl" },
        network: "dev-wraxl", aliases: ["redis"],
        ports: [{ ip: "127.0.0.1", internal: 6379, external: 16379 }, { ip: "127.0.0.1", internal: 8301, external: 18301, protocol: "udp" }],
        mounts: [{ type: "volume", source: "dev-wraxl-redis-data", target: "/data", readOnly: false }],
        files: [{ path: "/etc/redis.conf", content: "maxmemory 64mb\n", mode: 0o600 }],
        healthcheck: { shellCommand: "redis-cli ping | grep -q PONG", intervalSeconds: 2, timeoutSeconds: 5, retries: 5, startPeriodSeconds: 90 },
        waitTimeoutSeconds: 180, init: true, privileged: false, memoryMb: 256, restart: "unless-stopped",
        extraHosts: { zookeeper: "10.0.0.1", master: "10.0.0.1" },
        ...overrides,
    };
}

describe("@pulumi/docker args (pure)", () => {
    it("a role's container: sorted labels, its network alias, TCP said outright, canonical durations, wait on its healthcheck, a graceful stop", () => {
        const args = renderContainerArgs(redisSpec());
        assert.deepStrictEqual(args.labels, [
            { label: "clusterlab.cluster", value: "wraxl" }, { label: "clusterlab.role", value: "redis" }, { label: "clusterlab.stack", value: "dev" },
        ]);
        assert.deepStrictEqual(args.networksAdvanced, [{ name: "dev-wraxl", aliases: ["redis"] }]);
        assert.deepStrictEqual(args.ports, [
            { internal: 6379, external: 16379, ip: "127.0.0.1", protocol: "tcp" },
            { internal: 8301, external: 18301, ip: "127.0.0.1", protocol: "udp" },
        ]);
        assert.deepStrictEqual(args.healthcheck, { tests: ["CMD-SHELL", "redis-cli ping | grep -q PONG"], interval: "2s", timeout: "5s", retries: 5, startPeriod: "1m30s" });
        assert.strictEqual(args.wait, true);
        assert.strictEqual(args.waitTimeout, 180);
        assert.deepStrictEqual(args.uploads, [{ file: "/etc/redis.conf", content: "maxmemory 64mb\n", permissions: "0600" }]);
        assert.deepStrictEqual(args.hosts, [{ host: "master", ip: "10.0.0.1" }, { host: "zookeeper", ip: "10.0.0.1" }]);
        // Swap said outright (as `docker run --memory` gives it), so a refresh reads back what was given.
        assert.strictEqual(args.memory, 256);
        assert.strictEqual(args.memorySwap, 512);
        assert.strictEqual(args.destroyGraceSeconds, 10);
        assert.strictEqual(args.mustRun, true);
    });

    it("a container without a healthcheck is not waited on (the provider refuses `wait` without one)", () => {
        const args = renderContainerArgs(redisSpec({ healthcheck: undefined, memoryMb: undefined }));
        assert.strictEqual(args.wait, undefined);
        assert.strictEqual(args.healthcheck, undefined);
        assert.strictEqual(args.memory, undefined);
        assert.strictEqual(args.memorySwap, undefined);
    });

    it("the view reads a rendered container back as the spec it came from (property)", () => {
        const spec = fc.record({
            env: fc.array(fc.stringMatching(/^[A-Z_]{1,8}=[a-z0-9]{0,8}$/), { maxLength: 4 }),
            interval: fc.integer({ min: 1, max: 7200 }),
            start: fc.integer({ min: 0, max: 7200 }),
            mode: fc.constantFrom(0o600, 0o644, 0o755),
            memoryMb: fc.option(fc.integer({ min: 16, max: 65536 }), { nil: undefined }),
            udp: fc.boolean(),
        });
        fc.assert(fc.property(spec, ({ env, interval, start, mode, memoryMb, udp }) => {
            const given = redisSpec({
                env, memoryMb,
                healthcheck: { shellCommand: "true", intervalSeconds: interval, timeoutSeconds: 5, retries: 3, startPeriodSeconds: start },
                files: [{ path: "/x", content: "y", mode }],
                ports: [{ ip: "0.0.0.0", internal: 1, external: 2, ...(udp ? { protocol: "udp" as const } : {}) }],
            });
            const view = viewContainer(renderContainerArgs(given) as unknown as Record<string, unknown>);
            const { extraHosts, memoryMb: limit, ...rest } = given;
            assert.deepStrictEqual(view, {
                ...rest,
                ...(limit === undefined ? {} : { memoryMb: limit }),
                extraHosts: Object.keys(extraHosts).sort().map((host) => `${host}:${extraHosts[host]}`),
                secretInputs: [],
            });
        }), { numRuns: 200 });
    });

    it("the view reads the secret-inputs label as the list the policy pack checks, and leaves it out of the role's labels", () => {
        const args = renderContainerArgs(redisSpec({ labels: { "clusterlab.role": "db", [secretInputsLabel]: "env:DB_PASSWORD,file:/k" } }));
        const view = viewContainer(args as unknown as Record<string, unknown>);
        assert.deepStrictEqual(view.secretInputs, ["env:DB_PASSWORD", "file:/k"]);
        assert.deepStrictEqual(view.labels, { "clusterlab.role": "db" });
    });

    it("durations as Go prints them, and back", () => {
        assert.deepStrictEqual([0, 2, 59, 60, 90, 3600, 3725].map(renderDuration), ["0s", "2s", "59s", "1m0s", "1m30s", "1h0m0s", "1h2m5s"]);
        assert.deepStrictEqual(["0s", "2s", "1m0s", "1h2m5s", "500ms"].map(parseDuration), [0, 2, 60, 3725, 0.5]);
        assert.deepStrictEqual([0o644, 0o600, 0o755].map(renderPermissions), ["0644", "0600", "0755"]);
    });

    it("a build folder relative to the program's folder, absolute when it is not below it", () => {
        assert.strictEqual(buildContextPath("/work/app/images/oar", "/work/app"), "images/oar");
        assert.strictEqual(buildContextPath("/work/app/node_modules/clusterlab/images/oar", "/work/app"), path.join("node_modules", "clusterlab", "images", "oar"));
        assert.strictEqual(buildContextPath("/opt/clusterlab/images/oar", "/work/app"), "/opt/clusterlab/images/oar");
    });

    it("a host's provider: its endpoint, TLS material as secrets, ssh options as ssh flags; nothing for the ambient engine", async () => {
        const { valueOf } = await import("../support/mocks");
        assert.deepStrictEqual(renderProviderArgs({}), {});
        const tls = renderProviderArgs({ dockerHost: "tcp://10.0.0.3:2376", tls: { ca: "CA", cert: "CERT", key: "KEY" } });
        assert.strictEqual(tls.host, "tcp://10.0.0.3:2376");
        for (const [field, value] of [["caMaterial", "CA"], ["certMaterial", "CERT"], ["keyMaterial", "KEY"]] as const) {
            const output = tls[field] as pulumi.Output<string>;
            assert.strictEqual(await valueOf(output), value);
            assert.strictEqual(await pulumi.isSecret(output), true, `${field} is a secret`);
        }
        const ssh = renderProviderArgs({ dockerHost: "ssh://root@10.0.0.3", ssh: { options: { Port: "2222", IdentityFile: "~/.ssh/k" } } });
        assert.deepStrictEqual(ssh, { host: "ssh://root@10.0.0.3", sshOpts: ["-o", "IdentityFile=~/.ssh/k", "-o", "Port=2222"] });
    });
});
