import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "./toolchain";

/**
 * `npm run review -- --stack <stack> --require-state` as the pull-request workflow runs it, on a
 * test stack's backend (its env), after `branch` has written the branch's config: its exit status
 * and the Markdown it wrote.
 */
export async function reviewOf(stack: string, env: Record<string, string>, branch: () => Promise<void>) {
    await branch();
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "clusterlab-review-")), "review.md");
    const run = spawnSync("bash", [path.join(repoRoot, "scripts", "review.sh"), "--stack", stack, "--require-state", "--out", out], {
        cwd: repoRoot, encoding: "utf8", env: { ...process.env, ...env }, timeout: 10 * 60 * 1000,
    });
    const markdown = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "";
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
    return { status: run.status, stderr: `${run.stderr}`, markdown };
}
