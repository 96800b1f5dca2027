import * as assert from "assert";
import { seedJobs, twoExecutors } from "../../support/aurora-fixtures";

/** Host ports of one suite's Aurora cluster: each suite has its own, so suites can run side by side. */
export interface AuroraPorts {
    master: number;
    scheduler: number;
    observer: number;
}

/**
 * The cluster the Aurora e2e and faults suites deploy: stand-ins for every Mesos and Aurora role
 * (no registry here), zookeeper unpublished, the named agents on rack r1, and by default the
 * seed's two executors and jobs.
 */
export function standinAurora(ports: AuroraPorts, options: { agents?: string[]; jobs?: unknown[]; customExecutors?: unknown[] } = {}) {
    return {
        aurora: {
            kind: "aurora",
            master: { image: { build: "mesos-standin" }, port: ports.master },
            agentImage: { build: "mesos-standin" },
            scheduler: { image: { build: "aurora-scheduler-standin" }, port: ports.scheduler },
            observer: { port: ports.observer },
            zookeeper: { port: false },
            agents: (options.agents ?? ["agent1"]).map((name) => ({ name, attributes: { rack: "r1" } })),
            customExecutors: options.customExecutors ?? twoExecutors,
            jobs: options.jobs ?? seedJobs,
        },
    };
}

/** GET of a stand-in's endpoint on the loopback port: JSON, or text for the executor config's bytes; any status but 200 fails. */
export async function standinGet(port: number, path: string): Promise<any> {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    assert.strictEqual(response.status, 200, `${path}: ${response.status}`);
    return path === "/standin/executor-config" ? response.text() : response.json();
}
