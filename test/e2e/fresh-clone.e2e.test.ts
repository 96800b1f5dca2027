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

describeE2e("A fresh clone stays clean: `npm run review`, a `pulumi config set`, `npm run up` and `npm run down` of the local stack leave `git status` empty", function () {
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

    it("`npm run review -- --stack local` first: the stack file is made from the preset with a secret seed, the review is of a new stack with every cluster of the preset; `git status` is empty", () => {
        const out = path.join(clone, "..", `${path.basename(clone)}-review.md`);
        try {
            const review = run("review.sh", "--stack", "local", "--out", out);
            assert.match(review.stderr, /made stacks\/Pulumi\.local\.yaml from stacks\/presets\/local\.yaml/);
            const markdown = fs.readFileSync(out, "utf8").split("\n");
            assert.match(markdown[3], /^A new stack: `file:\/\/.*\/\.pulumi-state` holds no state of it, so every resource shows as created\.$/);
            for (const cluster of ["wraxl (MesosCluster)", "oar (OarCluster)", "aurora (AuroraWithCustomExecutor)", "hadoop (HadoopCluster)", "edm (EdmMaster)"]) {
                assert.ok(markdown.includes(`### ${cluster}`), `${cluster} missing from the review`);
            }
        } finally {
            fs.rmSync(out, { force: true });
        }
        const stackFile = fs.readFileSync(path.join(clone, "stacks", "Pulumi.local.yaml"), "utf8");
        assert.match(stackFile, /^encryptionsalt: v1:/m, "Pulumi wrote this checkout's salt into the stack file");
        assert.match(stackFile, /clusterlab:secretSeed:\n\s+secure: v1:/, "the stack's secret seed, encrypted");
        assert.strictEqual(git("status", "--porcelain"), "");
    });

    it("the user makes the stack their own with `pulumi config set` (one one-node OAR cluster): Pulumi rewrites the stack file; `git status` is empty", () => {
        const set = spawnSync("bash", ["-c", [
            "set -e", 'eval "$(bash scripts/toolchain.sh 2>/dev/null)"', "source scripts/local-backend.sh",
            "pulumi config rm --stack local clusterlab:clusters",
            "pulumi config set --stack local --path clusterlab:clusters.oar.kind oar",
            "pulumi config set --stack local --path clusterlab:clusters.oar.nodes 1",
        ].join("\n")], { cwd: clone, encoding: "utf8", env: userEnv() });
        assert.strictEqual(set.status, 0, set.stderr);
        assert.match(fs.readFileSync(path.join(clone, "stacks", "Pulumi.local.yaml"), "utf8"), /clusterlab:clusters:\n\s+oar:\n\s+kind: oar\n\s+nodes: 1\n/);
        assert.strictEqual(git("status", "--porcelain"), "");
    });

    it("`npm run up` deploys it and prints its outputs; `git status` is empty", () => {
        const up = run("up.sh", "local");
        assert.ok(/\noar\.submitCommand: docker exec local-oar-frontend /.test(`\n${up.stdout}`), up.stdout.slice(-3000));
        assert.doesNotMatch(up.stderr, /made (stacks|clusterlab)/, "the stack file and its seed were made once, by the review");
        assert.strictEqual(git("status", "--porcelain"), "");
    });

    it("`npm run down` destroys it and checks nothing labelled is left; `git status` is still empty", () => {
        run("down.sh", "local");
        assert.strictEqual(git("status", "--porcelain"), "");
    });
});
