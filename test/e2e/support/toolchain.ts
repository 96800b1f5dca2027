import { execFileSync } from "child_process";
import * as path from "path";
import { reapAbandonedRuns } from "./reaper";

export const repoRoot = path.resolve(__dirname, "..", "..", "..");

/** Set by a user who means to run only the mocked suites; e2e tests then skip and say why. */
export const e2eOptOut = process.env.CLUSTERLAB_SKIP_E2E === "1";

let prepared = false;

/**
 * Runs scripts/toolchain.sh once per process (engine, base image, Pulumi CLI and plugins) and
 * takes its exports into this process, so the Automation API finds the built CLI and plugins;
 * then reaps what earlier runs that were killed left behind (reaper.ts).
 * Fails loudly, with the script's own output, when any part cannot be set up.
 */
export function prepareToolchain(): void {
    if (prepared) {
        return;
    }
    const started = Date.now();
    let exportLines: string;
    try {
        exportLines = execFileSync("bash", [path.join(repoRoot, "scripts", "toolchain.sh")], {
            cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 20,
        });
    } catch (error) {
        throw new Error(`the end-to-end toolchain could not be set up (scripts/toolchain.sh failed; its output is above). ` +
            `Set CLUSTERLAB_SKIP_E2E=1 to run only the mocked suites.\n${(error as Error).message}`, { cause: error });
    }
    for (const line of exportLines.split("\n")) {
        const match = /^export ([A-Z_]+)="?(.*?)"?$/.exec(line.trim());
        if (match !== null) {
            process.env[match[1]] = match[2].replace(/\$PATH/g, process.env.PATH ?? "");
        }
    }
    prepared = true;
    console.log(`    toolchain ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    // With the engine up: before this run makes anything, what killed runs left goes.
    reapAbandonedRuns();
}

/** Runs docker with arguments and returns its stdout, trimmed. */
export function docker(...args: string[]): string {
    return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** Runs a shell command line, as a user pasting an output would, and returns its stdout. */
export function shell(commandLine: string): string {
    return execFileSync("bash", ["-c", commandLine], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}
