import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { previewEnv } from "./preview-env";
import { PreviewEvent, renderReview, summarizePreview } from "./render";

// `npm run review -- --stack <name> [--out review.md]`: a preview with the policy pack, rendered
// for a pull request. Exits 1 when the preview fails or a mandatory policy is violated.

const root = path.resolve(__dirname, "..");

function argument(name: string): string | undefined {
    const index = process.argv.indexOf(`--${name}`);
    return index >= 0 ? process.argv[index + 1] : undefined;
}

/** The pack's per-stack config (policies/config/<stack>.json), where a stack has one. */
export function policyArgs(stack: string): string[] {
    const config = path.join(root, "policies", "config", `${stack}.json`);
    return ["--policy-pack", path.join(root, "policies"), ...(fs.existsSync(config) ? ["--policy-pack-config", config] : [])];
}

function main(): number {
    const stack = argument("stack");
    if (stack === undefined) {
        console.error("usage: npm run review -- --stack <name> [--out review.md]");
        return 2;
    }
    // A fresh backend (a CI job's) has no stack yet; the preview of a new stack is the review.
    spawnSync("pulumi", ["stack", "select", "--create", stack, "--non-interactive"], { cwd: root, stdio: "ignore" });
    const common = ["preview", "--stack", stack, ...policyArgs(stack), "--non-interactive"];
    const streamed = spawnSync("pulumi", [...common, "--json"], {
        cwd: root, encoding: "utf8", maxBuffer: 256 << 20,
        env: { ...process.env, ...previewEnv, PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "1" },
    });
    if (streamed.error !== undefined) {
        console.error(`pulumi could not be run: ${streamed.error.message}`);
        return 2;
    }
    const events: PreviewEvent[] = streamed.stdout.split("\n").filter((line) => line.trim().startsWith("{"))
        .map((line) => JSON.parse(line) as PreviewEvent);
    const diff = spawnSync("pulumi", [...common, "--diff", "--color", "never"], {
        cwd: root, encoding: "utf8", maxBuffer: 256 << 20, env: { ...process.env, ...previewEnv },
    });
    const review = summarizePreview(stack, events);
    const markdown = renderReview(review, `${diff.stdout}${diff.stderr}`);
    const out = argument("out");
    if (out !== undefined) {
        fs.writeFileSync(out, markdown);
    } else {
        process.stdout.write(markdown);
    }
    if (events.length === 0) {
        console.error(streamed.stderr);
        return 1;
    }
    return review.failed ? 1 : 0;
}

process.exitCode = main();
