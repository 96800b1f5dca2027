import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { containerProvider, DockerContainerInputs, renderReadinessProbe } from "../../components/core/docker/resources";
import { fakeDockerOnPath } from "../support/fake-docker";

const healthcheck = (intervalSeconds: number) =>
    ({ shellCommand: "/usr/local/bin/healthcheck", intervalSeconds, timeoutSeconds: 5, retries: 5, startPeriodSeconds: 60 });

describe("readiness probe (unit)", () => {
    it("is made only when Docker's interval is longer than the 2 s readiness cadence", () => {
        assert.strictEqual(renderReadinessProbe(healthcheck(2), 300), undefined);
        assert.strictEqual(renderReadinessProbe(healthcheck(1), 300), undefined);
        const probe = renderReadinessProbe(healthcheck(10), 300)!;
        assert.deepStrictEqual(probe.slice(0, 4), ["timeout", "300", "/bin/sh", "-c"]);
        // The check and its timeout are arguments of the loop, never spliced into its text.
        assert.deepStrictEqual(probe.slice(5), ["readiness-probe", "/usr/local/bin/healthcheck", "5"]);
    });

    /** Runs the probe's argv here, as `docker exec` runs it in a container; its exit code. */
    function runProbe(check: string, deadlineSeconds: number): Promise<{ code: number; ms: number }> {
        const [command, ...args] = renderReadinessProbe({ ...healthcheck(10), shellCommand: check }, deadlineSeconds)!;
        const started = Date.now();
        return new Promise((resolve) => execFile(command, args, (error) =>
            resolve({ code: error === null ? 0 : Number((error as { code?: number }).code), ms: Date.now() - started })));
    }

    it("run in a real shell: tests until the check first passes, half a second apart", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-"));
        const ready = path.join(dir, "ready");
        setTimeout(() => fs.writeFileSync(ready, ""), 700);
        const { code, ms } = await runProbe(`test -f '${ready}'`, 10);
        fs.rmSync(dir, { recursive: true, force: true });
        assert.strictEqual(code, 0);
        assert.ok(ms >= 700 && ms < 2500, `passed ${ms} ms after start, the check passing from 700 ms`);
    });

    it("run in a real shell: ends at its deadline when the check never passes (timeout's 124)", async () => {
        const { code, ms } = await runProbe("false", 1);
        assert.strictEqual(code, 124);
        assert.ok(ms < 3000, `ended after ${ms} ms`);
    });
});

describe("DockerContainer create: readiness (unit: a faked docker CLI)", () => {
    // `events` prints the file `events` (if any), then waits to be killed; `exec` exits with the
    // code in `exec-rc` (default 0); every call is logged.
    const fake = fakeDockerOnPath((dir) => [
        `d="${dir}"`,
        `echo "$*" >> "$d/calls"`,
        `case "$1" in`,
        `container) echo "Error: No such object: $5" >&2; exit 1;;`,
        `create) echo cid;;`,
        `events) cat "$d/events" 2>/dev/null; exec sleep 30;;`,
        `exec) exit "$(cat "$d/exec-rc" 2>/dev/null || echo 0)";;`,
        `esac`,
    ]);
    const inputs = (intervalSeconds: number): DockerContainerInputs => ({
        name: "c-node1", hostname: "node1", image: "sha256:1", env: [], labels: {}, network: "n", aliases: [],
        ports: [], mounts: [], files: [], healthcheck: healthcheck(intervalSeconds), waitTimeoutSeconds: 300,
        init: true, privileged: false, restart: "unless-stopped", secretInputs: [],
    });
    const calls = (verb: string) => fake.read("calls").split("\n").filter((call) => call.startsWith(`${verb} `));

    it("with a 10 s interval: ready when the probe passes, before Docker's first test would say so", async () => {
        await containerProvider.create!(inputs(10));
        assert.strictEqual(calls("exec").length, 1);
        assert.match(calls("exec")[0], /^exec cid timeout 300 \/bin\/sh -c .* readiness-probe \/usr\/local\/bin\/healthcheck 5$/);
    });

    it("with the 2 s default: no probe, ready when Docker reports healthy", async () => {
        fs.writeFileSync(path.join(fake.dir, "events"), "health_status: healthy\n");
        await containerProvider.create!(inputs(2));
        assert.deepStrictEqual(calls("exec"), []);
    });

    it("with a 10 s interval and a probe that fails: Docker's events still decide (a death is an error)", async () => {
        fs.writeFileSync(path.join(fake.dir, "exec-rc"), "124");
        fs.writeFileSync(path.join(fake.dir, "events"), "die\n");
        await assert.rejects(containerProvider.create!(inputs(10)), /c-node1 did not become ready: its main process exited/);
        assert.strictEqual(calls("rm").length, 1, "the container that never became ready is removed");
    });
});
