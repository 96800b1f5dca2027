import * as assert from "assert";
import { appFiles, catalogEntries, consulNodes, http, kvValue, passingWorkerApis, pushToGogs } from "./support/edm";
import { borrowExtraHosts, dockerOn, ExtraHosts, labelledOn, tlsStackHosts } from "./support/extra-hosts";
import { changesOf, danglingVolumes, labelledLeftovers, TestStack } from "./support/lifecycle";
import { eventually, sleep } from "./support/poll";
import { docker, e2eOptOut, prepareToolchain } from "./support/toolchain";

// The EDM platform over three Docker engines, as the seed spreads it over servers: the master
// on the local engine, worker1 on host2 (plain tcp://), worker2 on host3 (tcp:// with TLS), each
// extra engine in its own network namespace (scripts/extra-hosts.sh). Ports of their own, so this
// suite never clashes with a local stack on the same engines.

const edmHosts = tlsStackHosts;

const worker = (n: number, host: string) => ({ name: `worker${n}`, host, apiPort: 18832 + n, consulPort: 18510 + n, serfPort: 18310 + n });
const edm = (workers: number) => ({
    edm: {
        kind: "edm",
        host: "local",
        master: { ports: { consul: 18500, loadBalancer: 18080, gogs: 13000, consulSerfLan: 18301, consulServerRpc: 18300 } },
        // worker3 (for the grow/shrink check) shares host2 with worker1: distinct ports there.
        workers: Array.from({ length: workers }, (_, i) => worker(i + 1, ["host2", "host3", "host2"][i])),
    },
});

const describeE2e = e2eOptOut ? describe.skip : describe;

describeE2e("EdmMaster + EdmWorker end to end over three engines (master local, worker1 on host2 tcp://, worker2 on host3 TLS) — consul 1.16.3, gogs (Gitea), nginx, registrator STAND-IN, the worker API", function () {
    this.timeout(40 * 60 * 1000);
    const stack = new TestStack("edm", "e2e");
    let extra: ExtraHosts;
    /** Stops the extra hosts after the suite only when this suite started them. */
    let out: Record<string, any>;
    let upAt = 0;
    let started = 0;
    let danglingBefore = new Set<string>();
    const engines: Record<string, string> = {};
    /** docker on the engine a worker runs on. */
    const onWorker = (name: string, ...args: string[]) => dockerOn(engines[out.workerHosts[name]], ...args);
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

    before(async () => {
        started = Date.now();
        prepareToolchain();
        extra = borrowExtraHosts();
        engines.local = "unix:///var/run/docker.sock";
        engines.host2 = extra.host2.docker;
        engines.host3 = `unix://${extra.host3.socket}`;
        danglingBefore = danglingVolumes();
        await stack.init({});
        await stack.setStackConfig(edmHosts(extra), edm(2));
    });
    after(async () => {
        await stack.dispose();
        console.log(`    suite EDM e2e: ${((Date.now() - started) / 1000).toFixed(1)}s`);
    });

    it("EDM: preview with the policy pack (the multi-server stack file's pack config) plans the platform with no mandatory violation (the gogs password, derived, is a secret known in a preview)", async () => {
        const preview = await stack.preview(stack.policyOptions());
        assert.deepStrictEqual(Object.keys(changesOf(preview.changeSummary)), ["create"]);
        assert.doesNotMatch(preview.stdout, /\[mandatory\]/);
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
    });

    it("EDM: up leaves the master on the local engine and a worker on each extra host, and consul lists every node and both worker APIs passing", async () => {
        const t = Date.now();
        await stack.up();
        upAt = Date.now();
        console.log(`      up to a ready platform (master + 2 workers on two other engines): ${((upAt - t) / 1000).toFixed(1)}s`);
        out = (await stack.outputs()).clusters.edm;
        const s = stack.name;
        const names = (engine: string) => dockerOn(engine, "ps", "--filter", `label=clusterlab.stack=${s}`, "--format", "{{.Names}}").split("\n").sort();
        assert.deepStrictEqual(names(engines.local), [`${s}-edm-consul`, `${s}-edm-gogs`, `${s}-edm-nginx`]);
        assert.deepStrictEqual(names(engines.host2), [`${s}-edm-worker1-api`, `${s}-edm-worker1-consul`, `${s}-edm-worker1-registrator`]);
        assert.deepStrictEqual(names(engines.host3), [`${s}-edm-worker2-api`, `${s}-edm-worker2-consul`, `${s}-edm-worker2-registrator`]);
        assert.deepStrictEqual(out.workerHosts, { worker1: "host2", worker2: "host3" });
        assert.deepStrictEqual(await consulNodes(out.consulUrl), ["master", "worker1", "worker2"]);
        assert.deepStrictEqual(await passingWorkerApis(out.consulUrl), ["worker1", "worker2"]);
        assert.deepStrictEqual(out.workerApiUrls, { worker1: "http://10.213.0.2:18833", worker2: "http://10.213.0.3:18834" });
        // The images were built once, on the local engine, and shipped: same id on every engine.
        const image = (engine: string, ref: string) => dockerOn(engine, "inspect", "--format", "{{.Image}}", ref);
        assert.strictEqual(image(engines.host2, `${s}-edm-worker1-consul`), image(engines.local, `${s}-edm-consul`));
        assert.strictEqual(image(engines.host3, `${s}-edm-worker2-consul`), image(engines.local, `${s}-edm-consul`));
    });

    it("EDM: every consul agent advertises its host's address and published serf port", async () => {
        const members = (await http("GET", `${out.consulUrl}/v1/agent/members`)).json as { Name: string; Addr: string; Port: number; Status: number }[];
        assert.deepStrictEqual(members.map((m) => `${m.Name} ${m.Addr}:${m.Port} ${m.Status}`).sort(),
            ["master 10.213.0.1:18301 1", "worker1 10.213.0.2:18311 1", "worker2 10.213.0.3:18312 1"]);
    });

    it("EDM: requests through the nginx load balancer are spread over both workers on their hosts", async () => {
        assert.deepStrictEqual(await workersBehindLb(6), ["worker1", "worker2"]);
        assert.match(upstreamFile(), /server 10\.213\.0\.2:18833; # worker1\n\s+server 10\.213\.0\.3:18834; # worker2/);
    });

    it("EDM: an app pushed to gogs is built and started through the load balancer on the worker that built it, on that worker's engine, answers, and delete cleans up", async () => {
        const id = `app${Date.now().toString(36)}`;
        await pushToGogs(out.gogsUrl.replace(/\/$/, ""), out.gogsAdminUser, out.gogsAdminPassword, id, appFiles(id, ""));
        const built = await http("POST", `${out.loadBalancerUrl}/instances/${id}/build`, { repository: `${out.gogsAdminUser}/${id}` });
        assert.strictEqual(built.status, 201, JSON.stringify(built.json));
        const owner = built.json.worker as string;
        const ownerAddress = { worker1: "10.213.0.2", worker2: "10.213.0.3" }[owner];
        assert.ok(ownerAddress, owner);
        assert.strictEqual(await kvValue(out.consulUrl, `instance/${id}/ip`), ownerAddress);
        assert.strictEqual(await kvValue(out.consulUrl, `instance/${id}/worker`), owner);
        assert.notStrictEqual(onWorker(owner, "images", "-q", `edm-${id}_web`), "", "the image is built on the owner's engine");

        // Round robin sends consecutive calls to different workers: both reach the owner (the
        // other forwards across hosts, to the owner's advertised address).
        for (const attempt of [0, 1]) {
            const startRequest = Date.now();
            const startedApp = await http("POST", `${out.loadBalancerUrl}/instances/${id}/start`);
            assert.strictEqual(startedApp.status, 200, JSON.stringify(startedApp.json));
            assert.strictEqual(startedApp.json.worker, owner, `attempt ${attempt}`);
            const endpoint = startedApp.json.endpoints["web:8080/tcp"] as string;
            assert.match(endpoint, new RegExp(`^${ownerAddress.replace(/\./g, "\\.")}:\\d+$`));
            const app = await fetch(`http://${endpoint}/`);
            assert.strictEqual((await app.text()).trim(), `hello from ${id}`);
            console.log(`      start request (attempt ${attempt}, ${startedApp.forwardedBy === null ? "straight to the owner" : `forwarded by ${startedApp.forwardedBy}`}) ` +
                `to the instance answering: ${((Date.now() - startRequest) / 1000).toFixed(1)}s, of which the owner's compose up + readiness ` +
                `${(startedApp.json.readyMs / 1000).toFixed(1)}s (the seed: about 8 s, 7 of them a sleep)`);
        }
        const project = `label=com.docker.compose.project=edm-${id}`;
        assert.strictEqual(onWorker(owner, "ps", "-q", "--filter", project).split("\n").filter(Boolean).length, 1);
        assert.strictEqual(docker("ps", "-aq", "--filter", project), "", "nothing of the instance on the master's engine");
        // registrator (the stand-in) saw the instance's container and registered its published port
        // at -ip, under the name the worker API gave it (edm-<id>-<compose service>).
        const endpoint = (await http("GET", `${out.workerApiUrls[owner]}/instances/${id}`)).json.endpoints["web:8080/tcp"] as string;
        await eventually("registrator registers the instance in consul", 30, async () =>
            (await catalogEntries(out.consulUrl, `edm-${id}-web`)).includes(`${owner} ${endpoint}`));
        // A container of something else on the owner's engine (another cluster's role, its image
        // given by id as Pulumi gives it) with a published port: registrator leaves it out.
        const apiImage = onWorker(owner, "inspect", "--format", "{{.Image}}", `${stack.name}-edm-${owner}-api`);
        const stranger = `${stack.name}-not-edm`;
        onWorker(owner, "run", "--detach", "--name", stranger, "--label", `clusterlab.stack=${stack.name}`, "--publish", "18998:8833",
            "--entrypoint", "sleep", apiImage, "600");
        try {
            await sleep(5000); // registrator registers on Docker's `start` event, within a second
            const services = Object.keys((await http("GET", `${out.consulUrl}/v1/catalog/services`)).json as Record<string, string[]>).sort();
            assert.deepStrictEqual(services, ["consul", `edm-${id}-web`, "edm-worker-api"]);
        } finally {
            onWorker(owner, "rm", "--force", stranger);
        }

        const deleted = await http("DELETE", `${out.loadBalancerUrl}/instances/${id}`);
        assert.strictEqual(deleted.status, 200, JSON.stringify(deleted.json));
        assert.strictEqual(onWorker(owner, "ps", "-aq", "--filter", project), "");
        assert.strictEqual(onWorker(owner, "images", "-q", `edm-${id}_web`), "", "the instance's image is removed");
        assert.strictEqual(onWorker(owner, "network", "ls", "-q", "--filter", project), "", "the instance's network is removed");
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

    it("EDM: a third worker on host2 beside worker1 joins nginx's upstream by a reload (nginx not recreated) and consul; removing it takes it out of both", async () => {
        const before = nginxId();
        await stack.setStackConfig(edmHosts(extra), edm(3));
        const grow = await stack.up();
        // Its containers, volumes and components (the API registers itself); host2 has the network and images already.
        // And the upstream step run again for the new list.
        assert.deepStrictEqual(changesOf(grow.summary.resourceChanges), { create: 9, replace: 1 });
        assert.strictEqual(nginxId(), before, "nginx was recreated");
        assert.match(upstreamFile(), /server 10\.213\.0\.2:18835; # worker3/);
        assert.deepStrictEqual(await passingWorkerApis(out.consulUrl), ["worker1", "worker2", "worker3"]);
        assert.deepStrictEqual(await workersBehindLb(9), ["worker1", "worker2", "worker3"]);

        await stack.setStackConfig(edmHosts(extra), edm(2));
        const shrink = await stack.up();
        // The API deregisters itself on SIGTERM, before its agent leaves.
        assert.deepStrictEqual(changesOf(shrink.summary.resourceChanges), { delete: 9, replace: 1 });
        assert.strictEqual(nginxId(), before, "nginx was recreated");
        assert.doesNotMatch(upstreamFile(), /worker3/);
        assert.deepStrictEqual(await passingWorkerApis(out.consulUrl), ["worker1", "worker2"]);
        assert.deepStrictEqual(await workersBehindLb(6), ["worker1", "worker2"]);
        await eventually("consul forgets worker3's node", 90, async () => !(await consulNodes(out.consulUrl)).includes("worker3"));
    });

    it("EDM: the worker API registrations are still in consul two minutes after up (agent registrations, not catalog ones)", async () => {
        const wait = upAt + 125_000 - Date.now();
        if (wait > 0) {
            await sleep(wait);
        }
        assert.deepStrictEqual(await passingWorkerApis(out.consulUrl), ["worker1", "worker2"]);
        assert.deepStrictEqual(changesOf((await stack.preview({ expectNoChanges: true })).changeSummary), {});
    });

    it("EDM: destroy leaves no container, network or volume with the stack's label on any of the three engines", async () => {
        const t = Date.now();
        await stack.destroy();
        console.log(`      destroy: ${((Date.now() - t) / 1000).toFixed(1)}s`);
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
        assert.deepStrictEqual(labelledOn(engines.host2, stack.name), []);
        assert.deepStrictEqual(labelledOn(engines.host3, stack.name), []);
        assert.deepStrictEqual([...danglingVolumes()].filter((v) => !danglingBefore.has(v)), [], "no anonymous volume left behind");
    });
});
