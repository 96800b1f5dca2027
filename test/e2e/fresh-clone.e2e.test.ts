import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { docker, e2eOptOut, prepareToolchain, repoRoot } from "./support/toolchain";

// A user's clone stays as checked out after the README's commands (#21 item 7): Pulumi writes
// into a stack's file (the salt of the checkout's own passphrase, its own YAML layout), so the
// shipped stacks are presets the scripts copy to gitignored stack files. Run in a copy of the
// checkout made into a git repository of its own, with the checkout's defaults: its own file
// backend and a passphrase made on first use, as on a fresh clone.

const describeE2e = e2eOptOut ? describe.skip : describe;

/** The environment of a user who set nothing: no backend, passphrase or token of the test run's. */
function userEnv(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    for (const name of ["PULUMI_BACKEND_URL", "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"]) {
        delete env[name];
    }
    return env;
}

describeE2e("A fresh clone: `npm run up` brings the local stack (all five kinds on one engine) up; it, `npm run review` and `npm run down` leave `git status` empty", function () {
    this.timeout(20 * 60 * 1000);
    let clone: string;
    let started = 0;
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=clusterlab", "-c", "user.email=clusterlab@localhost", ...args], { cwd: clone, encoding: "utf8" });
    const run = (script: string, ...args: string[]) => {
        const result = spawnSync("bash", [path.join("scripts", script), ...args], { cwd: clone, encoding: "utf8", env: userEnv(), timeout: 10 * 60 * 1000 });
        assert.strictEqual(result.status, 0, `${script} ${args.join(" ")}:\n${result.stdout.slice(-3000)}\n${result.stderr}`);
        return result;
    };

    before(function () {
        started = Date.now();
        prepareToolchain();
        // `down` checks that nothing labelled `local` is left: a developer's own local stack on
        // this engine would be taken for a leftover.
        if (docker("ps", "-aq", "--filter", "label=clusterlab.stack=local") !== "") {
            console.log("      skipped: a stack named local runs on this engine (npm run down first)");
            this.skip();
        }
        clone = fs.mkdtempSync(path.join(os.tmpdir(), "clusterlab-clone-"));
        // What git would check out (new files of a working tree too), with their times, so that
        // npm-deps.sh finds the shared node_modules as new as the lock file.
        execFileSync("bash", ["-c", `git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "${clone}"`], { cwd: repoRoot });
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(clone, "node_modules"));
        git("init", "-q");
        git("add", "-A");
        git("commit", "-q", "-m", "a fresh clone");
    });

    after(() => {
        if (clone !== undefined) {
            fs.rmSync(clone, { recursive: true, force: true });
        }
        console.log(`    suite fresh clone: ${((Date.now() - started) / 1000).toFixed(1)}s`);
    });

    it("`npm run up` brings the local stack up from its preset, prints its outputs, and the stack file it made is ignored by git", () => {
        const up = run("up.sh", "local");
        assert.match(up.stderr, /made stacks\/Pulumi\.local\.yaml from stacks\/presets\/local\.yaml/);
        for (const line of ["wraxl.masterUrl: http://127.0.0.1:5050", "hadoop.namenodeUrl: http://127.0.0.1:9870"]) {
            assert.ok(up.stdout.includes(`\n${line}\n`), `${line} not among up's outputs:\n${up.stdout.slice(-3000)}`);
        }
        const stackFile = fs.readFileSync(path.join(clone, "stacks", "Pulumi.local.yaml"), "utf8");
        assert.match(stackFile, /^encryptionsalt: v1:/m, "Pulumi wrote this checkout's salt into the stack file");
        assert.match(stackFile, /clusterlab:clusters:/);
        assert.strictEqual(git("status", "--porcelain"), "");
    });

    it("`npm run review -- --stack local` reviews against the deployed state: no change; the clone stays clean", () => {
        const out = path.join(clone, "..", `${path.basename(clone)}-review.md`);
        try {
            run("review.sh", "--stack", "local", "--out", out);
            const review = fs.readFileSync(out, "utf8").split("\n");
            assert.match(review[3], /^Against the deployed stack's state in `file:\/\/.*\/\.pulumi-state`\.$/);
            assert.ok(review.includes("No resource changes."), review.slice(0, 12).join("\n"));
        } finally {
            fs.rmSync(out, { force: true });
        }
        assert.strictEqual(git("status", "--porcelain"), "");
    });

    it("`npm run down` destroys it and checks nothing labelled is left; `git status` is still empty", () => {
        run("down.sh", "local");
        assert.strictEqual(git("status", "--porcelain"), "");
    });
});
