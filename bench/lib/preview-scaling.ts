import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { TestStack } from "../../test/e2e/support/lifecycle";
import { repoRoot } from "../../test/e2e/support/toolchain";
import { oarClusters } from "./clusterlab-side";

const run = promisify(execFile);

/**
 * One `pulumi preview` of an OarCluster of `nodes` nodes on an empty stack: wall time and peak RSS.
 * `extraEnv` is added to the CLI's environment: `previewEnv` (review/preview-env.ts) times the
 * preview without Pulumi 3.274's snapshot after every step, what grows as steps × resources.
 */
export async function previewOnce(stack: TestStack, nodes: number, extraEnv: Readonly<Record<string, string>> = {}): Promise<{ ms: number; maxRssKb: number }> {
    await stack.setClusters(oarClusters(nodes));
    // GNU time's %M: the largest resident set of the CLI and the processes it waited for (the
    // language host and the program), so the program's own peak is what it mostly shows.
    const { stderr } = await run("/usr/bin/time", ["-f", "bench-time %e %M", "pulumi", "preview", "--stack", stack.name, "--non-interactive"], {
        cwd: repoRoot, env: { ...process.env, ...stack.env, ...extraEnv }, maxBuffer: 1 << 28,
    });
    const match = /bench-time ([\d.]+) (\d+)/.exec(stderr);
    if (match === null) {
        throw new Error(`no timing from /usr/bin/time: ${stderr.slice(-500)}`);
    }
    return { ms: Math.round(Number(match[1]) * 1000), maxRssKb: Number(match[2]) };
}

/** One evaluation of the component under mocks in a fresh process: wall time and peak RSS. */
export async function mockEvalOnce(nodes: number): Promise<{ ms: number; maxRssKb: number; resources: number }> {
    const script = path.join(__dirname, "mock-eval.ts");
    const { stdout } = await run(process.execPath, ["-r", "ts-node/register/transpile-only", script, String(nodes)], {
        cwd: repoRoot, maxBuffer: 1 << 24,
    });
    return JSON.parse(stdout.trim().split("\n").pop() as string);
}
