import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const script = path.resolve(__dirname, "..", "..", "scripts", "stop-orphan-providers.sh");

/** True while a process runs (and is not a zombie). */
function alive(pid: number): boolean {
    try {
        return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    } catch {
        return false;
    }
}

describe("scripts/stop-orphan-providers.sh (real processes)", () => {
    let dir: string;
    const started: number[] = [];

    /**
     * A stand-in provider: `sleep` whose command line reads like Pulumi's dynamic provider, its
     * working directory `cwd`, started by a parent that is `pulumi` (a bash linked under that
     * name, which keeps running) or by a shell that exits at once (the provider is orphaned).
     * `mentionOnly`: a shell whose command line only mentions the provider's path. `argv0`: what
     * its command line reads as instead (a plugin binary, a program run by the language host).
     */
    function provider(cwd: string, parent: "pulumi" | "gone", mentionOnly = false, argv0 = "node /x/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js"): number {
        const pidFile = path.join(dir, `pid-${started.length}`);
        const start = path.join(dir, `start-${started.length}.sh`);
        fs.writeFileSync(start, [
            mentionOnly
                ? `(cd '${cwd}' && exec bash -c 'sleep 60; : node /x/cmd/dynamic-provider/index.js') >/dev/null 2>&1 &`
                : `(cd '${cwd}' && exec -a '${argv0}' sleep 60) >/dev/null 2>&1 &`,
            `echo $! > '${pidFile}'`,
            ...(parent === "pulumi" ? ["wait"] : []),
        ].join("\n"));
        const shell = parent === "pulumi" ? path.join(dir, "pulumi") : "bash";
        spawnSync("bash", ["-c", `'${shell}' '${start}' >/dev/null 2>&1 & while [ ! -s '${pidFile}' ]; do sleep 0.05; done`], { timeout: 10000 });
        const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
        started.push(pid);
        return pid;
    }

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "orphans-"));
        fs.mkdirSync(path.join(dir, "project", "stacks"), { recursive: true });
        fs.mkdirSync(path.join(dir, "other"));
        fs.symlinkSync(fs.realpathSync("/bin/bash"), path.join(dir, "pulumi"));
    });

    afterEach(() => {
        for (const pid of started.splice(0)) {
            try {
                process.kill(pid, "SIGKILL");
            } catch {
                // already gone
            }
        }
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("stops a provider of the folder's program whose pulumi is gone, and no other", () => {
        const orphan = provider(path.join(dir, "project", "stacks"), "gone");
        const owned = provider(path.join(dir, "project", "stacks"), "pulumi");
        const elsewhere = provider(path.join(dir, "other"), "gone");
        const mention = provider(path.join(dir, "project"), "gone", true);
        assert.ok([orphan, owned, elsewhere, mention].every(alive), "the stand-ins run");
        const run = spawnSync("bash", [script, path.join(dir, "project")], { encoding: "utf8", timeout: 20000 });
        assert.strictEqual(run.status, 0, run.stderr);
        spawnSync("sleep", ["0.2"]);
        assert.ok(!alive(orphan), `the orphan ${orphan} was stopped: ${run.stderr}`);
        assert.match(run.stderr, new RegExp(`stopping pid ${orphan}, a plugin of a pulumi that no longer runs`));
        assert.ok(alive(owned), "a provider whose pulumi runs is left alone");
        assert.ok(alive(elsewhere), "another folder's provider is left alone");
        assert.ok(alive(mention), "a process that only mentions the provider's path is left alone");
    });

    it("stops the docker provider, language host and program a killed pulumi left, and leaves them while it runs", () => {
        const stacks = path.join(dir, "project", "stacks");
        const plugins = [
            "/root/.pulumi/plugins/resource-docker-v5.2.0/pulumi-resource-docker",
            "/root/.cache/clusterlab/pulumi/bin/pulumi-language-nodejs",
            "/usr/bin/node /x/node_modules/@pulumi/pulumi/cmd/run/index.js --monitor 127.0.0.1:46325 --engine 127.0.0.1:46389 --stack e2e-x --",
        ];
        const orphans = plugins.map((argv0) => provider(stacks, "gone", false, argv0));
        const owned = plugins.map((argv0) => provider(stacks, "pulumi", false, argv0));
        const unrelated = provider(stacks, "gone", false, "/usr/bin/pulumi-resourceful-tool");
        assert.ok([...orphans, ...owned, unrelated].every(alive), "the stand-ins run");
        const run = spawnSync("bash", [script, path.join(dir, "project")], { encoding: "utf8", timeout: 20000 });
        assert.strictEqual(run.status, 0, run.stderr);
        spawnSync("sleep", ["0.2"]);
        orphans.forEach((pid, i) => assert.ok(!alive(pid), `the orphan ${plugins[i]} (${pid}) was stopped: ${run.stderr}`));
        owned.forEach((pid, i) => assert.ok(alive(pid), `${plugins[i]} whose pulumi runs is left alone`));
        assert.ok(alive(unrelated), "a binary whose name only starts like a plugin's is left alone");
    });
});
