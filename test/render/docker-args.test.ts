import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { labelFlags, renderCreateArgs } from "../../bench/lib/docker-create-args";
import type { DeployedContainerInputs } from "../../bench/lib/deployment";
import { ustarArchive } from "../../bench/lib/tar";
import { changedKeys } from "../../components/core/docker/cli";

const base: DeployedContainerInputs = {
    name: "dev-wraxl-redis", hostname: "redis", image: "sha256:abc", env: ["A=1", "B=two words"],
    labels: { "clusterlab.stack": "dev", "clusterlab.cluster": "wraxl" }, network: "dev-wraxl", aliases: ["redis"],
    ports: [{ ip: "127.0.0.1", internal: 6379, external: 6379 }],
    mounts: [{ type: "volume", source: "dev-wraxl-redis-data", target: "/data", readOnly: false }],
    files: [], waitTimeoutSeconds: 180, init: false, privileged: false, restart: "unless-stopped", secretInputs: [],
};

describe("the benchmarks' docker helpers: the floor's docker create, tar, changed keys", () => {
    it("renders docker create flags for a container's inputs", () => {
        assert.deepStrictEqual(renderCreateArgs({
            ...base,
            command: ["redis-server", "--appendonly", "yes"],
            healthcheck: { shellCommand: "redis-cli ping", intervalSeconds: 2, timeoutSeconds: 5, retries: 5, startPeriodSeconds: 0 },
            init: true, memoryMb: 256,
            mounts: [...base.mounts, { type: "bind", source: "/src", target: "/opt/src", readOnly: true }],
        }), [
            "create", "--name", "dev-wraxl-redis", "--hostname", "redis", "--network", "dev-wraxl",
            "--network-alias", "redis",
            "--label", "clusterlab.cluster=wraxl", "--label", "clusterlab.stack=dev",
            "--env", "A=1", "--env", "B=two words",
            "--publish", "127.0.0.1:6379:6379",
            "--mount", "type=volume,source=dev-wraxl-redis-data,target=/data",
            "--mount", "type=bind,source=/src,target=/opt/src,readonly",
            "--restart", "unless-stopped", "--init", "--memory", "256m",
            "--health-cmd", "redis-cli ping", "--health-interval", "2s", "--health-timeout", "5s",
            "--health-retries", "5", "--health-start-period", "0s",
            "sha256:abc", "redis-server", "--appendonly", "yes",
        ]);
    });

    it("adds --add-host for each extra host, nothing when none", () => {
        assert.ok(!renderCreateArgs(base).includes("--add-host"));
        const args = renderCreateArgs({ ...base, extraHosts: ["server:10.0.0.2"] });
        assert.deepStrictEqual(args.slice(args.indexOf("--add-host"), args.indexOf("--add-host") + 2), ["--add-host", "server:10.0.0.2"]);
    });

    it("publishes a UDP port with /udp", () => {
        const args = renderCreateArgs({ ...base, ports: [{ ip: "10.0.0.2", internal: 8313, external: 8313, protocol: "udp" }] });
        assert.strictEqual(args[args.indexOf("--publish") + 1], "10.0.0.2:8313:8313/udp");
    });

    it("brackets an IPv6 bind address in --publish", () => {
        const args = renderCreateArgs({ ...base, ports: [{ ip: "::1", internal: 80, external: 8080 }] });
        assert.strictEqual(args[args.indexOf("--publish") + 1], "[::1]:8080:80");
    });

    it("sorts labels, so their order in code is no diff", () => {
        assert.deepStrictEqual(labelFlags({ b: "2", a: "1" }), ["--label", "a=1", "--label", "b=2"]);
    });

    it("finds the changed inputs, ignoring Pulumi's own and the given keys", () => {
        assert.deepStrictEqual(changedKeys({ a: 1, b: [1], c: "x", __provider: "p" }, { a: 1, b: [2], d: true, __provider: "q" }),
            ["b", "c", "d"]);
        assert.deepStrictEqual(changedKeys({ build: { context: "/a" } }, { build: { context: "/b" } }, ["build"]), []);
    });

    it("writes a tar that tar itself reads back: files only, modes kept, long paths split", () => {
        const longPath = `/opt/${"deep/".repeat(25)}file.txt`;
        const archive = ustarArchive([
            { path: "/etc/wraxl/scheduler.yaml", content: "queue_prefix: wraxl\n" },
            { path: "/usr/local/bin/run", content: "#!/bin/sh\necho hi\n", mode: 0o755 },
            { path: longPath, content: "x" },
        ]);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterlab-tar-"));
        const file = path.join(dir, "a.tar");
        fs.writeFileSync(file, archive);
        const listing = execFileSync("tar", ["-tvf", file], { encoding: "utf8" }).trim().split("\n");
        assert.strictEqual(listing.length, 3, listing.join("\n"));
        assert.match(listing[0], /^-rw-r--r-- .* etc\/wraxl\/scheduler\.yaml$/);
        assert.match(listing[1], /^-rwxr-xr-x .* usr\/local\/bin\/run$/);
        assert.ok(listing[2].endsWith(longPath.slice(1)), listing[2]);
        execFileSync("tar", ["-xf", file, "-C", dir]);
        assert.strictEqual(fs.readFileSync(path.join(dir, "etc/wraxl/scheduler.yaml"), "utf8"), "queue_prefix: wraxl\n");
    });
});
