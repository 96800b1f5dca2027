import * as assert from "assert";
import { appFiles, catalogEntries, consulNodes, http, kvValue, passingWorkerApis, pushToGogs } from "./support/edm";
import { changesOf, danglingVolumes, labelledLeftovers, suiteStack } from "./support/lifecycle";
import { eventually, sleep } from "./support/poll";
import { docker, e2eOptOut } from "./support/toolchain";

// Ports of their own, so this suite never clashes with a local stack on the same engine.
const worker = (n: number) => ({ name: `worker${n}`, apiPort: 18832 + n, consulPort: 18510 + n });
const edm = (workers: number) => ({
    edm: {
        kind: "edm",
        master: { ports: { consul: 18500, loadBalancer: 18080, gogs: 13000 } },
        workers: Array.from({ length: workers }, (_, i) => worker(i + 1)),
    },
});

const describeE2e = e2eOptOut ? describe.skip : describe;

describeE2e("EdmMaster + EdmWorker end to end — consul 1.16.3, gogs, nginx, registrator stand-in, the worker API", function () {
    this.timeout(30 * 60 * 1000);
    const { stack, danglingBefore } = suiteStack("EDM e2e", "edm", edm(2));
    let out: Record<string, any>;
    let upAt = 0;
    const nginxId = () => docker("inspect", "--format", "{{.Id}}", out.containerNames.nginx);
    const upstreamFile = () => docker("exec", out.containerNames.nginx, "cat", "/etc/nginx/edm/workers.conf");
    const workersBehindLb = async (tries: number) => {
        const seen = new Set<string>();
        for (let i = 0; i < tries; i++) {
            const answer = await http("GET", `${out.loadBalancerUrl}/health`);
            assert.strictEqual(answer.status, 200);
            seen.add(answer.json.worker);
        }
        return [...seen].sort();
    };

    it("EDM: up leaves a master and two workers, and consul lists every node and both worker APIs passing", async () => {
        const started = Date.now();
        await stack.up();
        upAt = Date.now();
        console.log(`      up to a ready platform (master + 2 workers): ${((upAt - started) / 1000).toFixed(1)}s`);
        out = (await stack.outputs()).clusters.edm;
        assert.deepStrictEqual(await consulNodes(out.consulUrl), ["master", "worker1", "worker2"]);
        assert.deepStrictEqual(await passingWorkerApis(out.consulUrl), ["worker1", "worker2"]);
        assert.deepStrictEqual(out.workerApiUrls, { worker1: "http://127.0.0.1:18833", worker2: "http://127.0.0.1:18834" });
    });

    it("EDM: requests through the nginx load balancer are spread over both workers", async () => {
        assert.deepStrictEqual(await workersBehindLb(6), ["worker1", "worker2"]);
    });

    it("EDM: an app pushed to gogs is built and started through the load balancer on the worker that built it, answers, and delete cleans up", async () => {
        const id = `app${Date.now().toString(36)}`;
        await pushToGogs(out.gogsUrl.replace(/\/$/, ""), out.gogsAdminUser, out.gogsAdminPassword, id, appFiles(id));
        const built = await http("POST", `${out.loadBalancerUrl}/instances/${id}/build`, { repository: `${out.gogsAdminUser}/${id}` });
        assert.strictEqual(built.status, 201, JSON.stringify(built.json));
        const owner = built.json.worker as string;
        assert.strictEqual(await kvValue(out.consulUrl, `instance/${id}/ip`), "127.0.0.1");
        assert.strictEqual(await kvValue(out.consulUrl, `instance/${id}/worker`), owner);

        const startedAt = Date.now();
        // Round robin sends consecutive calls to different workers: both reach the owner.
        for (const attempt of [0, 1]) {
            const started = await http("POST", `${out.loadBalancerUrl}/instances/${id}/start`);
            assert.strictEqual(started.status, 200, JSON.stringify(started.json));
            assert.strictEqual(started.json.worker, owner, `attempt ${attempt}`);
            const endpoint = started.json.endpoints["web:8080/tcp"] as string;
            assert.match(endpoint, /^127\.0\.0\.1:\d+$/);
            const app = await fetch(`http://${endpoint}/`);
            assert.strictEqual((await app.text()).trim(), `hello from ${id}`);
            if (attempt === 0) {
                console.log(`      start request to the instance answering: ${((Date.now() - startedAt) / 1000).toFixed(1)}s (the seed: about 8 s)`);
            }
        }
        const project = `label=com.docker.compose.project=edm-${id}`;
        assert.strictEqual(docker("ps", "-q", "--filter", project).split("\n").filter(Boolean).length, 1);
        // registrator (the stand-in) saw the instance's container and registered its published port at -ip.
        const endpoint = (await http("GET", `${out.workerApiUrls[owner]}/instances/${id}`)).json.endpoints["web:8080/tcp"] as string;
        await eventually("registrator registers the instance in consul", 30, async () =>
            (await catalogEntries(out.consulUrl, `edm-${id}`)).includes(`${owner} ${endpoint}`));

        const deleted = await http("DELETE", `${out.loadBalancerUrl}/instances/${id}`);
        assert.strictEqual(deleted.status, 200, JSON.stringify(deleted.json));
        assert.strictEqual(docker("ps", "-aq", "--filter", project), "");
        assert.strictEqual(docker("images", "-q", `edm-${id}_web`), "", "the instance's image is removed");
        assert.strictEqual(docker("network", "ls", "-q", "--filter", project), "", "the instance's network is removed");
        assert.strictEqual(await kvValue(out.consulUrl, `instance/${id}/ip`), undefined);
        await eventually("registrator deregisters the deleted instance", 30, async () => (await catalogEntries(out.consulUrl, `edm-${id}`)).length === 0);
        const again = await http("POST", `${out.loadBalancerUrl}/instances/${id}/start`);
        assert.strictEqual(again.status, 404);
    });

    it("EDM: the worker API answers bad requests with clear errors through the load balancer", async () => {
        const missing = await http("POST", `${out.loadBalancerUrl}/instances/nothere/build`, { repository: `${out.gogsAdminUser}/no-such-repo` });
        assert.strictEqual(missing.status, 404);
        assert.match(missing.json.error, /repository edm\/no-such-repo not found on gogs/);
        assert.strictEqual((await http("POST", `${out.loadBalancerUrl}/instances/nothere/start`)).status, 404);
        assert.strictEqual((await http("POST", `${out.loadBalancerUrl}/instances/Bad_Id/build`, {})).status, 400);
    });

    it("EDM: a second preview and a refresh report no changes", async () => {
        assert.deepStrictEqual(changesOf((await stack.preview({ expectNoChanges: true })).changeSummary), {});
        assert.deepStrictEqual(changesOf((await stack.refresh({ expectNoChanges: true })).summary.resourceChanges), {});
    });

    it("EDM: a third worker joins nginx's upstream by a reload (the master's nginx is not recreated) and consul; removing it takes it out of both", async () => {
        const before = nginxId();
        await stack.setClusters(edm(3));
        const grow = await stack.up();
        assert.deepStrictEqual(changesOf(grow.summary.resourceChanges), { create: 10, update: 1 });
        assert.strictEqual(nginxId(), before, "nginx was recreated");
        assert.match(upstreamFile(), /server worker3-api:8833; # worker3/);
        assert.deepStrictEqual(await passingWorkerApis(out.consulUrl), ["worker1", "worker2", "worker3"]);
        assert.deepStrictEqual(await workersBehindLb(9), ["worker1", "worker2", "worker3"]);

        await stack.setClusters(edm(2));
        const shrink = await stack.up();
        assert.deepStrictEqual(changesOf(shrink.summary.resourceChanges), { delete: 10, update: 1 });
        assert.strictEqual(nginxId(), before, "nginx was recreated");
        assert.doesNotMatch(upstreamFile(), /worker3/);
        assert.deepStrictEqual(await passingWorkerApis(out.consulUrl), ["worker1", "worker2"]);
        assert.deepStrictEqual(await workersBehindLb(6), ["worker1", "worker2"]);
        await eventually("consul forgets worker3's node", 60, async () => !(await consulNodes(out.consulUrl)).includes("worker3"));
    });

    it("EDM: the worker API registrations are still in consul two minutes after up (agent registrations, not catalog ones)", async () => {
        const wait = upAt + 125_000 - Date.now();
        if (wait > 0) {
            await sleep(wait);
        }
        assert.deepStrictEqual(await passingWorkerApis(out.consulUrl), ["worker1", "worker2"]);
        assert.deepStrictEqual(changesOf((await stack.preview({ expectNoChanges: true })).changeSummary), {});
    });

    it("EDM: destroy leaves no container, network or volume with the stack's label", async () => {
        const started = Date.now();
        await stack.destroy();
        console.log(`      destroy: ${((Date.now() - started) / 1000).toFixed(1)}s`);
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
        assert.deepStrictEqual([...danglingVolumes()].filter((v) => !danglingBefore().has(v)), [], "no anonymous volume left behind");
    });
});
