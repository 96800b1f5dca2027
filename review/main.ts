import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { newSecretSeed } from "../components/core/derived-secrets";
import { policyArgs } from "./policy-pack";
import { previewEnv } from "./preview-env";
import { PreviewEvent, renderReview, summarizePreview } from "./render";

// `npm run review -- --stack <name> [--out review.md] [--require-state]`: a preview of the stack
// as its backend holds it, with the policy pack, rendered for a pull request. Exits 1 when the
// preview fails or a mandatory policy is violated, 2 when it cannot preview at all.

const root = path.resolve(__dirname, "..");
const usage = "usage: npm run review -- --stack <name> [--out review.md] [--require-state]";

function argument(name: string): string | undefined {
    const index = process.argv.indexOf(`--${name}`);
    return index >= 0 ? process.argv[index + 1] : undefined;
}

function pulumi(args: string[], env: NodeJS.ProcessEnv = process.env) {
    return spawnSync("pulumi", [...args, "--non-interactive"], { cwd: root, encoding: "utf8", maxBuffer: 256 << 20, env });
}

/** The same, without waiting: the review's two previews run side by side. */
function pulumiAsync(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn("pulumi", [...args, "--non-interactive"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        child.on("error", reject).on("close", () => resolve({ stdout, stderr }));
    });
}

/**
 * Where the state comes from, as a reviewer may read it: the CLI's backend URL without
 * credentials or query (an s3:// URL may carry both).
 */
export function backendForReaders(url: string): string {
    try {
        const parsed = new URL(url);
        parsed.username = "";
        parsed.password = "";
        parsed.search = "";
        return parsed.toString();
    } catch {
        return url;
    }
}

async function main(): Promise<number> {
    const stack = argument("stack");
    if (stack === undefined) {
        console.error(usage);
        return 2;
    }
    const whoami = pulumi(["whoami", "--json"]);
    if (whoami.error !== undefined || whoami.status !== 0) {
        console.error(`pulumi cannot reach its backend: ${whoami.error?.message ?? whoami.stderr.trim()}`);
        return 2;
    }
    const backend = backendForReaders((JSON.parse(whoami.stdout) as { url: string }).url);
    // The review is of the stack as deployed: its state in the backend. A stack the backend does
    // not hold is previewed as new (a laptop's first review, a fork's pull request) unless the
    // caller says the state must be there (the workflow with the team's backend): then a wrong
    // backend or stack name fails here instead of showing every resource as created.
    let newStack = false;
    if (pulumi(["stack", "select", stack]).status !== 0) {
        if (process.argv.includes("--require-state")) {
            console.error(`stack "${stack}" has no state in ${backend}: the review previews a deployed stack, so give the backend that holds it (PULUMI_BACKEND_URL, or PULUMI_ACCESS_TOKEN for Pulumi Cloud) and its name`);
            return 2;
        }
        const init = pulumi(["stack", "init", stack]);
        if (init.status !== 0) {
            console.error(init.stderr.trim());
            return 2;
        }
        newStack = true;
    }
    // A stack without its secret seed (a new one here) gets one, as `npm run up` makes it:
    // random, a secret in the stack's own file, passed on stdin.
    if (pulumi(["config", "get", "clusterlab:secretSeed", "--stack", stack]).status !== 0) {
        const seed = spawnSync("pulumi", ["config", "set", "--secret", "clusterlab:secretSeed", "--stack", stack, "--non-interactive"],
            { cwd: root, encoding: "utf8", input: newSecretSeed() });
        if (seed.status !== 0) {
            console.error(seed.stderr.trim());
            return 2;
        }
    }
    const common = ["preview", "--stack", stack, ...policyArgs(stack)];
    // The events for the tables and the text for the folded diff: two previews, run at once
    // (a preview holds no lock on the stack).
    const [streamed, diff] = await Promise.all([
        pulumiAsync([...common, "--json"], { ...process.env, ...previewEnv, PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "1" }),
        pulumiAsync([...common, "--diff", "--color", "never"], { ...process.env, ...previewEnv }),
    ]);
    const events: PreviewEvent[] = streamed.stdout.split("\n").filter((line) => line.trim().startsWith("{"))
        .map((line) => JSON.parse(line) as PreviewEvent);
    const review = summarizePreview(stack, events);
    const markdown = renderReview(review, { backend, newStack, fullDiff: `${diff.stdout}${diff.stderr}` });
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

if (require.main === module) {
    main().then((code) => (process.exitCode = code), (error: Error) => {
        console.error(`pulumi could not be run: ${error.message}`);
        process.exitCode = 2;
    });
}
