import * as assert from "assert";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { placeMembers } from "../../components/core/placement";
import { applicationMasterPortCount } from "../../components/hadoop/schema";
import { http } from "./support/edm";
import { dockerOn, ExtraHosts, borrowExtraHosts, labelledOn } from "./support/extra-hosts";
import { getJson } from "./support/hadoop";
import { changesOf, danglingVolumes, labelledLeftovers, TestStack } from "./support/lifecycle";
import { aliveNodes } from "./support/oar";
import { eventually, sleep } from "./support/poll";
import { docker, e2eOptOut, prepareToolchain, repoRoot, shell } from "./support/toolchain";

// The whole of stacks/presets/multi-server.yaml in ONE deployment, as a user runs it
// (`bash scripts/up.sh multi-server`): the test stack's config file is a byte-for-byte copy of
// it; only the stack's name differs (a unique one, so runs never meet each other or a user's
// `multi-server` stack; the copy is gitignored and removed at the end). Its ports are the
// file's own: a stack already holding them on these engines makes this suite fail at up.

const describeE2e = e2eOptOut ? describe.skip : describe;

const stackFile = "multi-server";

interface StackFile {
    config: {
        "clusterlab:hosts": Record<string, { bindAddress?: string }>;
        "clusterlab:clusters": Record<string, { kind: string } & Record<string, any>>;
    };
}

/** The file as written: the suite checks every cluster it declares, whatever blocks it has. */
export function multiServerStackFile(): StackFile {
    return parse(fs.readFileSync(path.join(repoRoot, "stacks", "presets", `${stackFile}.yaml`), "utf8")) as StackFile;
}

describeE2e("Multi-server stack end to end — the whole of stacks/presets/multi-server.yaml in one deployment over three Docker engines (local, host2 tcp://, host3 ssh://): " +
    "MesosCluster (Mesos STAND-IN images), OarCluster, the EDM platform (registrator STAND-IN), HadoopCluster, and AuroraWithCustomExecutor (STAND-INs) when the file has it", function () {
    this.timeout(30 * 60 * 1000);
    const stack = new TestStack("multi", "e2e");
    const file = multiServerStackFile();
    const clusters = file.config["clusterlab:clusters"];
    const address = (host: string) => file.config["clusterlab:hosts"][host].bindAddress as string;
    let extra: ExtraHosts;
    let started = 0;
    let engines: Record<string, string> = {};
    let dangling: Record<string, Set<string>> = {};
    let outputs: Record<string, Record<string, any>> = {};
    const danglingOn = (host: string) => host === "local" ? danglingVolumes()
        : new Set(dockerOn(engines[host], "volume", "ls", "-q", "--filter", "dangling=true").split("\n").filter((v) => v !== ""));
    /** The host a counted member runs on, by the components' own rule (its `host`, else round-robin over the group, else the cluster's host). */
    const memberHost = (cluster: any, member: string, members: { name: string; host?: string }[], group?: string[]): string =>
        placeMembers(members, group)[member] ?? cluster.host;
    const clustersOfKind = (kind: string) => Object.keys(clusters).filter((name) => clusters[name].kind === kind);
    /** Each kind this suite knows how to check; a kind without a check fails the first test. */
    const checkedKinds = ["mesos", "oar", "edm", "hadoop", "aurora"];

    before(async () => {
        started = Date.now();
        prepareToolchain();
        extra = borrowExtraHosts();
        // The checks reach host3's engine through its socket (this machine's filesystem), not ssh: quicker, same objects.
        engines = { local: "unix:///var/run/docker.sock", host2: extra.host2.docker, host3: `unix://${extra.host3.socket}` };
        dangling = Object.fromEntries(Object.keys(engines).map((host) => [host, danglingOn(host)]));
        await stack.initFromStackFile(stackFile);
    });
    after(async () => {
        await stack.dispose();
        console.log(`    suite multi-server e2e (whole stack file, one deployment): ${((Date.now() - started) / 1000).toFixed(1)}s`);
    });

    it("multi-server: the file's hosts are the extra engines of scripts/extra-hosts.sh (host3 over ssh:// with its key files), and the suite has a check for every kind it declares", () => {
        const hosts = file.config["clusterlab:hosts"] as Record<string, any>;
        assert.deepStrictEqual(Object.keys(hosts).sort(), ["host2", "host3", "local"]);
        assert.strictEqual(hosts.host2.docker, extra.host2.docker);
        assert.strictEqual(hosts.host3.docker, extra.host3.ssh);
        assert.strictEqual(hosts.host2.socketPath, extra.host2.socket);
        assert.strictEqual(hosts.host3.socketPath, extra.host3.socket);
        const home = (p: string) => p.replace(/^~(?=\/)/, process.env.HOME ?? "~");
        assert.ok(fs.existsSync(home(hosts.host3.ssh.options.IdentityFile)), hosts.host3.ssh.options.IdentityFile);
        assert.ok(fs.existsSync(home(hosts.host3.ssh.options.UserKnownHostsFile)), hosts.host3.ssh.options.UserKnownHostsFile);
        assert.deepStrictEqual(Object.values(clusters).map((c) => c.kind).filter((kind) => !checkedKinds.includes(kind)), []);
        // The stack runs on the file's config as written (the CLI adds its encryptionsalt and reformats the copy's flow maps),
        // and the secret seed `npm run up` adds to a stack, encrypted.
        const { "clusterlab:secretSeed": seed, ...config } = (parse(fs.readFileSync(stack.stackFilePath(), "utf8")) as StackFile).config as StackFile["config"] & { "clusterlab:secretSeed"?: { secure: string } };
        assert.deepStrictEqual(config, file.config);
        assert.match(seed?.secure ?? "", /^v1:/);
    });

    it("multi-server: one up deploys every cluster of the file, each role on the host its placement names", async () => {
        const t = Date.now();
        await stack.up();
        console.log(`      up of the whole stack over three engines: ${((Date.now() - t) / 1000).toFixed(1)}s`);
        outputs = (await stack.outputs()).clusters;
        assert.deepStrictEqual(Object.keys(outputs).sort(), Object.keys(clusters).sort());
        const s = stack.name;
        const on = Object.fromEntries(Object.entries(engines).map(([host, endpoint]) =>
            [host, dockerOn(endpoint, "ps", "--filter", `label=clusterlab.stack=${s}`, "--format", "{{.Names}} {{.Status}}").split("\n").filter((l) => l !== "")]));
        for (const lines of Object.values(on)) {
            for (const line of lines) {
                assert.doesNotMatch(line, /\((unhealthy|health: starting)\)/, line);
            }
        }
        const placed = (cluster: string) => Object.fromEntries(Object.entries(on).map(([host, lines]) =>
            [host, lines.map((l) => l.split(" ")[0]).filter((n) => n.startsWith(`${s}-${cluster}-`)).map((n) => n.slice(`${s}-${cluster}-`.length)).sort()]));
        // What the file places where (round-robin over each host group, as its comments say), by cluster name.
        const expected: Record<string, Record<string, string[]>> = {
            wraxl: { local: ["agent1", "master", "redis", "scheduler", "zookeeper"], host2: ["agent2"], host3: ["agent3"] },
            oar: { local: [], host2: ["frontend", "node1", "node3", "server"], host3: ["node2"] },
            edm: {
                local: ["consul", "gogs", "nginx"],
                host2: ["worker1-api", "worker1-consul", "worker1-registrator"],
                host3: ["worker2-api", "worker2-consul", "worker2-registrator"],
            },
            hadoop: { local: ["client", "historyserver", "namenode", "resourcemanager"], host2: ["datanode1"], host3: ["datanode2", "nodemanager1"] },
            // The job's keeper beside the scheduler.
            aurora: { local: ["job-root-prod-hello", "master", "observer", "scheduler", "zookeeper"], host2: ["agent1"], host3: ["agent2"] },
        };
        for (const name of Object.keys(clusters)) {
            const containers = Object.values(outputs[name].containerNames as Record<string, string>);
            const seen = Object.values(placed(name)).flat().length;
            assert.strictEqual(seen, containers.length, `${name}: every container of its outputs runs (${JSON.stringify(placed(name))})`);
            if (expected[name] !== undefined) {
                assert.deepStrictEqual(placed(name), expected[name], name);
            }
        }
    });

    it("multi-server: MesosCluster's agents on all three hosts registered at the master by their hosts' addresses, and a task posted from local runs on host3's agent", async function () {
        const names = clustersOfKind("mesos");
        if (names.length === 0) {
            this.skip();
        }
        for (const name of names) {
            const cluster = clusters[name];
            const mesos = outputs[name].containerNames as Record<string, string>;
            const state = () => JSON.parse(docker("exec", mesos.master, "curl", "-fsS", "http://127.0.0.1:5050/master/state")) as
                { leader: string; slaves: { hostname: string; pid: string; active: boolean }[] };
            const agents = cluster.agents as { name: string; port: number }[];
            const hostOf = (i: number) => memberHost(cluster, agents[i].name, agents, cluster.agentHosts);
            await eventually(`every agent of ${name} active at the master`, 90, () => state().slaves.filter((a) => a.active).length === agents.length);
            const current = state();
            assert.strictEqual(current.leader, `master@${address(cluster.host)}:${cluster.master.port}`, "the master advertises its host's address and published port");
            // An agent on another host than the master advertises its host's address and published port;
            // one beside the master is reached on the cluster's network, at its container's address.
            assert.deepStrictEqual(current.slaves.filter((a) => a.active).map((a) => a.hostname).sort(), agents.map((a) => a.name).sort());
            const pids = Object.fromEntries(current.slaves.map((a) => [a.hostname, a.pid]));
            agents.forEach((agent, i) => {
                if (hostOf(i) !== cluster.host) {
                    assert.strictEqual(pids[agent.name], `slave(1)@${address(hostOf(i))}:${agent.port}`, agent.name);
                }
            });
            assert.ok(new Set(agents.map((_, i) => hostOf(i))).size === 3, "agents on all three hosts");
            // A task posted from the scheduler (local engine) to the last agent (host3), at its advertised address.
            // The scheduler image has python3 and no curl.
            const remote = agents.length - 1;
            assert.notStrictEqual(hostOf(remote), cluster.host);
            const post = "import json,sys,urllib.request as u; r=u.Request(sys.argv[1], data=sys.argv[2].encode(), " +
                "headers={'Content-Type': 'application/json'}, method='POST'); print(u.urlopen(r, timeout=60).read().decode())";
            const task = JSON.parse(docker("exec", mesos.scheduler, "python3", "-c", post, `http://${address(hostOf(remote))}:${agents[remote].port}/standin/tasks`,
                JSON.stringify({ id: "cross-host", cmd: ["/bin/sh", "-c", "hostname; id -un"] }))) as { exit_code: number; stdout: string };
            assert.strictEqual(task.exit_code, 0);
            assert.deepStrictEqual(task.stdout.trim().split("\n"), [agents[remote].name, "wrlbuild"]);
        }
    });

    it("multi-server: OarCluster's nodes on host2 and host3 are Alive, and a job on every node spans both hosts", async function () {
        const names = clustersOfKind("oar");
        if (names.length === 0) {
            this.skip();
        }
        for (const name of names) {
            const cluster = clusters[name];
            const oar = outputs[name].containerNames as Record<string, string>;
            const nodes = (cluster.nodes as { name: string }[]).map((n) => n.name).sort();
            const nodeHost = (node: string) => memberHost(cluster, node, cluster.nodes, cluster.nodeHosts);
            assert.deepStrictEqual(new Set(nodes.map(nodeHost)).size, 2, "the nodes span two hosts");
            const server = engines[cluster.host];
            await eventually(`every node of ${name} Alive`, 60, () => JSON.stringify(alive(server, oar.server)) === JSON.stringify(nodes));
            // The job's first node runs the script from its own /home: each host has its own, so the script goes in each.
            const script = "printf '%s\\n' '#!/bin/sh' 'for h in $(sort -u \"$OAR_NODEFILE\"); do oarsh \"$h\" hostname; done' > hostnames.sh && chmod +x hostnames.sh";
            for (const node of nodes) {
                dockerOn(engines[nodeHost(node)], "exec", "-u", "user", oar[node], "sh", "-c", `cd /home/user && ${script}`);
            }
            const submitted = dockerOn(server, "exec", oar.frontend, "su", "-", "user", "-c", `oarsub -l nodes=${nodes.length} ./hostnames.sh`);
            const id = /OAR_JOB_ID=(\d+)/.exec(submitted)?.[1];
            assert.ok(id, submitted);
            let state = "";
            const deadline = Date.now() + 180_000;
            while (!["Terminated", "Error"].includes(state) && Date.now() < deadline) {
                await sleep(1000);
                state = /state = (\w+)/.exec(dockerOn(server, "exec", oar.frontend, "oarstat", "-fj", id!))?.[1] ?? "";
            }
            const full = dockerOn(server, "exec", oar.frontend, "oarstat", "-fj", id!);
            assert.strictEqual(state, "Terminated", full);
            assert.match(full, /exit_code = 0/);
            const stdoutOf = (node: string) => {
                try {
                    return dockerOn(engines[nodeHost(node)], "exec", oar[node], "cat", `/home/user/OAR.${id}.stdout`);
                } catch {
                    return "";
                }
            };
            const stdout = nodes.map(stdoutOf).find((text) => text !== "") ?? "";
            assert.deepStrictEqual(stdout.trim().split("\n").sort(), nodes, full);
        }
    });

    it("multi-server: the EDM load balancer on local reaches both remote workers at their hosts' addresses, and consul lists every agent at its host's", async function () {
        const names = clustersOfKind("edm");
        if (names.length === 0) {
            this.skip();
        }
        for (const name of names) {
            const out = outputs[name];
            const workers = Object.keys(out.workerHosts).sort();
            assert.deepStrictEqual(workers.map((w) => out.workerHosts[w]), clusters[name].workerHosts);
            for (const worker of workers) {
                assert.match(out.workerApiUrls[worker], new RegExp(`^http://${address(out.workerHosts[worker]).replace(/\./g, "\\.")}:\\d+$`));
            }
            const seen = new Set<string>();
            for (let i = 0; i < 3 * workers.length; i++) {
                const answer = await http("GET", `${out.loadBalancerUrl}/health`);
                assert.strictEqual(answer.status, 200);
                seen.add(answer.worker ?? answer.json.worker);
            }
            assert.deepStrictEqual([...seen].sort(), workers);
            const members = (await http("GET", `${out.consulUrl}/v1/agent/members`)).json as { Name: string; Addr: string; Status: number }[];
            assert.deepStrictEqual(members.map((m) => `${m.Name} ${m.Addr} ${m.Status}`).sort(),
                [`master ${address(clusters[name].host)} 1`, ...workers.map((w) => `${w} ${address(out.workerHosts[w])} 1`)].sort());
            // The workers' engines hold other clusters' roles with published ports (OAR, Hadoop,
            // Mesos): registrator registers none of them, only what the worker API starts.
            const services = Object.keys((await http("GET", `${out.consulUrl}/v1/catalog/services`)).json as Record<string, string[]>).sort();
            assert.deepStrictEqual(services, ["consul", "edm-worker-api"]);
        }
    });

    it("multi-server: HadoopCluster writes an HDFS file with a replica on each remote host's datanode, reads it back, and runs the pi job on host3's nodemanager", async function () {
        const names = clustersOfKind("hadoop");
        if (names.length === 0) {
            this.skip();
        }
        for (const name of names) {
            const out = outputs[name];
            const hadoop = out.containerNames as Record<string, string>;
            const datanodes = Object.keys(out.datanodePlacement).sort();
            const remote = datanodes.filter((d) => out.datanodePlacement[d].host !== clusters[name].host);
            assert.deepStrictEqual(new Set(remote.map((d) => out.datanodePlacement[d].host)), new Set(["host2", "host3"]));
            const bytes = crypto.randomBytes(2 * 1024 * 1024 + 5);
            execFileSync("docker", ["exec", "-i", "-u", "user", hadoop.client, "hdfs", "dfs", "-D", `dfs.replication=${datanodes.length}`,
                "-put", "-f", "-", "/user/user/spread.bin"], { input: bytes, stdio: ["pipe", "ignore", "pipe"] });
            for (const datanode of remote) {
                const blocks = dockerOn(engines[out.datanodePlacement[datanode].host], "exec", hadoop[datanode], "sh", "-c",
                    "find /data/datanode -name 'blk_*' ! -name '*.meta' -size +2047k").split("\n").filter((line) => line !== "");
                assert.strictEqual(blocks.length, 1, `${datanode} on ${out.datanodePlacement[datanode].host} holds the file's one block`);
            }
            const readBack = () => execFileSync("docker", ["exec", "-u", "user", hadoop.client, "hdfs", "dfs", "-cat", "/user/user/spread.bin"],
                { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
            assert.ok(readBack().equals(bytes), "the bytes read back differ from those written");
            // With every datanode but the first remote one stopped, only that host can serve the block.
            const [servingAlone, ...stopped] = remote;
            const onItsHost = (datanode: string, ...args: string[]) => dockerOn(engines[out.datanodePlacement[datanode].host], ...args);
            stopped.forEach((datanode) => onItsHost(datanode, "stop", "--time", "5", hadoop[datanode]));
            try {
                assert.ok(readBack().equals(bytes), `the bytes read back from ${servingAlone} on ${out.datanodePlacement[servingAlone].host} alone differ`);
            } finally {
                stopped.forEach((datanode) => onItsHost(datanode, "start", hadoop[datanode]));
            }
            await eventually(`${stopped.join(", ")} healthy again`, 180, () =>
                stopped.every((datanode) => onItsHost(datanode, "inspect", "--format", "{{.State.Health.Status}}", hadoop[datanode]) === "healthy"));

            const t = Date.now();
            const output = shell(`${out.exampleJobCommand} 2>&1`);
            assert.match(output, /Estimated value of Pi is 3\.\d+/);
            const jobId = /Running job: (job_\d+_\d+)/.exec(output)?.[1];
            assert.ok(jobId, output);
            const app = (await getJson(`${out.resourcemanagerUrl}/ws/v1/cluster/apps/${jobId.replace(/^job_/, "application_")}`)).app;
            assert.deepStrictEqual([app.state, app.finalStatus], ["FINISHED", "SUCCEEDED"]);
            const nodemanager = Object.keys(out.nodemanagerPlacement)[0];
            const nmHost = out.nodemanagerPlacement[nodemanager].host as string;
            assert.notStrictEqual(nmHost, clusters[name].host);
            assert.strictEqual(app.amHostHttpAddress, out.nodemanagerUrls[nodemanager].replace(/^http:\/\//, ""));
            assert.ok(app.amHostHttpAddress.startsWith(`${address(nmHost)}:`), app.amHostHttpAddress);
            // The job client on local followed the application master at its host's published range.
            const firstAmPort = clusters[name].nodemanagers.find((nm: { name: string }) => nm.name === nodemanager).ports.applicationMasters as number;
            const [amHost, amPort] = app.amRPCAddress.split(":");
            assert.strictEqual(amHost, address(nmHost), app.amRPCAddress);
            assert.ok(Number(amPort) >= firstAmPort && Number(amPort) < firstAmPort + applicationMasterPortCount, `${app.amRPCAddress}: not in ${nmHost}'s published range from ${firstAmPort}`);
            console.log(`      pi on ${nmHost}'s nodemanager: ${((Date.now() - t) / 1000).toFixed(1)}s`);
        }
    });

    it("multi-server: AuroraWithCustomExecutor's scheduler is up and found the master, and every agent registered (remote ones at their hosts' addresses)", async function () {
        const names = clustersOfKind("aurora");
        if (names.length === 0) {
            this.skip();
        }
        for (const name of names) {
            const out = outputs[name];
            const state = await getJson(`${out.schedulerUrl}/standin/state`);
            assert.strictEqual(state.master.cluster, name);
            const agents = (clusters[name].agents as { name: string }[] | undefined)?.map((a) => a.name).sort();
            assert.ok(agents !== undefined && agents.length > 0, `${name} declares its agents`);
            assert.deepStrictEqual(state.agents.filter((a: any) => a.active).map((a: any) => a.hostname).sort(), agents);
            // Agents placed on other hosts registered at their host's address and published port.
            const declared = clusters[name].agents as { name: string; host?: string; port?: number }[];
            const pids = Object.fromEntries(state.agents.map((a: any) => [a.hostname, a.pid]));
            declared.forEach((agent) => {
                const host = memberHost(clusters[name], agent.name, declared, clusters[name].agentHosts);
                if (host !== clusters[name].host) {
                    assert.strictEqual(pids[agent.name], `slave(1)@${address(host)}:${agent.port}`, agent.name);
                }
            });
        }
    });

    it("multi-server: a second preview changes nothing on any host", async () => {
        const preview = await stack.preview();
        assert.deepStrictEqual(changesOf(preview.changeSummary), {});
    });

    it("multi-server: destroy leaves nothing labelled and no anonymous volume on any of the three engines", async () => {
        const t = Date.now();
        await stack.destroy();
        console.log(`      destroy over three engines: ${((Date.now() - t) / 1000).toFixed(1)}s`);
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
        assert.deepStrictEqual(labelledOn(engines.host2, stack.name), []);
        assert.deepStrictEqual(labelledOn(engines.host3, stack.name), []);
        // The local engine is shared: another suite's named volumes (e2e-<kind>-…) may come and go meanwhile.
        const leaked = (before: Set<string>, now: Set<string>) => [...now]
            .filter((v) => !before.has(v) && (v.startsWith(stack.name) || !/^(e2e|faults)-/.test(v)));
        for (const host of Object.keys(engines)) {
            assert.deepStrictEqual(leaked(dangling[host], danglingOn(host)), [], host);
        }
    });
});

/** aliveNodes on a server container of another engine. */
function alive(endpoint: string, server: string): string[] {
    const previous = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = endpoint;
    try {
        return aliveNodes(server).sort();
    } finally {
        if (previous === undefined) {
            delete process.env.DOCKER_HOST;
        } else {
            process.env.DOCKER_HOST = previous;
        }
    }
}
