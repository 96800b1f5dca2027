import * as assert from "assert";
import { byType, dockerTypes, installMocks, recorded, resetRecorded, valueOf, containerNamed, containerEnv } from "../support/mocks";
import { stackConfigAsPulumiGivesIt, configProblems } from "../support/stack-config";

installMocks("test");
const { readStackConfig } = require("../../stacks/config") as typeof import("../../stacks/config");
const { deployStack } = require("../../stacks/program") as typeof import("../../stacks/program");
const { hadoopClusterArgsSchema } = require("../../components/hadoop/schema") as typeof import("../../components/hadoop/schema");
const { hadoopPlacementProblems, placeHadoop } = require("../../components/hadoop/placement") as typeof import("../../components/hadoop/placement");

const container = dockerTypes.container;
const hosts = {
    local: { bindAddress: "10.0.0.1" },
    h2: { docker: "tcp://10.0.0.2:2375", bindAddress: "10.0.0.2" },
    h3: { docker: "ssh://root@10.0.0.3", bindAddress: "0.0.0.0", advertiseAddress: "10.0.0.3" },
};
const ports = (base: number) => ({ data: base, http: base + 1, ipc: base + 2 });
/** HDFS over three hosts: datanode1 beside the namenode, datanode2 on h2, datanode3 on h3. */
const hadoop = (extra: Record<string, unknown> = {}) => ({
    kind: "hadoop", host: "local",
    namenode: { rpcPort: 18020 },
    datanodeHosts: ["local", "h2", "h3"],
    datanodes: [{ name: "datanode1", ports: ports(19866) }, { name: "datanode2", ports: ports(19876) }, { name: "datanode3", ports: ports(19886) }],
    ...extra,
});
/** YARN over two hosts as well: nodemanager1 beside the ResourceManager, nm-b on h2. */
const nmPorts = (base: number) => ({ rpc: base, shuffle: base + 1, applicationMasters: base + 10 });
const yarnAcross = (extra: Record<string, unknown> = {}) => hadoop({
    resourcemanager: { trackerPort: 18031, schedulerPort: 18030 },
    nodemanagers: [{ name: "nodemanager1", ports: nmPorts(18040) }, { name: "nm-b", host: "h2", port: 18042, ports: nmPorts(18040) }],
    ...extra,
});
const stackOf = (clusters: Record<string, unknown>) => stackConfigAsPulumiGivesIt({ "clusterlab:hosts": hosts, "clusterlab:clusters": clusters });

const problemsOf = configProblems;
const envOf = containerEnv;
const fileOf = (name: string, file: string): string =>
    containerNamed(name).inputs.files.find((f: { path: string }) => f.path === `/etc/hadoop/${file}`).content;
const property = (xml: string, key: string) => new RegExp(`<name>${key.replace(/\./g, "\\.")}</name>\\n {4}<value>([^<]*)</value>`).exec(xml)?.[1];

describe("HadoopCluster placement (pure)", () => {
    it("places datanodes by their own host, else round-robin over datanodeHosts; nodemanagers stay home", () => {
        const settings = hadoopClusterArgsSchema.parse({
            datanodeHosts: ["h2", "h3"], datanodes: [{ name: "a" }, { name: "b", host: "local" }, { name: "c" }, { name: "d" }],
        });
        const placed = placeHadoop(settings, "local");
        assert.deepStrictEqual(placed.datanodes, { a: "h2", b: "local", c: "h3", d: "h2" });
        assert.deepStrictEqual(placed.nodemanagers, { nodemanager1: undefined });
        assert.deepStrictEqual(placed.remote, ['datanode "a" (host "h2")', 'datanode "c" (host "h3")', 'datanode "d" (host "h2")']);
        assert.strictEqual(placed.yarnSpansHosts, false);
        assert.strictEqual(placed.spansHosts, true);
        assert.strictEqual(placeHadoop(hadoopClusterArgsSchema.parse({ datanodes: 3, datanodeHosts: ["local"] }), "local").spansHosts, false);
    });

    it("a datanode's UI and IPC ports may repeat on another host, not on its own (one naming the cluster's host explicitly)", () => {
        const settings = hadoopClusterArgsSchema.parse({
            namenode: { rpcPort: 18020 },
            datanodes: [{ name: "a", ports: ports(19866) }, { name: "b", host: "h2", ports: { ...ports(19866), data: 19876 } }, { name: "c", host: "local", ports: { data: 9870, http: 1, ipc: 2 } }],
        });
        assert.deepStrictEqual(hadoopPlacementProblems(settings, "local"), [
            { propertyPath: "datanodes[2].ports.data", reason: 'must differ from namenode.port: both publish host port 9870 on host "local", got 9870' },
        ]);
    });
});

describe("HadoopCluster over several hosts (unit, mocked engine)", () => {
    beforeEach(resetRecorded);

    it("runs each datanode on its host's engine, with a network per host and the image shipped there; everything else on the cluster's host", async () => {
        const outputs = deployStack(readStackConfig(stackOf({ hadoop: hadoop() })));
        await valueOf(outputs.hadoop.containerNames);
        const engineOf = Object.fromEntries(byType(container).map((c) => [c.inputs.name, c.inputs.dockerHost ?? "local"]));
        assert.deepStrictEqual(engineOf, {
            "test-hadoop-zookeeper": "local", "test-hadoop-namenode": "local", "test-hadoop-datanode1": "local",
            "test-hadoop-datanode2": "tcp://10.0.0.2:2375", "test-hadoop-datanode3": "ssh://root@10.0.0.3",
            "test-hadoop-resourcemanager": "local", "test-hadoop-nodemanager1": "local", "test-hadoop-historyserver": "local", "test-hadoop-client": "local",
            "test-hadoop-hdfs-folders": "local",
        });
        const networks = byType(dockerTypes.network).map((n) => `${n.inputs.name}@${n.inputs.dockerHost ?? "local"}`).sort();
        assert.deepStrictEqual(networks, ["test-hadoop@local", "test-hadoop@ssh://root@10.0.0.3", "test-hadoop@tcp://10.0.0.2:2375"]);
        const hadoopImages = byType(dockerTypes.image).filter((i) => /^clusterlab\/hadoop:/.test(i.inputs.name))
            .map((i) => i.inputs.dockerHost ?? "local").sort();
        assert.deepStrictEqual(hadoopImages, ["local"], "built once, on the cluster's host");
        const shipped = byType("pulumi-nodejs:dynamic/docker:ImageShipment").filter((i) => /^clusterlab\/hadoop:/.test(i.inputs.name))
            .map((i) => i.inputs.dockerHost).sort();
        assert.deepStrictEqual(shipped, ["ssh://root@10.0.0.3", "tcp://10.0.0.2:2375"], "and shipped to the datanodes' other hosts");
        assert.deepStrictEqual(await valueOf(outputs.hadoop.datanodePlacement), {
            datanode1: { host: "local", address: "10.0.0.1:19866" },
            datanode2: { host: "h2", address: "10.0.0.2:19876" },
            datanode3: { host: "h3", address: "10.0.0.3:19886" },
        });
        assert.strictEqual(await valueOf(outputs.hadoop.defaultFs), "hdfs://namenode:18020");
    });

    it("wires HDFS by advertised addresses: each datanode reports its host's address and ports equal inside and out; the namenode's RPC is published at the number it listens on", async () => {
        const outputs = deployStack(readStackConfig(stackOf({ hadoop: hadoop() })));
        await valueOf(outputs.hadoop.containerNames);
        assert.deepStrictEqual(containerNamed("test-hadoop-namenode").inputs.ports, [
            { ip: "10.0.0.1", internal: 9870, external: 9870 }, { ip: "10.0.0.1", internal: 18020, external: 18020 },
        ]);
        assert.strictEqual(property(fileOf("test-hadoop-client", "core-site.xml"), "fs.defaultFS"), "hdfs://namenode:18020");
        for (const [name, address, ip, base] of [["datanode1", "10.0.0.1", "10.0.0.1", 19866], ["datanode2", "10.0.0.2", "10.0.0.2", 19876], ["datanode3", "10.0.0.3", "0.0.0.0", 19886]] as const) {
            const hdfs = fileOf(`test-hadoop-${name}`, "hdfs-site.xml");
            assert.strictEqual(property(hdfs, "dfs.datanode.hostname"), address, name);
            assert.strictEqual(property(hdfs, "dfs.datanode.address"), `0.0.0.0:${base}`, name);
            assert.strictEqual(property(hdfs, "dfs.datanode.http.address"), `0.0.0.0:${base + 1}`, name);
            assert.strictEqual(property(hdfs, "dfs.datanode.ipc.address"), `0.0.0.0:${base + 2}`, name);
            assert.deepStrictEqual(containerNamed(`test-hadoop-${name}`).inputs.ports, [base, base + 1, base + 2].map((p) => ({ ip, internal: p, external: p })), name);
            assert.strictEqual(envOf(`test-hadoop-${name}`).DATANODE_ID, `${address}:${base}`, name);
        }
        // Every role's clients connect to what a datanode reports, not the NATed address the namenode saw.
        for (const role of ["client", "namenode", "datanode2", "nodemanager1", "historyserver"]) {
            const hdfs = fileOf(`test-hadoop-${role}`, "hdfs-site.xml");
            assert.strictEqual(property(hdfs, "dfs.client.use.datanode.hostname"), "true", role);
            assert.strictEqual(property(hdfs, "dfs.datanode.use.datanode.hostname"), "true", role);
            assert.strictEqual(property(hdfs, "dfs.namenode.datanode.registration.ip-hostname-check"), "false", role);
        }
        // Datanodes elsewhere find the namenode (fs.defaultFS, its UI for readiness) at the cluster host's address.
        assert.deepStrictEqual(containerNamed("test-hadoop-datanode2").inputs.extraHosts, ["namenode:10.0.0.1"]);
        assert.strictEqual(envOf("test-hadoop-datanode2").NAMENODE_HTTP, "10.0.0.1:9870");
        assert.strictEqual(envOf("test-hadoop-datanode1").NAMENODE_HTTP, "namenode:9870", "beside the namenode: its DNS alias");
        assert.strictEqual(containerNamed("test-hadoop-datanode1").inputs.extraHosts, undefined);
    });

    it("a one-host cluster in a multi-host stack renders as before: names, no published datanode ports, no DATANODE_ID, no --add-host", async () => {
        const outputs = deployStack(readStackConfig(stackOf({ hadoop: { kind: "hadoop", host: "h2", datanodes: 2 } })));
        await valueOf(outputs.hadoop.containerNames);
        assert.ok(byType(container).every((c) => c.inputs.dockerHost === "tcp://10.0.0.2:2375"));
        assert.strictEqual(property(fileOf("test-hadoop-datanode2", "hdfs-site.xml"), "dfs.datanode.hostname"), "datanode2");
        assert.strictEqual(property(fileOf("test-hadoop-client", "hdfs-site.xml"), "dfs.client.use.datanode.hostname"), undefined);
        assert.deepStrictEqual(containerNamed("test-hadoop-datanode2").inputs.ports, []);
        assert.strictEqual(envOf("test-hadoop-datanode2").DATANODE_ID, undefined);
        assert.ok(byType(container).every((c) => !("extraHosts" in c.inputs)));
    });

    it("wires YARN by advertised addresses: a nodemanager elsewhere registers at the published tracker port, reports its host's address, keeps its AMs in its published port range", async () => {
        const outputs = deployStack(readStackConfig(stackOf({ hadoop: yarnAcross() })));
        await valueOf(outputs.hadoop.containerNames);
        assert.strictEqual(containerNamed("test-hadoop-nm-b").inputs.dockerHost, "tcp://10.0.0.2:2375");
        assert.deepStrictEqual(await valueOf(outputs.hadoop.nodemanagerPlacement), {
            nodemanager1: { host: "local", nodeId: "10.0.0.1:18040" }, "nm-b": { host: "h2", nodeId: "10.0.0.2:18040" },
        });
        assert.deepStrictEqual(containerNamed("test-hadoop-resourcemanager").inputs.ports, [
            { ip: "10.0.0.1", internal: 8088, external: 8088 }, { ip: "10.0.0.1", internal: 18031, external: 18031 }, { ip: "10.0.0.1", internal: 18030, external: 18030 },
        ]);
        for (const role of ["client", "nm-b", "resourcemanager"]) {
            const yarn = fileOf(`test-hadoop-${role}`, "yarn-site.xml");
            assert.strictEqual(property(yarn, "yarn.resourcemanager.resource-tracker.address"), "resourcemanager:18031", role);
            assert.strictEqual(property(yarn, "yarn.resourcemanager.scheduler.address"), "resourcemanager:18030", role);
        }
        const yarn = fileOf("test-hadoop-nm-b", "yarn-site.xml");
        assert.strictEqual(property(yarn, "yarn.nodemanager.hostname"), "10.0.0.2");
        assert.strictEqual(property(yarn, "yarn.nodemanager.address"), "10.0.0.2:18040");
        assert.strictEqual(property(yarn, "yarn.nodemanager.webapp.address"), "10.0.0.2:18042");
        assert.strictEqual(property(yarn, "mapreduce.shuffle.port"), "18041");
        assert.match(fileOf("test-hadoop-nm-b", "mapred-site.xml"),
            /<name>yarn\.app\.mapreduce\.am\.job\.client\.port-range<\/name>\n {4}<value>18050-18053<\/value>\n {4}<final>true<\/final>/);
        assert.strictEqual(property(fileOf("test-hadoop-client", "mapred-site.xml"), "yarn.app.mapreduce.am.job.client.port-range"), undefined);
        assert.deepStrictEqual(containerNamed("test-hadoop-nm-b").inputs.ports, [18042, 18040, 18041, 18050, 18051, 18052, 18053]
            .map((p) => ({ ip: "10.0.0.2", internal: p, external: p })));
        assert.deepStrictEqual(containerNamed("test-hadoop-nm-b").inputs.extraHosts, ["namenode:10.0.0.1", "resourcemanager:10.0.0.1"]);
        assert.strictEqual(envOf("test-hadoop-nm-b").NODEMANAGER_ID, "10.0.0.2:18040");
        assert.strictEqual(envOf("test-hadoop-nm-b").RESOURCEMANAGER_HTTP, "10.0.0.1:8088");
        assert.strictEqual(envOf("test-hadoop-nodemanager1").RESOURCEMANAGER_HTTP, "resourcemanager:8088", "beside the ResourceManager: its DNS alias");
        assert.strictEqual(property(fileOf("test-hadoop-nodemanager1", "yarn-site.xml"), "yarn.nodemanager.address"), "10.0.0.1:18040");
    });

    it("rejects a cluster over several hosts whose hosts advertise a loopback address, naming each host once, before any resource", () => {
        const { HadoopCluster } = require("../../components/hadoop") as typeof import("../../components/hadoop");
        const { Host } = require("../../components/core/host") as typeof import("../../components/core/host");
        const args = {
            host: Host.local(), hosts: { h2: new Host("h2", { docker: "tcp://10.0.0.2:2375" }) },
            namenode: { rpcPort: 18020 }, datanodeHosts: ["h2"],
            datanodes: [{ name: "dn1", ports: ports(19866) }, { name: "dn2", ports: ports(19876) }],
        };
        assert.throws(() => new HadoopCluster("bad", args), (error: Error) => error.message === [
            'invalid HadoopCluster "bad" args:',
            '  host: runs on host "local" (the local engine), advertised at 127.0.0.1, a loopback address: the cluster spans hosts and its roles are reached at their host\'s address from the other hosts; give the host a bindAddress or advertiseAddress they reach',
            '  datanodes[0]: runs on host "h2" (tcp://10.0.0.2:2375), advertised at 127.0.0.1, a loopback address: the cluster spans hosts and its roles are reached at their host\'s address from the other hosts; give the host a bindAddress or advertiseAddress they reach',
        ].join("\n") || assert.fail(error.message));
        assert.strictEqual(recorded.length, 0);
    });

    const bad: [string, Record<string, unknown>, string[]][] = [
        ["datanodes over hosts without the namenode's RPC port, its UI port or the datanodes' ports",
            { hadoop: hadoop({ namenode: { port: false }, datanodes: [{ name: "dn1" }, { name: "dn2" }] }) }, [
                'clusterlab:clusters.hadoop.namenode.rpcPort: must be a host port: datanode "dn2" (host "h2") reach the namenode across hosts, got false',
                'clusterlab:clusters.hadoop.namenode.port: must be a host port: datanode "dn2" (host "h2") run on other hosts, and a datanode is ready once the namenode\'s UI lists it, got false',
                'clusterlab:clusters.hadoop.datanodes[0].ports: must be given: the cluster spans hosts, so clients and other datanodes reach "dn1" (host "local") at its host\'s address on these ports, the same inside, e.g. { data: 9866, http: 9864, ipc: 9867 }, got none',
                'clusterlab:clusters.hadoop.datanodes[1].ports: must be given: the cluster spans hosts, so clients and other datanodes reach "dn2" (host "h2") at its host\'s address on these ports, the same inside, e.g. { data: 9866, http: 9864, ipc: 9867 }, got none',
            ]],
        ["nodemanagers over hosts without the ResourceManager's ports or their own",
            { hadoop: yarnAcross({ resourcemanager: { port: false }, nodemanagers: [{ name: "nodemanager1" }, { name: "nm-b", host: "h3" }] }) }, [
                'clusterlab:clusters.hadoop.resourcemanager.trackerPort: must be a host port: nodemanager "nm-b" (host "h3") register with the ResourceManager across hosts, got false',
                'clusterlab:clusters.hadoop.resourcemanager.schedulerPort: must be a host port: application masters on nodemanager "nm-b" (host "h3") ask the ResourceManager for containers across hosts, got false',
                'clusterlab:clusters.hadoop.resourcemanager.port: must be a host port: nodemanager "nm-b" (host "h3") are ready once the ResourceManager\'s REST API lists them, and ask it across hosts, got false',
                'clusterlab:clusters.hadoop.nodemanagers[0].ports: must be given: the nodemanagers span hosts, so application masters, tasks and the job client reach "nodemanager1" (host "local") at its host\'s address on these ports, the same inside, e.g. { rpc: 45454, shuffle: 13562, applicationMasters: 50100 }, got none',
                'clusterlab:clusters.hadoop.nodemanagers[1].ports: must be given: the nodemanagers span hosts, so application masters, tasks and the job client reach "nm-b" (host "h3") at its host\'s address on these ports, the same inside, e.g. { rpc: 45454, shuffle: 13562, applicationMasters: 50100 }, got none',
                'clusterlab:clusters.hadoop.nodemanagers[1].port: must be a host port: the nodemanagers span hosts, and "nm-b" (host "h3") reports its UI address (map output is fetched from that host), got false',
            ]],
        ["datanodes of two hosts with one data port (the namenode would take one for the other)",
            { hadoop: hadoop({ datanodes: [{ name: "dn1", ports: ports(19866) }, { name: "dn2", ports: ports(19866) }] }) }, [
                'clusterlab:clusters.hadoop.datanodes[1].ports.data: must differ from datanodes[0].ports.data across the cluster: the namenode knows a datanode by the address it connects from and this port, and datanodes of other hosts may all connect from one address (Docker\'s port proxy), got 19866',
            ]],
        ["two datanodes with one port on one host",
            { hadoop: hadoop({ datanodeHosts: ["h2"], datanodes: [{ name: "dn1", ports: ports(19866) }, { name: "dn2", ports: { data: 19866, http: 1, ipc: 2 } }] }) }, [
                'clusterlab:clusters.hadoop.datanodes[1].ports.data: must differ from datanodes[0].ports.data: both publish host port 19866 on host "h2", got 19866',
            ]],
        ["a datanode naming the cluster's host with a port of the namenode's RPC",
            { hadoop: hadoop({ datanodeHosts: ["h2"], datanodes: [{ name: "dn1", ports: ports(19866) }, { name: "dn2", host: "local", ports: { data: 18020, http: 3, ipc: 4 } }] }) }, [
                'clusterlab:clusters.hadoop.datanodes[1].ports.data: must differ from namenode.rpcPort: both publish host port 18020 on host "local", got 18020',
            ]],
        ["a datanode on a host the stack does not have",
            { hadoop: hadoop({ datanodeHosts: ["local", "h9", "h3"] }) }, [
                'clusterlab:clusters.hadoop.datanodeHosts[1]: must name a host under clusterlab:hosts (local, h2, h3), got "h9"',
            ]],
    ];
    for (const [what, clusters, expected] of bad) {
        it(`rejects ${what}, naming every path, before any resource`, () => {
            assert.deepStrictEqual(problemsOf(stackOf(clusters)), expected);
            assert.strictEqual(recorded.length, 0);
        });
    }
});
