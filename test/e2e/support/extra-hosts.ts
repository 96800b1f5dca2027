import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { record } from "./run-records";

// By its path from here, not toolchain.ts's repoRoot: toolchain.ts runs the reaper, which uses this module.
const script = path.resolve(__dirname, "..", "..", "..", "scripts", "extra-hosts.sh");

/** What scripts/extra-hosts.sh reports: each host's tcp endpoint, address and local socket, and the ssh host's key. */
export interface ExtraHosts {
    host2: { docker: string; address: string; socket: string };
    host3: {
        docker: string; address: string; socket: string; ssh: string; privateKey: string; knownHosts: string;
        /** Its tcp:// endpoint with --tlsverify, and the client's PEM material. */
        tls: { docker: string; ca: string; cert: string; key: string };
    };
}

/** Starts (idempotently) the second and third Docker engines in their own network namespaces; returns how to reach them. */
export function startExtraHosts(): ExtraHosts {
    execFileSync("bash", [script, "start"], { encoding: "utf8", stdio: ["ignore", "ignore", "inherit"] });
    return readExtraHosts();
}

/** How to reach the extra hosts, as the script reports them (they need not be running). */
export function readExtraHosts(): ExtraHosts {
    const env = Object.fromEntries(execFileSync("bash", [script, "env"], { encoding: "utf8" }).trim().split("\n")
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
    return {
        host2: { docker: env.HOST2_DOCKER, address: env.HOST2_ADDRESS, socket: env.HOST2_SOCKET },
        host3: {
            docker: env.HOST3_DOCKER, address: env.HOST3_ADDRESS, socket: env.HOST3_SOCKET, ssh: env.SSH_DOCKER,
            privateKey: fs.readFileSync(env.SSH_KEY, "utf8"), knownHosts: fs.readFileSync(env.SSH_KNOWN_HOSTS, "utf8"),
            tls: {
                docker: env.TLS_DOCKER, ca: fs.readFileSync(env.TLS_CA, "utf8"),
                cert: fs.readFileSync(env.TLS_CERT, "utf8"), key: fs.readFileSync(env.TLS_KEY, "utf8"),
            },
        },
    };
}

/** True when the extra hosts already answer (so a suite that found them up leaves them up). */
export function extraHostsUp(): boolean {
    try {
        return execFileSync("bash", [script, "status"], { encoding: "utf8" }).split("\n").filter((l) => l.endsWith(" up")).length === 2;
    } catch {
        return false;
    }
}

export function stopExtraHosts(...names: string[]): void {
    execFileSync("bash", [script, "stop", ...names], { stdio: ["ignore", "ignore", "inherit"] });
}

export function startExtraHost(name: string): void {
    execFileSync("bash", [script, "start", name], { stdio: ["ignore", "ignore", "inherit"] });
}

/** docker against one engine (a unix:// socket or tcp:// endpoint), stdout trimmed. */
export function dockerOn(endpoint: string, ...args: string[]): string {
    return execFileSync("docker", ["-H", endpoint, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** Containers, networks and volumes labelled with the stack on one engine. */
export function labelledOn(endpoint: string, stack: string): string[] {
    const filter = `label=clusterlab.stack=${stack}`;
    return [
        ...dockerOn(endpoint, "ps", "-a", "--filter", filter, "--format", "container {{.Names}}").split("\n"),
        ...dockerOn(endpoint, "network", "ls", "--filter", filter, "--format", "network {{.Name}}").split("\n"),
        ...dockerOn(endpoint, "volume", "ls", "--filter", filter, "--format", "volume {{.Name}}").split("\n"),
    ].filter((line) => line !== "");
}

/** Stops only that host's dockerd (its namespace, data and sshd stay): a server whose engine died. */
export function stopExtraEngine(name: string): void {
    execFileSync("bash", [script, "stop-engine", name], { stdio: ["ignore", "ignore", "inherit"] });
}

/** Whether this process started the extra hosts, and so stops them when it exits. */
let startedByThisProcess = false;

/**
 * The extra hosts for a suite: started if needed, and kept for the next suite of the same run
 * (each start costs ~17 s). The process that started them stops them when it exits, whichever
 * suite ran last; a run that found them up (or CLUSTERLAB_KEEP_EXTRA_HOSTS=1) leaves them up.
 */
export function borrowExtraHosts(): ExtraHosts {
    if (!startedByThisProcess && !extraHostsUp() && process.env.CLUSTERLAB_KEEP_EXTRA_HOSTS !== "1") {
        startedByThisProcess = true;
        // Recorded, so that a run killed before its exit hook has them stopped by the next (reaper.ts).
        const release = record("extra-hosts", { kind: "extra-hosts" });
        // `exit` runs synchronous code only, which stopExtraHosts is (the script stops both engines).
        process.once("exit", () => {
            stopExtraHosts();
            release();
        });
    }
    return startExtraHosts();
}

/** The root namespace's address on the extra hosts' bridge: where the local engine publishes for them. */
export const localBridgeAddress = "10.213.0.1";

/**
 * Stack hosts for the three engines: the local one, host2 over tcp://, host3 over tcp:// with TLS.
 * Each extra host names its own socket file: the extra engines share this machine's filesystem, so
 * a role binding `/var/run/docker.sock` there would reach the local engine.
 */
export function tlsStackHosts(extra: ExtraHosts) {
    return {
        local: { bindAddress: localBridgeAddress },
        host2: { docker: extra.host2.docker, bindAddress: extra.host2.address, socketPath: extra.host2.socket },
        host3: {
            docker: extra.host3.tls.docker, bindAddress: extra.host3.address, socketPath: extra.host3.socket,
            tls: { ca: extra.host3.tls.ca, cert: extra.host3.tls.cert, key: extra.host3.tls.key },
        },
    };
}

/** Each engine as the tests reach it: host3 through its socket file, so no TLS flags are needed. */
export function testEngines(extra: ExtraHosts): Record<"local" | "host2" | "host3", string> {
    return { local: "unix:///var/run/docker.sock", host2: extra.host2.docker, host3: `unix://${extra.host3.socket}` };
}
