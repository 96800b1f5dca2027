import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { appFiles, consulNodes, http, passingWorkerApis, pushToGogs } from "../e2e/support/edm";
import { changesOf, labelledLeftovers, suiteStack } from "../e2e/support/lifecycle";
import { eventually, sleep } from "../e2e/support/poll";
import { docker, e2eOptOut } from "../e2e/support/toolchain";
import {
    containersOf, crashAndWatch, describeChanges, interruptUpAndRecover, networkRemovedWhileStopped, repairAfter, report, restartEngine,
    stoppedByHand, twoUpsAtOnce,
} from "./support/faults";

// The EDM platform (EdmMaster + EdmWorker, `kind: edm`) after faults on a real engine, each
// followed by what a user would run: `refresh` to see the drift, `up` to repair exactly it, then
// the platform's own job: consul lists every worker API passing, requests through the load
// balancer reach every worker, gogs answers its admin. Times are from the fault to that.
// One platform (master + 2 workers) serves every test, in order; the engine-restart test breaks
// every other run on the engine, so it is run alone (`--grep "engine restarted"`).

// Ports of their own, so this suite never clashes with the EDM e2e suite or a local stack.
const worker = (n: number) => ({ name: `worker${n}`, apiPort: 28832 + n, consulPort: 28510 + n });
const edm = (...numbers: number[]) => ({
    edm: {
        kind: "edm",
        master: { ports: { consul: 28500, loadBalancer: 28080, gogs: 23000 } },
        workers: numbers.map(worker),
    },
});

const describeFaults = e2eOptOut ? describe.skip : describe;

describeFaults("EdmMaster + EdmWorker faults — consul 1.16.3, gogs (Gitea), nginx, registrator stand-in on a real engine: every fault converges again", function () {
    this.timeout(20 * 60 * 1000);
    const { stack } = suiteStack("EDM faults", "edm", edm(1, 2), "faults");
    let out: Record<string, any>;
    const name = (role: string) => `${stack.name}-edm-${role}`;
    const auth = () => ({ authorization: `Basic ${Buffer.from(`${out.gogsAdminUser}:${out.gogsAdminPassword}`).toString("base64")}` });

    /** The workers that answered `tries` requests through the load balancer, or why it failed. */
    async function workersBehindLb(tries: number): Promise<string[]> {
        const seen = new Set<string>();
        for (let i = 0; i < tries; i++) {
            const answer = await http("GET", `${out.loadBalancerUrl}/health`);
            if (answer.status !== 200) {
                throw new Error(`the load balancer answered ${answer.status}`);
            }
            seen.add(answer.json.worker);
        }
        return [...seen].sort();
    }

    /** What keeps the platform from doing its job with these workers, or undefined when it does. */
    async function whatIsWrong(workers: string[]): Promise<string | undefined> {
        try {
            const containers = containersOf(stack.name);
            const expected = 3 + 3 * workers.length;
            const bad = containers.filter((c) => !c.status.startsWith("Up") || /unhealthy|health: starting/.test(c.status));
            if (containers.length !== expected || bad.length > 0) {
                return `containers: ${containers.length} of ${expected}, not ready: ${bad.map((c) => `${c.name} (${c.status})`).join(", ") || "none"}`;
            }
            const passing = await passingWorkerApis(out.consulUrl);
            if (JSON.stringify(passing) !== JSON.stringify(workers)) {
                return `consul lists these worker APIs passing: ${passing.join(", ") || "none"}`;
            }
            const behind = await workersBehindLb(2 * workers.length);
            if (JSON.stringify(behind) !== JSON.stringify(workers)) {
                return `the load balancer reached ${behind.join(", ")}`;
            }
            const admin = await http("GET", `${out.gogsUrl}/api/v1/user`, undefined, auth());
            if (admin.status !== 200) {
                return `gogs answered its admin with ${admin.status}`;
            }
            return undefined;
        } catch (error) {
            return (error as Error).message;
        }
    }

    /** Waits until the platform does its job with these workers; fails with the last thing that was wrong. */
    async function working(workers = ["worker1", "worker2"], seconds = 90): Promise<void> {
        const deadline = Date.now() + seconds * 1000;
        let wrong = await whatIsWrong(workers);
        while (wrong !== undefined) {
            if (Date.now() > deadline) {
                throw new Error(`the platform is not working again within ${seconds}s: ${wrong}`);
            }
            await sleep(1000);
            wrong = await whatIsWrong(workers);
        }
    }

    const notPassing = (workerName: string) => eventually(`consul reports ${workerName}'s API failing`, 30,
        async () => !(await passingWorkerApis(out.consulUrl)).includes(workerName));
    const upstreamFile = () => docker("exec", name("nginx"), "cat", "/etc/nginx/edm/workers.conf");

    before(async () => {
        const started = Date.now();
        await stack.up();
        out = (await stack.outputs()).clusters.edm;
        assert.strictEqual(out.containerNames["worker1-api"], name("worker1-api"));
        await working();
        console.log(`      EDM | first up | a working platform (master + 2 workers) ${((Date.now() - started) / 1000).toFixed(1)}s after up began`);
    });

    it("EDM, a worker API container removed by hand: refresh reports it gone, consul says so, up recreates only it and reloads nginx's upstream", () =>
        repairAfter(stack, "EDM", "worker API container removed", {
            inflict: async () => {
                docker("rm", "--force", name("worker1-api"));
                // The agent's health check tells the truth meanwhile; the registration itself stays with the agent.
                await notPassing("worker1");
            },
            refresh: { delete: 1 },
            // The container, and the upstream step run again (nginx resolves the new address at
            // reload). The new API finds its registration kept by the agent, whose check finds the
            // new container by its name on the platform network.
            up: { create: 1, replace: 1 },
            works: () => working(),
        }));

    it("EDM, the nginx load balancer removed by hand: up recreates it, which finds its upstream on its volume, and the upstream step has it reload", () =>
        repairAfter(stack, "EDM", "nginx container removed", {
            inflict: () => docker("rm", "--force", name("nginx")),
            // The upstream file is on nginx's volume, which stays; the step runs again for the new nginx.
            refresh: { delete: 1 },
            up: { create: 1, replace: 1 },
            works: async () => {
                assert.match(upstreamFile(), /server worker1-api:8833;[^\n]*\n\s*server worker2-api:8833;/);
                await working();
            },
        }));

    it("EDM, the consul server removed by hand: up makes it anew on its data volume, both workers rejoin and their registrations are still there", () =>
        repairAfter(stack, "EDM", "consul server removed", {
            inflict: () => docker("rm", "--force", name("consul")),
            refresh: { delete: 1 },
            // Only the server: the agents retry-join it by name and keep their own registrations.
            up: { create: 1 },
            works: async () => {
                await eventually("consul lists the master and both workers", 60, async () =>
                    JSON.stringify(await consulNodes(out.consulUrl).catch(() => [])) === JSON.stringify(["master", "worker1", "worker2"]));
                await working();
            },
        }));

    it("EDM, a worker's consul agent removed by hand: up makes it anew on its data volume, and the worker API registers itself in it again", () =>
        repairAfter(stack, "EDM", "worker consul agent removed", {
            inflict: async () => {
                docker("rm", "--force", name("worker1-consul"));
                await notPassing("worker1");
            },
            refresh: { delete: 1 },
            // The agent only: the API, which looks every 5 s, registers itself in the new one.
            up: { create: 1 },
            works: () => working(),
        }));

    it("EDM, the gogs (Gitea) container removed by hand: up makes it anew; repositories and the admin account survive on its volume, a clone works", async () => {
        const repo = `kept${Date.now().toString(36)}`;
        const gogsUrl = String(out.gogsUrl).replace(/\/$/, "");
        await pushToGogs(gogsUrl, out.gogsAdminUser, out.gogsAdminPassword, repo, appFiles(repo));
        await repairAfter(stack, "EDM", "gogs container removed", {
            inflict: () => docker("rm", "--force", name("gogs")),
            refresh: { delete: 1 },
            up: { create: 1 },
            works: async () => {
                await working();
                const listed = await http("GET", `${gogsUrl}/api/v1/repos/${out.gogsAdminUser}/${repo}`, undefined, auth());
                assert.strictEqual(listed.status, 200, JSON.stringify(listed.json));
                const dir = fs.mkdtempSync(path.join(os.tmpdir(), "edm-faults-clone-"));
                try {
                    const remote = new URL(`${gogsUrl}/${out.gogsAdminUser}/${repo}.git`);
                    remote.username = out.gogsAdminUser;
                    remote.password = out.gogsAdminPassword;
                    execFileSync("git", ["clone", "-q", remote.toString(), dir], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
                    assert.strictEqual(fs.readFileSync(path.join(dir, "docker-compose.yml"), "utf8"), appFiles(repo)["docker-compose.yml"]);
                } finally {
                    fs.rmSync(dir, { recursive: true, force: true });
                }
            },
        });
    });

    it("EDM, a worker's consul agent process crashed: the restart policy brings it back with its registration, refresh finds nothing to repair", async () => {
        const started = Date.now();
        // Whenever Docker says healthy again, the agent must really know consul's leader.
        const knowsLeader = async () => (await http("GET", `http://127.0.0.1:${worker(2).consulPort}/v1/status/leader`).catch(() => ({ json: "" }))).json !== "";
        const seen = await crashAndWatch(stack.name, name("worker2-consul"), /consul agent/, knowsLeader, 60);
        console.log(`      Docker's health of the agent meanwhile: ${seen.join(" → ")}`);
        await working();
        const refresh = changesOf((await stack.refresh({ expectNoChanges: true })).summary.resourceChanges);
        assert.deepStrictEqual(refresh, {});
        report("EDM", "worker consul agent process crashed", started, "refresh: nothing; no up needed");
    });

    // @pulumi/docker's provider does not read the published ports of a stopped container back, and
    // ports are a container's identity: the worker API (its port is published) is made anew by the
    // next `up`, under the same name, on the same volume, and the upstream file, which follows the
    // workers' containers, is written again (before @pulumi/docker: started in place).
    it("EDM, a worker API container stopped by hand: its healthcheck and consul say so, refresh reports it stopped, up makes it anew (it publishes a port) and writes the upstream again", () =>
        stoppedByHand(stack, "EDM", "worker API container stopped", name("worker2-api"), {
            meanwhile: () => notPassing("worker2"),
            works: () => working(),
            madeAnew: true,
            alsoReplaced: 1,
        }));

    // The network gone; every container stopped and cut off. The upstream file cannot be looked at
    // while nginx is stopped: refresh keeps it as it was.
    it("EDM, the cluster network removed while its containers were stopped: up restores the network and every attachment", () =>
        networkRemovedWhileStopped(stack, "EDM", out.networkName, {
            containers: 9,
            // The network; each container made anew on it (volumes stay), and the upstream step run
            // again for the new nginx. Each worker API registers itself in its new agent.
            up: { create: 1, replace: 10 },
            works: () => working(),
        }));

    it("EDM, the Docker engine restarted: the platform is working again by itself, refresh finds nothing to repair", async () => {
        const started = Date.now();
        await restartEngine();
        await working(["worker1", "worker2"], 180);
        const refresh = changesOf((await stack.refresh({ expectNoChanges: true })).summary.resourceChanges);
        assert.deepStrictEqual(refresh, {});
        report("EDM", "engine restarted", started, "refresh: nothing; no up needed");
    });

    it("EDM, two `up` at once: the second is refused by the backend's lock, and the first adds worker3 intact", async () => {
        await stack.setClusters(edm(1, 2, 3));
        await twoUpsAtOnce(stack);
        assert.deepStrictEqual(changesOf((await stack.preview({ expectNoChanges: true })).changeSummary), {});
        await working(["worker1", "worker2", "worker3"]);
    });

    // SIGINT adds worker4 (interrupted while creating); SIGKILL removes worker3 and worker4 and
    // adds worker5 (interrupted while deleting and creating at once).
    for (const [signal, workers, added] of [["SIGINT", [1, 2, 3, 4], 4], ["SIGKILL", [1, 2, 5], 5]] as const) {
        it(`EDM, an up interrupted half-way by ${signal}: scripts/recover.sh and the next up finish the job`, async () => {
            const started = Date.now();
            await stack.setClusters(edm(...workers));
            await interruptUpAndRecover(stack, signal, `worker${added}'s consul agent being created`,
                () => containersOf(stack.name).some((c) => c.name === name(`worker${added}-consul`)));
            const up = changesOf((await stack.up()).summary.resourceChanges);
            const names = workers.map((n) => `worker${n}`);
            await working(names);
            assert.deepStrictEqual([...upstreamFile().matchAll(/# (worker\d+)/g)].map((m) => m[1]), names);
            assert.deepStrictEqual(changesOf((await stack.preview({ expectNoChanges: true })).changeSummary), {});
            report("EDM", `up interrupted by ${signal}`, started, `recover.sh, then up: ${describeChanges(up)}`);
        });
    }

    it("EDM, destroy after containers (a consul agent, nginx with its upstream file, a worker API, gogs) and a volume were removed by hand: succeeds and leaves nothing labelled", async () => {
        // nginx holds the upstream file; worker2's API, gone, cannot deregister itself.
        docker("rm", "--force", name("worker1-consul"), name("nginx"), name("worker2-api"), name("gogs"));
        docker("volume", "rm", `${name("gogs")}-data`);
        await stack.destroy();
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
    });
});
