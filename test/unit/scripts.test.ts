import * as assert from "assert";
import { spawnSync } from "child_process";
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
