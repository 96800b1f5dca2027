import * as assert from "assert";
import { docker, shell } from "./toolchain";

/** One named agent of the stand-in Mesos, offering the given queue resources. */
export const agent = (name: string, resources: Record<string, number>) =>
    ({ name, resources: { cpus: 1, mem: 512, ...resources }, attributes: { location: "yow" }, containerizers: ["mesos"] });

/** The wraxl cluster as the local stack declares it, with the master on a port of its own so suites run beside it. */
export function wraxl(agents: unknown[], masterPort: number) {
    return {
        wraxl: {
            kind: "mesos",
            master: { image: { build: "mesos-standin" }, port: masterPort },
            agentImage: { build: "mesos-standin" },
            zookeeper: { port: false },
            redis: { port: false },
            agents,
        },
    };
}

export async function masterState(masterPort: number): Promise<any> {
    const response = await fetch(`http://127.0.0.1:${masterPort}/master/state`);
    assert.strictEqual(response.status, 200);
    return response.json();
}

/** The names of the agents the master counts as active. */
export async function activeAgents(masterPort: number): Promise<string[]> {
    return (await masterState(masterPort)).slaves.filter((s: any) => s.active).map((s: any) => s.hostname).sort();
}

/** An RQ job's status and result, read inside the scheduler container through RQ itself. */
export function jobStatus(scheduler: string, jobId: string): { status: string; result: any } {
    const python = [
        "import json", "from redis import Redis", "from rq.job import Job",
        `job = Job.fetch(${JSON.stringify(jobId)}, connection=Redis("redis"))`,
        "print(json.dumps({'status': job.get_status(refresh=True), 'result': job.return_value() if hasattr(job, 'return_value') else job.result}))",
    ].join("\n");
    return JSON.parse(docker("exec", scheduler, "python3", "-c", python));
}

/** Polls a job (bounded) until `until` holds for its status; returns the last status seen. */
export async function waitForJob(scheduler: string, jobId: string, until: (status: string) => boolean, seconds: number) {
    const deadline = Date.now() + seconds * 1000;
    let last = jobStatus(scheduler, jobId);
    while (!until(last.status) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        last = jobStatus(scheduler, jobId);
    }
    return last;
}

/** Enqueues a job with the cluster's own enqueue command and waits for it to finish: the cluster does its job. */
export async function runsAJob(outputs: { enqueueCommand: string; containerNames: Record<string, string> }): Promise<void> {
    const jobId = shell(outputs.enqueueCommand);
    const job = await waitForJob(outputs.containerNames.scheduler, jobId, (s) => s === "finished" || s === "failed", 90);
    assert.strictEqual(job.status, "finished", JSON.stringify(job));
    assert.match(job.result.stdout, /hello from wrlbuild/);
}
