import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { byKind, containerEnv, dockerProviders, containerNamed, installMocks, recorded, resetRecorded, valueOf } from "../support/mocks";
import { readStackFile, stackConfigAsPulumiGivesIt, configProblems } from "../support/stack-config";

installMocks("test");
const { readStackConfig } = require("../../stacks/config") as typeof import("../../stacks/config");
const { deployStack, usedHostNames } = require("../../stacks/program") as typeof import("../../stacks/program");
const { loopbackProblems, placeMembers, portClashes } = require("../../components/core/placement") as typeof import("../../components/core/placement");
const { Host } = require("../../components/core/host") as typeof import("../../components/core/host");
const { engineEnv } = require("../../components/core/docker/cli") as typeof import("../../components/core/docker/cli");
const { checkHostsReachable } = require("../../stacks/reachability") as typeof import("../../stacks/reachability");


const hosts = {
    local: { bindAddress: "10.0.0.1" },
    h2: { docker: "tcp://10.0.0.2:2375", bindAddress: "10.0.0.2" },
    h3: { docker: "ssh://root@10.0.0.3", bindAddress: "0.0.0.0", advertiseAddress: "10.0.0.3" },
};
const mesos = (extra: Record<string, unknown> = {}) => ({
    kind: "mesos", host: "local",
    zookeeper: { port: 12181 }, master: { port: 15050 },
    agentHosts: ["local", "h3"],
    agents: [{ name: "a1", port: 15051 }, { name: "a2", port: 15051 }],
    ...extra,
});
const oar = (extra: Record<string, unknown> = {}) => ({
    kind: "oar", host: "h2",
    server: { almightyPort: 16666, databasePort: 15432 },
    nodeHosts: ["h2", "h3"],
    nodes: [{ name: "n1", sshPort: 16667 }, { name: "n2", sshPort: 16667 }, { name: "n3", sshPort: 16668 }],
    ...extra,
});
const stackOf = (clusters: Record<string, unknown>) => stackConfigAsPulumiGivesIt({ "clusterlab:hosts": hosts, "clusterlab:clusters": clusters });

const problemsOf = configProblems;

const envOf = containerEnv;

describe("multi-server placement (pure)", () => {
    it("placeMembers: a member's own host first, the others round-robin over the group, else the cluster's host", () => {
        const members = [{ name: "a" }, { name: "b", host: "x" }, { name: "c" }, { name: "d" }];
        assert.deepStrictEqual(placeMembers(members, ["h1", "h2"]), { a: "h1", b: "x", c: "h2", d: "h1" });
        assert.deepStrictEqual(placeMembers(members), { a: undefined, b: "x", c: undefined, d: undefined });
    });

    it("placeMembers: removing a member named on a host keeps the others where they were", () => {
        const before = placeMembers([{ name: "a" }, { name: "b", host: "x" }, { name: "c" }], ["h1", "h2"]);
        const after = placeMembers([{ name: "a" }, { name: "c" }], ["h1", "h2"]);
        assert.deepStrictEqual([before.a, before.c], [after.a, after.c]);
    });

    it("portClashes: one port on two hosts is fine, on one host it is an error naming both paths and the host", () => {
        assert.deepStrictEqual(portClashes([
            { path: ["a"], host: "h1", port: 80 }, { path: ["b"], host: "h2", port: 80 }, { path: ["c"], host: "h1", port: false },
        ]), []);
        assert.deepStrictEqual(portClashes([{ path: ["a"], host: "h1", port: 80 }, { path: ["b", 0], host: "h1", port: 80 }]),
            [{ path: ["b", 0], earlier: ["a"], port: 80, message: 'must differ from a: both publish host port 80 on host "h1"' }]);
    });
});

describe("loopbackProblems (pure): a cluster over hosts whose host advertises loopback reaches nothing there", () => {
    const on = (name: string, advertiseAddress: string) => ({ name, advertiseAddress, describe: () => `host "${name}"` });
    const reason = (name: string, address: string) => `runs on host "${name}", advertised at ${address}, a loopback address: the cluster ` +
        "spans hosts and its roles are reached at their host's address from the other hosts; give the host a bindAddress or advertiseAddress they reach";

    it("says nothing while every role is on one host, loopback or not", () => {
        assert.deepStrictEqual(loopbackProblems([{ path: "host", on: on("local", "127.0.0.1") }, { path: "agents[0]", on: on("local", "127.0.0.1") }]), []);
        assert.deepStrictEqual(loopbackProblems([]), []);
    });

    it("names each loopback host once, at the first path that puts a role there, in config order; reachable hosts pass", () => {
        assert.deepStrictEqual(loopbackProblems([
            { path: "host", on: on("local", "10.0.0.1") },
            { path: "agents[0]", on: on("h2", "127.0.1.1") },
            { path: "agents[1]", on: on("h3", "::1") },
            { path: "agents[2]", on: on("h2", "127.0.1.1") },
            { path: "agents[3]", on: on("h4", "localhost") },
            { path: "agents[4]", on: on("h5", "10.0.0.5") },
        ]), [
            { propertyPath: "agents[0]", reason: reason("h2", "127.0.1.1") },
            { propertyPath: "agents[1]", reason: reason("h3", "::1") },
            { propertyPath: "agents[3]", reason: reason("h4", "localhost") },
        ]);
    });
});

describe("multi-server stack (unit, mocked engine)", () => {
    beforeEach(resetRecorded);

    it("deploys stacks/presets/multi-server.yaml: every role on the engine its placement names", async function () {
        this.timeout(120_000); // five clusters through the mocks: ~18 s on a loaded machine
        const config = readStackConfig(readStackFile("multi-server"));
        assert.deepStrictEqual(usedHostNames(config).sort(), ["host2", "host3", "local"]);
        const outputs = deployStack(config);
        await valueOf(outputs.wraxl.containerNames);
        await valueOf(outputs.oar.containerNames);
        await valueOf(outputs.hadoop.containerNames);
        await valueOf(outputs.aurora.containerNames);
        const engineOf = Object.fromEntries(byKind("container").map((c) => [c.inputs.name, c.inputs.dockerHost ?? "local"]));
        assert.deepStrictEqual(engineOf, {
            "test-wraxl-zookeeper": "local", "test-wraxl-master": "local", "test-wraxl-agent1": "local",
            "test-wraxl-agent2": "tcp://10.213.0.2:2375", "test-wraxl-agent3": "ssh://root@10.213.0.3",
            "test-wraxl-redis": "local", "test-wraxl-scheduler": "local",
            "test-oar-server": "tcp://10.213.0.2:2375", "test-oar-frontend": "tcp://10.213.0.2:2375",
            "test-oar-node1": "tcp://10.213.0.2:2375", "test-oar-node2": "ssh://root@10.213.0.3", "test-oar-node3": "tcp://10.213.0.2:2375",
            "test-edm-consul": "local", "test-edm-gogs": "local", "test-edm-nginx": "local", "test-edm-nginx-upstream": "local",
            "test-edm-worker1-api": "tcp://10.213.0.2:2375", "test-edm-worker1-consul": "tcp://10.213.0.2:2375", "test-edm-worker1-registrator": "tcp://10.213.0.2:2375",
            "test-edm-worker2-api": "ssh://root@10.213.0.3", "test-edm-worker2-consul": "ssh://root@10.213.0.3", "test-edm-worker2-registrator": "ssh://root@10.213.0.3",
            "test-hadoop-namenode": "local", "test-hadoop-resourcemanager": "local", "test-hadoop-historyserver": "local", "test-hadoop-client": "local",
            "test-hadoop-hdfs-folders": "local",
            "test-hadoop-datanode1": "tcp://10.213.0.2:2375", "test-hadoop-datanode2": "ssh://root@10.213.0.3", "test-hadoop-nodemanager1": "ssh://root@10.213.0.3",
            "test-aurora-zookeeper": "local", "test-aurora-master": "local", "test-aurora-scheduler": "local", "test-aurora-observer": "local",
            "test-aurora-agent1": "tcp://10.213.0.2:2375", "test-aurora-agent2": "ssh://root@10.213.0.3",
            "test-aurora-job-root-prod-hello": "local",
        });
        // One network per cluster per host, all named <stack>-<cluster>.
        const networks = byKind("network").map((n) => `${n.inputs.name}@${n.inputs.dockerHost ?? "local"}`).sort();
        assert.deepStrictEqual(networks, [
            "test-aurora@local", "test-aurora@ssh://root@10.213.0.3", "test-aurora@tcp://10.213.0.2:2375",
            "test-edm@local", "test-edm@ssh://root@10.213.0.3", "test-edm@tcp://10.213.0.2:2375",
            "test-hadoop@local", "test-hadoop@ssh://root@10.213.0.3", "test-hadoop@tcp://10.213.0.2:2375",
            "test-oar@ssh://root@10.213.0.3", "test-oar@tcp://10.213.0.2:2375",
            "test-wraxl@local", "test-wraxl@ssh://root@10.213.0.3", "test-wraxl@tcp://10.213.0.2:2375",
        ]);
        // The ssh options go with every dynamic resource on host3 (a shipment, a registration), as a
        // secret, and with host3's docker.Provider, which every @pulumi/docker resource there is made with.
        const onHost3 = recorded.filter((r) => r.inputs.dockerHost === "ssh://root@10.213.0.3");
        const dynamicOnHost3 = onHost3.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
        assert.ok(dynamicOnHost3.length > 0 && dynamicOnHost3.every((r) => r.inputs.dockerSsh?.options?.IdentityFile !== undefined));
        assert.ok(onHost3.some((r) => r.type.startsWith("docker:")));
        const host3Providers = Object.values(dockerProviders()).filter((p) => p.host === "ssh://root@10.213.0.3");
        assert.ok(host3Providers.length > 0 && host3Providers.every((p) => (JSON.parse(p.sshOpts) as string[]).some((o) => o.startsWith("IdentityFile=~/"))),
            JSON.stringify(host3Providers));
    });

    it("MesosCluster: advertised addresses in every cross-host env — the master's, a remote agent's zookeeper URL and its own", async () => {
        const outputs = deployStack(readStackConfig(stackOf({ wraxl: mesos() })));
        await valueOf(outputs.wraxl.containerNames);
        const master = envOf("test-wraxl-master");
        assert.strictEqual(master.MESOS_ADVERTISE_IP, "10.0.0.1");
        assert.strictEqual(master.MESOS_ADVERTISE_PORT, "15050");
        assert.strictEqual(master.LIBPROCESS_ADVERTISE_IP, "10.0.0.1");
        assert.strictEqual(master.MESOS_ZK, "zk://zookeeper:2181/mesos", "the master is beside zookeeper: it keeps the alias");
        const remote = envOf("test-wraxl-a2");
        assert.strictEqual(remote.MESOS_MASTER, "zk://10.0.0.1:12181/mesos");
        assert.strictEqual(remote.MESOS_ADVERTISE_IP, "10.0.0.3", "a wildcard bind address advertises advertiseAddress");
        assert.strictEqual(remote.MESOS_ADVERTISE_PORT, "15051");
        assert.strictEqual(remote.LIBPROCESS_ADVERTISE_PORT, "15051");
        const local = envOf("test-wraxl-a1");
        assert.strictEqual(local.MESOS_MASTER, "zk://zookeeper:2181/mesos", "an agent beside zookeeper keeps the alias");
        assert.strictEqual(local.MESOS_ADVERTISE_IP, undefined);
        assert.deepStrictEqual(containerNamed("test-wraxl-a2").inputs.ports, [{ ip: "0.0.0.0", internal: 5051, external: 15051 }]);
    });

    it("OarCluster: remote peers by address and published port, the server by --add-host, Almighty and the database on their published ports", async () => {
        const outputs = deployStack(readStackConfig(stackOf({ oar: oar() })));
        await valueOf(outputs.oar.containerNames);
        // n1 and n3 on h2 (with the server), n2 on h3.
        assert.strictEqual(envOf("test-oar-server").OAR_SSH_PEERS, "n2=10.0.0.3:16667");
        assert.strictEqual(envOf("test-oar-n1").OAR_SSH_PEERS, "n2=10.0.0.3:16667");
        assert.strictEqual(envOf("test-oar-n2").OAR_SSH_PEERS, "n1=10.0.0.2:16667 n3=10.0.0.2:16668");
        for (const role of ["server", "frontend", "n1", "n2", "n3"]) {
            assert.strictEqual(envOf(`test-oar-${role}`).OAR_SERVER_PORT, "16666", role);
        }
        assert.deepStrictEqual(containerNamed("test-oar-n2").inputs.extraHosts, ["server:10.0.0.2"]);
        assert.strictEqual(containerNamed("test-oar-n1").inputs.extraHosts, undefined, "beside the server: its DNS alias");
        assert.deepStrictEqual(containerNamed("test-oar-server").inputs.ports,
            [{ ip: "10.0.0.2", internal: 16666, external: 16666 }, { ip: "10.0.0.2", internal: 5432, external: 15432 }]);
        // n2 joins OAR in the database at its published port; n1 and n3, beside the server, at 5432.
        assert.deepStrictEqual(["n1", "n2", "n3"].map((n) => envOf(`test-oar-${n}`).OAR_DB_PORT), [undefined, "15432", undefined]);
        assert.deepStrictEqual(containerNamed("test-oar-n2").inputs.ports, [{ ip: "0.0.0.0", internal: 6667, external: 16667 }]);
        const homes = byKind("volume").filter((v) => v.inputs.name === "test-oar-home")
            .map((v) => v.inputs.dockerHost).sort();
        assert.deepStrictEqual(homes, ["ssh://root@10.0.0.3", "tcp://10.0.0.2:2375"], "one /home per host");
        assert.match(String((await valueOf(outputs.oar.nodeCommands) as Record<string, string>).n2), /^docker -H ssh:\/\/root@10\.0\.0\.3 exec -it test-oar-n2 /);
    });

    it("a one-host stack renders exactly as before: no advertised env, no peers, no --add-host", async () => {
        const outputs = deployStack(readStackConfig(readStackFile("local")));
        await valueOf(outputs.wraxl.containerNames);
        await valueOf(outputs.oar.containerNames);
        for (const c of byKind("container")) {
            const keys = (c.inputs.env as string[]).map((e) => e.slice(0, e.indexOf("=")));
            assert.ok(!keys.some((k) => /ADVERTISE|OAR_SSH_PEERS|OAR_SERVER_PORT/.test(k)), `${c.inputs.name}: ${keys.join(",")}`);
            assert.ok(!("extraHosts" in c.inputs), c.inputs.name);
            assert.ok(!("dockerTls" in c.inputs) && !("dockerSsh" in c.inputs), c.inputs.name);
        }
    });

    const bad: [string, Record<string, unknown>, string[]][] = [
        ["a remote agent without a published port, zookeeper and master unpublished",
            { wraxl: mesos({ zookeeper: { port: false }, master: { port: false }, agents: [{ name: "a1" }, { name: "a2" }] }) }, [
                'clusterlab:clusters.wraxl.zookeeper.port: must be a host port: agent "a2" (host "h3") reach zookeeper across hosts, got false',
                'clusterlab:clusters.wraxl.master.port: must be a host port: agent "a2" (host "h3") reach master across hosts, got false',
                'clusterlab:clusters.wraxl.agents[1].port: must be a host port: "a2" runs on host "h3" and the master reaches it there, got false',
            ]],
        ["two agents on one host with one port, one naming the cluster's host",
            { wraxl: mesos({ agentHosts: undefined, agents: [{ name: "a1", port: 15051 }, { name: "a2", port: 15051, host: "local" }] }) }, [
                'clusterlab:clusters.wraxl.agents[1].port: must differ from agents[0].port: both publish host port 15051 on host "local", got 15051',
            ]],
        ["an agent on a host the stack does not have",
            { wraxl: mesos({ agentHosts: ["local", "h9"] }) }, [
                'clusterlab:clusters.wraxl.agentHosts[1]: must name a host under clusterlab:hosts (local, h2, h3), got "h9"',
            ]],
        ["OAR nodes over two hosts without ssh ports, Almighty's port or the database's",
            { oar: oar({ server: {}, nodes: [{ name: "n1" }, { name: "n2" }] }) }, [
                'clusterlab:clusters.oar.server.almightyPort: must be a host port: node "n2" (host "h3") report to Almighty across hosts, got false',
                'clusterlab:clusters.oar.server.databasePort: must be a host port: node "n2" (host "h3") join OAR in its database across hosts, got false',
                'clusterlab:clusters.oar.nodes[0].sshPort: must be a host port: the cluster spans several hosts, and the server and other nodes reach "n1" (host "h2") through it, got false',
                'clusterlab:clusters.oar.nodes[1].sshPort: must be a host port: the cluster spans several hosts, and the server and other nodes reach "n2" (host "h3") through it, got false',
            ]],
        ["two OAR nodes publishing one port on one host, and Almighty on the frontend's ssh port",
            { oar: oar({ frontend: { sshPort: 16666 }, nodes: [{ name: "n1", sshPort: 16667 }, { name: "n2", sshPort: 1 }, { name: "n3", sshPort: 16667 }] }) }, [
                'clusterlab:clusters.oar.server.almightyPort: must differ from frontend.sshPort: both publish host port 16666 on host "h2", got 16666',
                'clusterlab:clusters.oar.nodes[2].sshPort: must differ from nodes[0].sshPort: both publish host port 16667 on host "h2", got 16667',
            ]],
    ];
    for (const [what, clusters, expected] of bad) {
        it(`rejects ${what}, naming every path, before any resource`, () => {
            assert.deepStrictEqual(problemsOf(stackOf(clusters)), expected);
            assert.strictEqual(recorded.length, 0);
        });
    }

    it("rejects TLS on a non-tcp endpoint and ssh settings on a non-ssh one", () => {
        const config = stackConfigAsPulumiGivesIt({
            "clusterlab:hosts": {
                a: { docker: "ssh://u@x", tls: { ca: "-----BEGIN CERTIFICATE-----", cert: "-----BEGIN CERTIFICATE-----", key: "-----BEGIN KEY-----" } },
                b: { docker: "tcp://x:2376", ssh: { options: { Port: "2222" } } },
            },
        });
        assert.deepStrictEqual(problemsOf(config), [
            "clusterlab:hosts.a.tls: is only for a tcp:// docker endpoint, got {\"ca\":\"-----BEGIN CERTIFICATE-----\",\"cert\":\"-----BEGIN CE...",
            "clusterlab:hosts.b.ssh: is only for an ssh:// docker endpoint, got {\"options\":{\"Port\":\"2222\"}}",
        ]);
    });
});

describe("multi-server engines (pure, no engine)", () => {
    const pemOf = (what: string) => `-----BEGIN ${what}-----\nAAAA\n-----END ${what}-----\n`;

    it("a TLS host hands the docker CLI DOCKER_TLS_VERIFY and a private cert dir, and resources the material only as a secret", async () => {
        const host = new Host("tls", { docker: "tcp://10.0.0.9:2376", tls: { ca: pemOf("CERTIFICATE"), cert: pemOf("CERTIFICATE"), key: pemOf("PRIVATE KEY") } });
        const env = engineEnv(host.plainEngine);
        assert.strictEqual(env.DOCKER_HOST, "tcp://10.0.0.9:2376");
        assert.strictEqual(env.DOCKER_TLS_VERIFY, "1");
        assert.strictEqual(fs.readFileSync(path.join(env.DOCKER_CERT_PATH!, "key.pem"), "utf8"), pemOf("PRIVATE KEY"));
        assert.strictEqual(fs.statSync(path.join(env.DOCKER_CERT_PATH!, "key.pem")).mode & 0o777, 0o600);
        assert.ok(await (await import("@pulumi/pulumi")).isSecret(host.engine.dockerTls!));
    });

    it("an ssh host with key, known hosts and options gets an `ssh` wrapper first on PATH that passes them", () => {
        const host = new Host("s", { docker: "ssh://root@10.0.0.3", ssh: { privateKey: pemOf("OPENSSH PRIVATE KEY"), knownHosts: "10.0.0.3 ssh-ed25519 AAAA", options: { ConnectTimeout: "5" } } });
        const env = engineEnv(host.plainEngine);
        const dir = env.PATH!.split(path.delimiter)[0];
        const wrapper = fs.readFileSync(path.join(dir, "ssh"), "utf8");
        assert.match(wrapper, /'-i' '[^']+\/id' '-o' 'IdentitiesOnly=yes'/);
        assert.match(wrapper, /'-o' 'StrictHostKeyChecking=yes' '-o' 'ConnectTimeout=5' "\$@"/);
        assert.strictEqual(fs.readFileSync(path.join(dir, "known_hosts"), "utf8"), "10.0.0.3 ssh-ed25519 AAAA\n");
    });

    it("a plain host gives resources exactly { dockerHost }, as before TLS and ssh options existed", () => {
        assert.deepStrictEqual(new Host("h", { docker: "tcp://10.0.0.2:2375" }).engine, { dockerHost: "tcp://10.0.0.2:2375" });
        assert.deepStrictEqual(Host.local().engine, { dockerHost: undefined });
    });

    it("an unreachable host fails the run naming the host and its endpoint (a closed port answers at once)", () => {
        assert.throws(() => checkHostsReachable([new Host("gone", { docker: "tcp://127.0.0.1:1" })]),
            (error: Error) => /cannot reach the Docker engine of every host; nothing was created or changed on any host:\n {2}host "gone" \(tcp:\/\/127\.0\.0\.1:1\): /.test(error.message));
    });
});
