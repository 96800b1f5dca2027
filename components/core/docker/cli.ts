/* eslint-disable @typescript-eslint/no-require-imports */
// Runs in Pulumi's dynamic-provider process as well as in the program: Pulumi serializes the
// provider functions with what they reference, so modules are required inside the functions
// (a module object captured from an import would be serialized whole).

/** Runs the docker CLI against an engine (DOCKER_HOST when given) and returns its stdout. */
export function runDocker(dockerHost: string | undefined, args: string[], input?: Buffer): Promise<string> {
    const { spawn } = require("child_process") as typeof import("child_process");
    return new Promise((resolve, reject) => {
        const env: Record<string, string | undefined> = { ...process.env };
        if (dockerHost !== undefined && dockerHost !== "") {
            env.DOCKER_HOST = dockerHost;
        }
        const child = spawn("docker", args, { env, stdio: ["pipe", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
        child.on("error", (error: Error) => reject(new Error(`docker could not be run: ${error.message}`)));
        child.on("close", (code: number | null) => {
            const stdout = Buffer.concat(out).toString("utf8").trim();
            const stderr = Buffer.concat(err).toString("utf8").trim();
            if (code === 0) {
                resolve(stdout);
            } else {
                const shown = args.length > 6 ? `${args.slice(0, 6).join(" ")} …` : args.join(" ");
                reject(Object.assign(new Error(`docker ${shown} failed (exit ${code}): ${stderr || stdout}`), { stderr }));
            }
        });
        child.stdin.end(input);
    });
}

/** True when the engine says the object does not exist, as opposed to any other failure. */
export function isMissing(error: unknown): boolean {
    const text = String((error as { stderr?: string }).stderr ?? (error as Error).message ?? error);
    return /no such (object|container|network|volume|image)|not found/i.test(text);
}

/** `docker <what> inspect` of an object, or undefined when it does not exist. */
export async function inspect(dockerHost: string | undefined, what: string, id: string, format: string): Promise<string | undefined> {
    try {
        return await runDocker(dockerHost, [what, "inspect", "--format", format, id]);
    } catch (error) {
        if (isMissing(error)) {
            return undefined;
        }
        throw error;
    }
}

/** Runs a removal, treating an object already gone as removed. */
export async function removeIfPresent(dockerHost: string | undefined, args: string[]): Promise<void> {
    try {
        await runDocker(dockerHost, args);
    } catch (error) {
        if (!isMissing(error)) {
            throw error;
        }
    }
}

/** `--label k=v` flags, sorted. */
export function labelFlags(labels: Record<string, string>): string[] {
    return Object.keys(labels).sort().flatMap((key) => ["--label", `${key}=${labels[key]}`]);
}

/** The keys whose values differ between two input sets, compared as JSON. */
export function changedKeys(olds: object, news: object, ignore: string[] = []): string[] {
    const before = olds as Record<string, unknown>;
    const after = news as Record<string, unknown>;
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys]
        .filter((key) => !key.startsWith("__") && !ignore.includes(key))
        .filter((key) => JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null))
        .sort();
}
