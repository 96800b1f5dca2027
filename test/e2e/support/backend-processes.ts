import * as fs from "fs";

// The processes of a test stack: the CLI, its language host, its program and its plugins all
// carry the stack's throwaway backend in their environment. A `pulumi` killed mid-`up` (the fault
// suites do it on purpose, a CI timeout by accident) leaves its plugins running with parent 1;
// a `pulumi-resource-docker` among them may still be making a container. Found by the backend,
// they are stopped when their stack is disposed of, or reaped after their run died.

/** Processes whose environment names the backend (other than this one). */
export function processesOnBackend(backendDir: string): number[] {
    const marker = `PULUMI_BACKEND_URL=file://${backendDir}`;
    return fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)).map(Number).filter((pid) => {
        if (pid === process.pid) {
            return false;
        }
        try {
            return fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(marker);
        } catch {
            return false; // gone meanwhile, or not ours to read
        }
    });
}

/**
 * Kills (SIGKILL) every process on the backend and waits up to 10 s for them to go, so that none
 * makes a Docker object after the caller removed them. Returns the pids it killed.
 */
export function stopProcessesOnBackend(backendDir: string): number[] {
    const killed = processesOnBackend(backendDir);
    for (const pid of killed) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
    const sleep = new Int32Array(new SharedArrayBuffer(4));
    for (const deadline = Date.now() + 10_000; processesOnBackend(backendDir).length > 0 && Date.now() < deadline;) {
        Atomics.wait(sleep, 0, 0, 100);
    }
    return killed;
}
