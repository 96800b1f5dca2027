/* eslint-disable @typescript-eslint/no-require-imports */
// Runs in Pulumi's dynamic-provider process as well as in the program: Pulumi serializes the
// provider functions with what they reference, so modules are required inside the functions
// (a module object captured from an import would be serialized whole).

/** TLS material for a tcp:// engine: PEM text of the CA, the client certificate and its key. */
export interface EngineTls {
    ca: string;
    cert: string;
    key: string;
}

/** What the docker CLI's ssh transport cannot be told on its command line: key, known hosts, options. */
export interface EngineSsh {
    /** A private key (OpenSSH PEM text) used instead of the user's own keys and agent. */
    privateKey?: string;
    /** known_hosts lines for the host; with them the host key is checked strictly against only these. */
    knownHosts?: string;
    /** Further `ssh -o Key=Value` options, such as `Port` or `ConnectTimeout`. */
    options?: Record<string, string>;
}

/** An engine: its endpoint (undefined = the ambient one) and, for tcp:// and ssh://, how to connect. */
export interface Engine {
    dockerHost?: string;
    dockerTls?: EngineTls;
    dockerSsh?: EngineSsh;
}

/** A bare endpoint string (as resources made before TLS/ssh options stored it), or an Engine. */
export type EngineRef = string | undefined | Engine;

/**
 * The environment for the docker CLI to reach an engine. TLS material and ssh settings are
 * written once to a private folder named by their digest: DOCKER_CERT_PATH for TLS; for ssh a
 * wrapper `ssh` put first on PATH (`withSshFlags`).
 */
export function engineEnv(ref: EngineRef): Record<string, string | undefined> {
    const path = require("path") as typeof import("path");
    const engine: Engine = typeof ref === "object" ? ref : { dockerHost: ref };
    const env: Record<string, string | undefined> = { ...process.env };
    if (engine.dockerHost !== undefined && engine.dockerHost !== "") {
        env.DOCKER_HOST = engine.dockerHost;
    }
    if (engine.dockerTls !== undefined) {
        const dir = privateEngineDir(engine.dockerTls);
        writePrivateFile(path.join(dir, "ca.pem"), engine.dockerTls.ca, 0o600);
        writePrivateFile(path.join(dir, "cert.pem"), engine.dockerTls.cert, 0o600);
        writePrivateFile(path.join(dir, "key.pem"), engine.dockerTls.key, 0o600);
        env.DOCKER_TLS_VERIFY = "1";
        env.DOCKER_CERT_PATH = dir;
    }
    // The wrapper beside the key and known_hosts it names.
    return withSshFlags(env, sshFlags(engine.dockerSsh), engine.dockerSsh);
}

/**
 * The docker CLI's environment for an engine as a `docker.Provider` is configured (its inputs in
 * a state): the endpoint, TLS material, and its `sshOpts` through the same ssh wrapper.
 */
export function providerEngineEnv(config: { host?: string; caMaterial?: string; certMaterial?: string; keyMaterial?: string; sshOpts?: string[] }): Record<string, string | undefined> {
    const tls = config.certMaterial !== undefined && config.keyMaterial !== undefined
        ? { ca: config.caMaterial ?? "", cert: config.certMaterial, key: config.keyMaterial } : undefined;
    return withSshFlags(engineEnv({ dockerHost: config.host, dockerTls: tls }), config.sshOpts ?? []);
}

/**
 * `env` with a wrapper `ssh` first on PATH that passes `flags`, because the CLI's ssh transport
 * takes no options of its own (docker/cli#1301) and the user's ~/.ssh/config is not ours to edit.
 */
function withSshFlags(env: Record<string, string | undefined>, flags: string[], material: unknown = flags): Record<string, string | undefined> {
    const fs = require("fs") as typeof import("fs");
    const path = require("path") as typeof import("path");
    if (flags.length === 0) {
        return env;
    }
    const dir = privateEngineDir(material);
    const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
    const realSsh = (env.PATH ?? "/usr/bin:/bin").split(path.delimiter)
        .map((entry) => path.join(entry, "ssh"))
        .find((candidate) => !candidate.includes("clusterlab-engine-") && fs.existsSync(candidate)) ?? "ssh";
    const wrapper = `#!/bin/sh\nexec ${[realSsh, ...flags].map(quote).join(" ")} "$@"\n`;
    writePrivateFile(path.join(dir, "ssh"), wrapper, 0o700);
    return { ...env, PATH: `${dir}${path.delimiter}${env.PATH ?? ""}` };
}

/**
 * Writes a private file only when it differs, and then by rename: many docker processes run at
 * once (one per resource), so a wrapper another process is executing is never rewritten in place
 * (ETXTBSY) and nobody reads a half-written key.
 */
function writePrivateFile(file: string, content: string, mode: number): void {
    const fs = require("fs") as typeof import("fs");
    const crypto = require("crypto") as typeof import("crypto");
    if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === content) {
        return;
    }
    const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
    fs.writeFileSync(temporary, content, { mode });
    fs.renameSync(temporary, file);
}

/** A private folder for an engine's connection material, named by its digest so equal material shares it. */
function privateEngineDir(material: unknown): string {
    const os = require("os") as typeof import("os");
    const path = require("path") as typeof import("path");
    const crypto = require("crypto") as typeof import("crypto");
    const fs = require("fs") as typeof import("fs");
    const digest = crypto.createHash("sha256").update(JSON.stringify(material)).digest("hex").slice(0, 16);
    const dir = path.join(os.tmpdir(), `clusterlab-engine-${process.getuid?.() ?? 0}`, digest);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
}

/**
 * The `ssh` flags that reach an ssh:// engine as its settings say: a private key and known hosts
 * given as text are written to a private folder first (ssh takes them only as files), options
 * become `-o Key=Value`. Empty when there is nothing to say. Used by the docker CLI's wrapper
 * and by the Docker provider's `sshOpts` alike.
 */
export function sshFlags(ssh: EngineSsh | undefined): string[] {
    const path = require("path") as typeof import("path");
    if (ssh === undefined || (ssh.privateKey === undefined && ssh.knownHosts === undefined && Object.keys(ssh.options ?? {}).length === 0)) {
        return [];
    }
    const dir = privateEngineDir(ssh);
    const flags: string[] = [];
    if (ssh.privateKey !== undefined) {
        const keyText = ssh.privateKey.endsWith("\n") ? ssh.privateKey : `${ssh.privateKey}\n`;
        writePrivateFile(path.join(dir, "id"), keyText, 0o600);
        flags.push("-i", path.join(dir, "id"), "-o", "IdentitiesOnly=yes");
    }
    if (ssh.knownHosts !== undefined) {
        writePrivateFile(path.join(dir, "known_hosts"), `${ssh.knownHosts.trim()}\n`, 0o600);
        flags.push("-o", `UserKnownHostsFile=${path.join(dir, "known_hosts")}`, "-o", "StrictHostKeyChecking=yes");
    }
    for (const key of Object.keys(ssh.options ?? {}).sort()) {
        flags.push("-o", `${key}=${ssh.options![key]}`);
    }
    return flags;
}

/** Runs the docker CLI against an engine (DOCKER_HOST when given) and returns its stdout. */
export function runDocker(engine: EngineRef, args: string[], input?: Buffer): Promise<string> {
    const { spawn } = require("child_process") as typeof import("child_process");
    return new Promise((resolve, reject) => {
        const env = engineEnv(engine);
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
export async function inspect(dockerHost: EngineRef, what: string, id: string, format: string): Promise<string | undefined> {
    try {
        return await runDocker(dockerHost, [what, "inspect", "--format", format, id]);
    } catch (error) {
        if (isMissing(error)) {
            return undefined;
        }
        throw error;
    }
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
