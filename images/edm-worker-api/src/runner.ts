import { execFile } from "child_process";

/** What a command printed and how it ended. */
export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs a program (docker, docker-compose, git) without a shell; injected so tests can fake it. */
export type Runner = (file: string, args: string[], options?: { cwd?: string }) => Promise<CommandResult>;

/** The real runner: never rejects on a non-zero exit, the caller decides what a failure means. */
export const runCommand: Runner = (file, args, options = {}) => new Promise((resolve) => {
    execFile(file, args, { cwd: options.cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } },
        (error, stdout, stderr) => {
            const code = error === null ? 0 : typeof (error as { code?: unknown }).code === "number" ? (error as { code: number }).code : 127;
            resolve({ code, stdout: String(stdout), stderr: error !== null && stderr === "" ? error.message : String(stderr) });
        });
});
