import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "..", "..");

describe("npm scripts given a stack that does not exist", () => {
    const cases: [string, string[]][] = [
        ["up", ["scripts/up.sh", "lcoal"]],
        ["down", ["scripts/down.sh", "lcoal"]],
        ["recover", ["scripts/recover.sh", "lcoal"]],
        ["review", ["scripts/review.sh", "--stack", "lcoal"]],
    ];
    for (const [script, args] of cases) {
        it(`${script} stops at once with one line naming the stacks there are`, () => {
            const run = spawnSync("bash", args, { cwd: root, encoding: "utf8", timeout: 20000, env: { ...process.env, PATH: process.env.PATH } });
            assert.strictEqual(run.status, 2, run.stderr);
            assert.strictEqual(run.stdout, "");
            // Other stacks' files may be there too (a suite's running stack), so only `local` is sure.
            assert.match(run.stderr,
                /^no stack "lcoal": there is no stacks\/Pulumi\.lcoal\.yaml and no preset stacks\/presets\/lcoal\.yaml\. Stacks here: (\S+ )*local( \S+)*\. Pick one, or write that file first\.\n$/);
        });
    }
});

describe("scripts/stack-file.sh: a shipped stack's preset becomes this checkout's own stack file", () => {
    // In a folder of its own: the function works on ./stacks, as the scripts run it from the root.
    const withStacks = (files: Record<string, string>) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterlab-stack-file-"));
        for (const [file, text] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
            fs.writeFileSync(path.join(dir, file), text);
        }
        return dir;
    };
    const requireStack = (dir: string, stack: string) => spawnSync("bash", ["-c", `source "${root}/scripts/stack-file.sh" && require_stack_file "$1"`, "_", stack],
        { cwd: dir, encoding: "utf8", timeout: 20000 });

    it("the first use copies stacks/presets/<stack>.yaml to stacks/Pulumi.<stack>.yaml, and says so", () => {
        const dir = withStacks({ "stacks/presets/demo.yaml": "config:\n  clusterlab:clusters: { a: 1 }\n" });
        const run = requireStack(dir, "demo");
        assert.strictEqual(run.status, 0, run.stderr);
        assert.strictEqual(fs.readFileSync(path.join(dir, "stacks", "Pulumi.demo.yaml"), "utf8"), "config:\n  clusterlab:clusters: { a: 1 }\n");
        assert.match(run.stderr, /^made stacks\/Pulumi\.demo\.yaml from stacks\/presets\/demo\.yaml: .*git ignores it/);
    });

    it("a stack file that exists is the user's: never overwritten; a preset changed after it was made gets a note", () => {
        const dir = withStacks({ "stacks/presets/demo.yaml": "config: {}\n", "stacks/Pulumi.demo.yaml": "encryptionsalt: v1:x\nconfig: {mine: 1}\n" });
        const past = new Date(Date.now() - 60000);
        fs.utimesSync(path.join(dir, "stacks", "presets", "demo.yaml"), past, past);
        const quiet = requireStack(dir, "demo");
        assert.deepStrictEqual([quiet.status, quiet.stderr], [0, ""]);
        fs.utimesSync(path.join(dir, "stacks", "presets", "demo.yaml"), new Date(), new Date(Date.now() + 60000));
        const noted = requireStack(dir, "demo");
        assert.strictEqual(noted.status, 0);
        assert.match(noted.stderr, /^note: stacks\/presets\/demo\.yaml changed after stacks\/Pulumi\.demo\.yaml was made from it; stacks\/Pulumi\.demo\.yaml is the one used/);
        assert.strictEqual(fs.readFileSync(path.join(dir, "stacks", "Pulumi.demo.yaml"), "utf8"), "encryptionsalt: v1:x\nconfig: {mine: 1}\n");
    });

    it("every shipped stack is a preset, and git ignores the stack file made from it", () => {
        const presets = fs.readdirSync(path.join(root, "stacks", "presets")).map((file) => file.replace(/\.yaml$/, "")).sort();
        assert.deepStrictEqual(presets, ["local", "multi-server"]);
        for (const stack of presets) {
            const ignored = spawnSync("git", ["check-ignore", "-q", `stacks/Pulumi.${stack}.yaml`], { cwd: root });
            assert.strictEqual(ignored.status, 0, `stacks/Pulumi.${stack}.yaml is not ignored by git`);
        }
    });
});

describe("scripts/pr-comment.sh: one review comment per stack and pull request, edited on each push", () => {
    // A stand-in for the gh CLI on PATH: it lists the comments it is given and records every call.
    const withComments = (comments: { id: number; body: string }[]) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterlab-gh-"));
        fs.writeFileSync(path.join(dir, "comments.tsv"), comments.map((c) => `${c.id}\t${c.body.split("\n")[0]}\n`).join(""));
        fs.writeFileSync(path.join(dir, "gh"), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${dir}/calls"\ncase "$*" in *--paginate*) cat "${dir}/comments.tsv";; esac\n`, { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "review.md"), "<!-- clusterlab-review stack=team -->\n## `pulumi preview` of stack `team`\n");
        const run = spawnSync("bash", [path.join(root, "scripts", "pr-comment.sh"), "7", path.join(dir, "review.md")], {
            encoding: "utf8", env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, GITHUB_REPOSITORY: "team/clusterlab" },
        });
        return { run, calls: fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n").slice(1), dir };
    };

    it("edits the comment that carries this stack's marker, not another stack's review nor anyone else's comment", () => {
        const { run, calls, dir } = withComments([
            { id: 11, body: "looks good" },
            { id: 12, body: "<!-- clusterlab-review stack=local -->\n## …" },
            { id: 13, body: "<!-- clusterlab-review stack=team -->\n## `pulumi preview` of stack `team`: old" },
        ]);
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(calls, [`api --method PATCH repos/team/clusterlab/issues/comments/13 -F body=@${dir}/review.md`]);
    });

    it("posts a new comment when the pull request has none for this stack", () => {
        const { run, calls, dir } = withComments([{ id: 12, body: "<!-- clusterlab-review stack=local -->" }]);
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(calls, [`api --method POST repos/team/clusterlab/issues/7/comments -F body=@${dir}/review.md`]);
    });
});

describe("scripts/policy-pack.sh: the policy pack compiled, as `npm run up` runs it", () => {
    const build = () => spawnSync("bash", ["scripts/policy-pack.sh"], { cwd: root, encoding: "utf8", timeout: 120000 });

    it("prints a folder holding the pack as Pulumi loads one (PulumiPolicy.yaml, a versioned package.json, index.js) with every rule of policies/", () => {
        const run = build();
        assert.strictEqual(run.status, 0, run.stderr);
        const pack = run.stdout.trim();
        assert.strictEqual(pack, path.join(root, "bin", "policy-pack", "policies"));
        assert.ok(fs.existsSync(path.join(pack, "PulumiPolicy.yaml")));
        const manifest = JSON.parse(fs.readFileSync(path.join(pack, "package.json"), "utf8"));
        assert.deepStrictEqual([manifest.main, manifest.version], ["index.js", require("../../policies/package.json").version]);
        const compiled = require(path.join(pack, "all.js")) as typeof import("../../policies/all");
        const names = (rules: ReturnType<typeof compiled.allPolicies>) => [...rules.resource, ...rules.stack].map((rule) => rule.name);
        const { allPolicies } = require("../../policies/all") as typeof import("../../policies/all");
        assert.deepStrictEqual(names(compiled.allPolicies()), names(allPolicies()));
    });

    it("does not build again when no source changed", () => {
        assert.strictEqual(build().status, 0);
        const stamp = path.join(root, "bin", "policy-pack", ".built");
        const before = fs.statSync(stamp).mtimeMs;
        const again = build();
        assert.strictEqual(again.status, 0, again.stderr);
        assert.strictEqual(fs.statSync(stamp).mtimeMs, before);
    });
});
