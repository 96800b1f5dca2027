import { execFile } from "child_process";

/**
 * Runs a `pulumi` command to its end as a user types it; its wall time in ms, or its output in
 * the error when it fails. `what` names the program in that error.
 */
export function timedPulumi(args: string[], options: { cwd: string; env: Record<string, string>; what: string }): Promise<number> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        execFile("pulumi", args, { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: "utf8", maxBuffer: 1 << 28 }, (error, stdout, stderr) => {
            if (error !== null) {
                reject(new Error(`pulumi ${args.join(" ")} (${options.what}) failed: ${error.message}\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`));
            } else {
                resolve(Date.now() - started);
            }
        });
    });
}
