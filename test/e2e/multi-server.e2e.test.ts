import * as assert from "assert";
import { changesOf, danglingVolumes, labelledLeftovers, TestStack } from "./support/lifecycle";
import { dockerOn, ExtraHosts, borrowExtraHosts, labelledOn } from "./support/extra-hosts";
import { aliveNodes } from "./support/oar";
import { eventually, sleep } from "./support/poll";
import { docker, e2eOptOut, prepareToolchain } from "./support/toolchain";

const describeE2e = e2eOptOut ? describe.skip : describe;

/** The root namespace's address on the extra hosts' bridge: where the local engine publishes for them. */
const localAddress = "10.213.0.1";

/** Three engines: the local one, host2 over tcp://, host3 over ssh:// (the docker CLI's ssh transport). */
export function multiServerHosts(extra: ExtraHosts) {
    return {
        local: { bindAddress: localAddress },
        host2: { docker: extra.host2.docker, bindAddress: extra.host2.address },
        host3: {
            docker: extra.host3.ssh, bindAddress: extra.host3.address,
            ssh: { privateKey: extra.host3.privateKey, knownHosts: extra.host3.knownHosts, options: { ConnectTimeout: "10" } },
        },
    };
}

/** A MesosCluster on the local engine with one agent there and one on host3; an OarCluster on host2 with a node on host2 and one on host3. */
export const multiServerClusters = {
    wraxl: {
        kind: "mesos",
        host: "local",
        master: { image: { build: "mesos-standin" }, port: 15050 },
        agentImage: { build: "mesos-standin" },
        zookeeper: { port: 12181 },
        redis: { port: false },
        agentHosts: ["local", "host3"],
        // The same published port on two hosts: no clash.
        agents: [{ name: "agent1", port: 15051 }, { name: "agent2", port: 15051 }],
    },
    oar: {
        kind: "oar",
        host: "host2",
        server: { almightyPort: 16666 },
        nodeHosts: ["host2", "host3"],
        nodes: [{ name: "node1", sshPort: 16667 }, { name: "node2", sshPort: 16667 }],
    },
};

describeE2e("Multi-server stack end to end — MesosCluster (Mesos STAND-IN images) and OarCluster over three Docker engines (local, host2 tcp://, host3 ssh://)", function () {
    this.timeout(30 * 60 * 1000);
    const stack = new TestStack("multi", "e2e");
    let extra: ExtraHosts;
    let releaseHosts = () => {};
    let started = 0;
    let dangling = { local: new Set<string>(), host2: new Set<string>(), host3: new Set<string>() };
    let mesos: Record<string, string>;
    let oar: Record<string, string>;
    const danglingOn = (endpoint: string) => new Set(dockerOn(endpoint, "volume", "ls", "-q", "--filter", "dangling=true").split("\n").filter((v) => v !== ""));

    before(async () => {
        started = Date.now();
        prepareToolchain();
        const t = Date.now();
        ({ hosts: extra, release: releaseHosts } = borrowExtraHosts());
        console.log(`    extra hosts up in ${((Date.now() - t) / 1000).toFixed(1)}s`);
        dangling = { local: danglingVolumes(), host2: danglingOn(extra.host2.docker), host3: danglingOn(`unix://${extra.host3.socket}`) };
        await stack.init({});
        await stack.setStackConfig(multiServerHosts(extra), multiServerClusters);
    });
    after(async () => {
        await stack.dispose();
        releaseHosts();
        console.log(`    suite multi-server e2e: ${((Date.now() - started) / 1000).toFixed(1)}s`);
    });

    it("multi-server: up builds each image on its cluster's host, ships it to the others, and leaves every role on its host", async () => {
        const t = Date.now();
        await stack.up();
        console.log(`      up over three engines: ${((Date.now() - t) / 1000).toFixed(1)}s`);
        const outputs = (await stack.outputs()).clusters;
        mesos = outputs.wraxl.containerNames;
        oar = outputs.oar.containerNames;
        const names = (endpoint: string) => dockerOn(endpoint, "ps", "--filter", `label=clusterlab.stack=${stack.name}`, "--format", "{{.Names}}").split("\n").sort();
        const s = stack.name;
        assert.deepStrictEqual(names("unix:///var/run/docker.sock"),
            [`${s}-wraxl-agent1`, `${s}-wraxl-master`, `${s}-wraxl-redis`, `${s}-wraxl-scheduler`, `${s}-wraxl-zookeeper`]);
        assert.deepStrictEqual(names(extra.host2.docker), [`${s}-oar-frontend`, `${s}-oar-node1`, `${s}-oar-server`]);
        assert.deepStrictEqual(names(`unix://${extra.host3.socket}`), [`${s}-oar-node2`, `${s}-wraxl-agent2`]);
        assert.match(outputs.oar.nodeCommands.node2, /^docker -H ssh:\/\/root@10\.213\.0\.3 exec -it /);
    });

    it("multi-server: MesosCluster's agent on host3 reached zookeeper and the master by advertised addresses, and the master reaches it back", async () => {
        const state = () => JSON.parse(docker("exec", mesos.master, "curl", "-fsS", "http://127.0.0.1:5050/master/state")) as
            { leader: string; slaves: { hostname: string; pid: string; active: boolean }[] };
        await eventually("both agents active at the master", 60, () => state().slaves.filter((a) => a.active).length === 2);
        const current = state();
        assert.strictEqual(current.leader, `master@${localAddress}:15050`, "the master advertises the local host's address and published port");
        const agent2 = current.slaves.find((a) => a.hostname === "agent2");
        assert.strictEqual(agent2?.pid, `slave(1)@${extra.host3.address}:15051`);
        // A task posted from the scheduler (local engine) to the agent on host3, at its advertised address.
        // The scheduler image has python3 and no curl.
        const post = "import json,sys,urllib.request as u; r=u.Request(sys.argv[1], data=sys.argv[2].encode(), " +
            "headers={'Content-Type': 'application/json'}, method='POST'); print(u.urlopen(r, timeout=60).read().decode())";
        const task = JSON.parse(docker("exec", mesos.scheduler, "python3", "-c", post, `http://${extra.host3.address}:15051/standin/tasks`,
            JSON.stringify({ id: "cross-host", cmd: ["/bin/sh", "-c", "hostname; id -un"] }))) as { exit_code: number; stdout: string };
        assert.strictEqual(task.exit_code, 0);
        assert.deepStrictEqual(task.stdout.trim().split("\n"), ["agent2", "wrlbuild"]);
    });

    it("multi-server: OarCluster's nodes on host2 and host3 are Alive, and a two-node job spans both hosts", async () => {
        const host2 = extra.host2.docker;
        assert.deepStrictEqual(alive(host2, oar.server), ["node1", "node2"]);
        dockerOn(host2, "exec", "-u", "user", "-w", "/home/user", oar.frontend, "sh", "-c",
            "printf '%s\\n' '#!/bin/sh' 'for h in $(sort -u \"$OAR_NODEFILE\"); do oarsh \"$h\" hostname; done' > hostnames.sh && chmod +x hostnames.sh");
        // The job's first node runs the script from its own /home: node2 (host3) has a home of its own.
        dockerOn(`unix://${extra.host3.socket}`, "exec", "-u", "user", oar.node2, "sh", "-c",
            "cd /home/user && printf '%s\\n' '#!/bin/sh' 'for h in $(sort -u \"$OAR_NODEFILE\"); do oarsh \"$h\" hostname; done' > hostnames.sh && chmod +x hostnames.sh");
        const submitted = dockerOn(host2, "exec", oar.frontend, "su", "-", "user", "-c", "oarsub -l nodes=2 ./hostnames.sh");
        const id = /OAR_JOB_ID=(\d+)/.exec(submitted)?.[1];
        assert.ok(id, submitted);
        let state = "";
        const deadline = Date.now() + 180_000;
        while (!["Terminated", "Error"].includes(state) && Date.now() < deadline) {
            await sleep(1000);
            state = /state = (\w+)/.exec(dockerOn(host2, "exec", oar.frontend, "oarstat", "-fj", id!))?.[1] ?? "";
        }
        const full = dockerOn(host2, "exec", oar.frontend, "oarstat", "-fj", id!);
        assert.strictEqual(state, "Terminated", full);
        assert.match(full, /exit_code = 0/);
        const stdoutOf = (endpoint: string, container: string) => {
            try {
                return dockerOn(endpoint, "exec", container, "cat", `/home/user/OAR.${id}.stdout`);
            } catch {
                return "";
            }
        };
        const stdout = stdoutOf(host2, oar.frontend) || stdoutOf(`unix://${extra.host3.socket}`, oar.node2);
        assert.deepStrictEqual(stdout.trim().split("\n").sort(), ["node1", "node2"], full);
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
        assert.deepStrictEqual(labelledOn(extra.host2.docker, stack.name), []);
        assert.deepStrictEqual(labelledOn(`unix://${extra.host3.socket}`, stack.name), []);
        // The local engine is shared: another suite's named volumes (e2e-<kind>-…) may come and go meanwhile.
        const leaked = (before: Set<string>, now: Set<string>) => [...now]
            .filter((v) => !before.has(v) && (v.startsWith(stack.name) || !/^(e2e|faults)-/.test(v)));
        assert.deepStrictEqual(leaked(dangling.local, danglingVolumes()), []);
        assert.deepStrictEqual(leaked(dangling.host2, danglingOn(extra.host2.docker)), []);
        assert.deepStrictEqual(leaked(dangling.host3, danglingOn(`unix://${extra.host3.socket}`)), []);
    });
});

/** aliveNodes on a server container of another engine. */
function alive(endpoint: string, server: string): string[] {
    const previous = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = endpoint;
    try {
        return aliveNodes(server);
    } finally {
        if (previous === undefined) {
            delete process.env.DOCKER_HOST;
        } else {
            process.env.DOCKER_HOST = previous;
        }
    }
}
