import { docker } from "./toolchain";
import { sleep } from "./poll";

/** Hosts OAR lists with every resource Alive, from `oarnodes -s` on the server. */
export function aliveNodes(server: string): string[] {
    const hosts: Record<string, string[]> = {};
    let current = "";
    for (const line of docker("exec", server, "oarnodes", "-s").split("\n")) {
        const state = /^\s+\d+\s*:\s*(\w+)/.exec(line);
        if (state !== null) {
            hosts[current].push(state[1]);
        } else if (line.trim() !== "") {
            current = line.trim();
            hosts[current] = [];
        }
    }
    return Object.keys(hosts).filter((host) => hosts[host].length > 0 && hosts[host].every((s) => s === "Alive")).sort();
}

/** Each OAR resource's host, cpu id and core id, read from the server's database. */
export function resourceIds(server: string): { host: string; cpu: number; core: number }[] {
    const rows = docker("exec", server, "su", "postgres", "-s", "/bin/sh", "-c",
        "psql -qtAX -F ' ' -d oar -c 'SELECT network_address, cpu, core FROM resources ORDER BY resource_id'");
    return rows.split("\n").filter((row) => row.trim() !== "").map((row) => {
        const [host, cpu, core] = row.trim().split(" ");
        return { host, cpu: Number(cpu), core: Number(core) };
    });
}

/**
 * Submits a batch job as the user on the frontend (through a login: oarsub refuses a session
 * without one) and waits, bounded, until OAR ends it; returns its state, exit code and stdout.
 */
export async function runJob(frontend: string, resources: string, command: string): Promise<{ state: string; exitCode: string; stdout: string }> {
    const submitted = docker("exec", frontend, "su", "-", "user", "-c", `oarsub -l ${resources} ${command}`);
    const id = /OAR_JOB_ID=(\d+)/.exec(submitted)?.[1];
    if (id === undefined) {
        throw new Error(`oarsub gave no job id: ${submitted}`);
    }
    const deadline = Date.now() + 120_000;
    let state = "";
    while (!["Terminated", "Error"].includes(state) && Date.now() < deadline) {
        await sleep(1000);
        state = /state = (\w+)/.exec(docker("exec", frontend, "oarstat", "-fj", id))?.[1] ?? "";
    }
    const exitCode = /exit_code = (\S+)/.exec(docker("exec", frontend, "oarstat", "-fj", id))?.[1] ?? "?";
    const stdout = docker("exec", frontend, "cat", `/home/user/OAR.${id}.stdout`);
    return { state, exitCode, stdout };
}
