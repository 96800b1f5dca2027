import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
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
                /^no stack "lcoal": there is no stacks\/Pulumi\.lcoal\.yaml\. Stacks here: (\S+ )*local( \S+)*\. Pick one, or write that file first\.\n$/);
        });
    }
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
