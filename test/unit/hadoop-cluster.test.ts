import * as assert from "assert";
import { byType, dockerTypes, installMocks, named, recorded, recordingOptions, resetRecorded, settle, valueOf } from "../support/mocks";

installMocks("test");
const { HadoopCluster } = require("../../components/hadoop") as typeof import("../../components/hadoop");

const container = dockerTypes.container;
/** The role containers: every container but the one-shot that makes the HDFS folders. */
const roleContainers = () => byType(container).filter((c) => c.inputs.labels["clusterlab.role"] !== "hdfs-folders");

async function deploy(args: ConstructorParameters<typeof HadoopCluster>[1] = {}) {
    resetRecorded();
    const cluster = new HadoopCluster("hadoop", args, recordingOptions());
    const outputs = {
        containerNames: await valueOf(cluster.containerNames),
        namenodeUrl: await valueOf(cluster.namenodeUrl),
        resourcemanagerUrl: await valueOf(cluster.resourcemanagerUrl),
        historyserverUrl: await valueOf(cluster.historyserverUrl),
        nodemanagerUrls: await valueOf(cluster.nodemanagerUrls),
        defaultFs: await valueOf(cluster.defaultFs),
        clientCommand: await valueOf(cluster.clientCommand),
        exampleJobCommand: await valueOf(cluster.exampleJobCommand),
    };
    return { cluster, outputs };
}

const env = (name: string): Record<string, string> => Object.fromEntries((named(name, container).inputs.env as string[])
    .map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
const file = (name: string, path: string): string =>
    named(name, container).inputs.files.find((f: { path: string }) => f.path === path).content;

/** Runs a constructor that must throw, and returns its message. */
function rejection(args: ConstructorParameters<typeof HadoopCluster>[1]): string {
    try {
        new HadoopCluster("bad", args);
    } catch (error) {
        return (error as Error).message;
    }
    throw new Error("the args were accepted");
}

describe("HadoopCluster (unit, mocked engine)", () => {
    it("creates zookeeper, namenode, datanodes, resourcemanager, nodemanagers, historyserver and client, each with its role and a memory limit", async () => {
        const { outputs } = await deploy({ datanodes: 2, nodemanagers: 2 });
        assert.deepStrictEqual(roleContainers().map((c) => c.inputs.name).sort(), [
            "test-hadoop-client", "test-hadoop-datanode1", "test-hadoop-datanode2", "test-hadoop-historyserver", "test-hadoop-namenode",
            "test-hadoop-nodemanager1", "test-hadoop-nodemanager2", "test-hadoop-resourcemanager", "test-hadoop-zookeeper",
        ]);
        assert.deepStrictEqual(Object.keys(outputs.containerNames).sort(), [
            "client", "datanode1", "datanode2", "historyserver", "namenode", "nodemanager1", "nodemanager2", "resourcemanager", "zookeeper",
        ]);
        assert.strictEqual(env("hadoop-datanode2").HADOOP_ROLE, "datanode");
        assert.strictEqual(env("hadoop-namenode").HADOOP_CLUSTER_ID, "CID-test-hadoop");
        assert.strictEqual(env("hadoop-namenode").HADOOP_HEAPSIZE_MAX, "460m");
        assert.strictEqual(env("hadoop-nodemanager1").HADOOP_HEAPSIZE_MAX, "256m");
        assert.strictEqual(named("hadoop-nodemanager1", container).inputs.memoryMb, 1536 + 384);
        for (const c of byType(container)) {
            assert.strictEqual(c.inputs.labels["clusterlab.cluster"], "hadoop", c.name);
            assert.ok(c.inputs.memoryMb > 0, c.name);
        }
        for (const c of roleContainers()) {
            assert.ok(c.inputs.healthcheck, `${c.name} has a readiness test`);
        }
    });

    it("orders roles by readiness: datanodes after the namenode, the HDFS folders after the datanodes, YARN and history after the folders, the client last", async () => {
        await deploy({ datanodes: 2 });
        const deps = (name: string, type = container) => named(name, type).dependsOn.filter((d) => !d.endsWith("-data")).sort();
        assert.deepStrictEqual(deps("hadoop-namenode"), []);
        assert.deepStrictEqual(deps("hadoop-datanode1"), ["hadoop-namenode"]);
        assert.deepStrictEqual(deps("hadoop-hdfs-folders"), ["hadoop-datanode1", "hadoop-datanode2", "hadoop-namenode"]);
        assert.deepStrictEqual(deps("hadoop-resourcemanager"), ["hadoop-hdfs-folders", "hadoop-zookeeper"]);
        assert.deepStrictEqual(deps("hadoop-nodemanager1"), ["hadoop-resourcemanager"]);
        assert.deepStrictEqual(deps("hadoop-historyserver"), ["hadoop-hdfs-folders"]);
        assert.deepStrictEqual(deps("hadoop-client"), ["hadoop-historyserver", "hadoop-nodemanager1", "hadoop-resourcemanager"]);
    });

    it("makes the seed's HDFS folders in a one-shot container beside the namenode, as the HDFS superuser, again whenever the namenode is made anew", async () => {
        await deploy({ client: { user: { name: "aen" } } });
        const folders = named("hadoop-hdfs-folders", container);
        assert.strictEqual(folders.inputs.name, "test-hadoop-hdfs-folders");
        // Run to its end by `up` (a non-zero exit fails it), and not started again.
        assert.strictEqual(folders.raw!.attach, true);
        assert.strictEqual(folders.raw!.mustRun, false);
        assert.strictEqual(folders.inputs.restart, "no");
        assert.strictEqual(folders.inputs.labels["clusterlab.one-shot"], "true", "labelled, so role checks can leave it out");
        assert.strictEqual(folders.inputs.network, named("hadoop-namenode", container).inputs.network);
        assert.strictEqual(folders.inputs.image, named("hadoop-namenode", container).inputs.image);
        const command = folders.inputs.command as string[];
        assert.deepStrictEqual(command.slice(0, 4), ["setpriv", "--reuid=hadoop", "--regid=hadoop", "--init-groups"]);
        assert.match(command[6], /^set -e\ntimeout 300 hdfs dfsadmin -safemode wait\n/);
        assert.match(command[6], /'http:\/\/namenode:9870\/webhdfs\/v1\/user\/aen\?user\.name=hadoop&op=SETOWNER&owner=aen&group=aen'/);
        // `hdfs dfsadmin` finds the namenode through the same core-site.xml the roles have.
        assert.strictEqual(file("hadoop-hdfs-folders", "/etc/hadoop/core-site.xml"), file("hadoop-namenode", "/etc/hadoop/core-site.xml"));
        assert.strictEqual(env("hadoop-hdfs-folders").NAMENODE_CONTAINER, "hadoop-namenode-id", "a namenode made anew makes the step anew");
    });

    it("ships the rendered configs into every role; each datanode and nodemanager gets its own names", async () => {
        await deploy({ datanodes: 2, nodemanagers: [{ name: "nm-a", resources: { memoryMb: 2048, vcores: 2 } }] });
        assert.deepStrictEqual(named("hadoop-client", container).inputs.files.map((f: { path: string }) => f.path), [
            "/etc/hadoop/core-site.xml", "/etc/hadoop/hdfs-site.xml", "/etc/hadoop/yarn-site.xml",
            "/etc/hadoop/mapred-site.xml", "/etc/hadoop/capacity-scheduler.xml",
        ]);
        assert.match(file("hadoop-datanode2", "/etc/hadoop/hdfs-site.xml"), /<name>dfs.datanode.hostname<\/name>\n {4}<value>datanode2<\/value>/);
        assert.doesNotMatch(file("hadoop-namenode", "/etc/hadoop/hdfs-site.xml"), /dfs.datanode.hostname/);
        assert.match(file("hadoop-nm-a", "/etc/hadoop/yarn-site.xml"), /<name>yarn.nodemanager.resource.memory-mb<\/name>\n {4}<value>2048<\/value>/);
        assert.strictEqual(named("hadoop-nm-a", container).inputs.memoryMb, 2048 + 384);
    });

    it("publishes the UIs on 127.0.0.1 and outputs their URLs, fs.defaultFS and the client's commands", async () => {
        const { outputs } = await deploy({ nodemanagers: 2 });
        assert.strictEqual(outputs.namenodeUrl, "http://127.0.0.1:9870");
        assert.strictEqual(outputs.resourcemanagerUrl, "http://127.0.0.1:8088");
        assert.strictEqual(outputs.historyserverUrl, "http://127.0.0.1:19888");
        assert.deepStrictEqual(outputs.nodemanagerUrls, { nodemanager1: "http://127.0.0.1:8042", nodemanager2: "http://127.0.0.1:8043" });
        assert.strictEqual(outputs.defaultFs, "hdfs://namenode:8020");
        assert.strictEqual(outputs.clientCommand, "docker exec -it -u user -w /home/user test-hadoop-client bash -l");
        assert.match(outputs.exampleJobCommand, /^docker exec -u user -w \/home\/user test-hadoop-client yarn jar \S+hadoop-mapreduce-examples\.jar pi 2 10$/);
        assert.deepStrictEqual(named("hadoop-namenode", container).inputs.ports, [{ ip: "127.0.0.1", internal: 9870, external: 9870 }]);
        assert.deepStrictEqual(named("hadoop-zookeeper", container).inputs.ports, []);
    });

    it("runs without zookeeper when it is turned off, and the ResourceManager then keeps no state store", async () => {
        await deploy({ zookeeper: { enabled: false } });
        assert.ok(!recorded.some((r) => r.name.includes("zookeeper")));
        assert.doesNotMatch(file("hadoop-resourcemanager", "/etc/hadoop/yarn-site.xml"), /ZKRMStateStore/);
        assert.doesNotMatch(file("hadoop-resourcemanager", "/etc/hadoop/core-site.xml"), /hadoop.zk.address/);
    });

    it("mounts the user's source folder into the client", async () => {
        await deploy({ client: { source: { hostPath: "/tmp", containerPath: "/pydoop", readOnly: true } } });
        assert.deepStrictEqual(named("hadoop-client", container).inputs.mounts,
            [{ type: "bind", source: "/tmp", target: "/pydoop", readOnly: true }]);
    });

    it("keys datanodes by name: adding one adds only its own resources, and leaves the others' inputs as they were", async () => {
        await deploy({ datanodes: 1 });
        const before = recorded.map((r) => JSON.stringify([r.type, r.name, r.inputs]));
        await deploy({ datanodes: 2 });
        const after = recorded.map((r) => JSON.stringify([r.type, r.name, r.inputs]));
        assert.deepStrictEqual(after.filter((r) => !before.includes(r)).map((r) => JSON.parse(r)[1]).sort(),
            ["hadoop-datanode2", "hadoop-datanode2", "hadoop-datanode2-data"]);
        assert.deepStrictEqual(before.filter((r) => !after.includes(r)), []);
    });

    it("rejects replication above the number of datanodes, before any resource", async () => {
        resetRecorded();
        assert.match(rejection({ replication: 3, datanodes: 2 }),
            /replication: must be at most the number of datanodes \(2\): HDFS could never place 3 copies of a block, got 3/);
        await settle();
        assert.deepStrictEqual(recorded.filter((r) => r.type.includes("dynamic") || r.type.startsWith("docker:")), []);
    });

    it("rejects memory too small for a container: a task larger than any nodemanager offers, a nodemanager limit below what it offers", () => {
        const message = rejection({
            nodemanagers: [{ name: "nm1", resources: { memoryMb: 1024 }, memoryMb: 1100 }],
            mapreduce: { amMemoryMb: 2048 },
        });
        assert.match(message, /mapreduce\.amMemoryMb: must fit in a nodemanager: the largest offers resources\.memoryMb 1024, so YARN would never start this container, got 2048/);
        assert.match(message, /nodemanagers\[0\]\.memoryMb: must hold the nodemanager's own 256 MB heap and the 1024 MB it offers YARN \(at least 1280\), got 1100/);
        assert.match(rejection({ namenode: { memoryMb: 100 } }), /namenode\.memoryMb: must be at least 256 MB, got 100/);
    });

    it("rejects unknown property names with their path, points a property to its file, and refuses to override typed args", () => {
        const message = rejection({
            properties: {
                hdfs: { "dfs.replicaton": 2, "dfs.blocksize": "64m" },
                core: { "dfs.namenode.handler.count": 20 },
                yarn: { "yarn.nodemanager.resource.memory-mb": 4096 },
            },
            namenode: { colour: "blue" } as never,
        });
        const lines = message.split("\n").slice(1).map((l) => l.trim());
        assert.deepStrictEqual(lines, [
            "namenode.colour: is not a known setting",
            "properties.core.dfs.namenode.handler.count: is a hdfs-site.xml property: set it under properties.hdfs, got 20",
            "properties.hdfs.dfs.replicaton: is not a property of hdfs-default.xml in Hadoop 3.4.2 (a misspelling?); " +
                "a property Hadoop reads but does not document goes under uncheckedProperties, got 2",
        ]);
        assert.match(rejection({ uncheckedProperties: { hdfs: { "dfs.replication": 3 } } }),
            /uncheckedProperties\.hdfs\["dfs\.replication"\]: is set by HadoopCluster from its typed args/);
        assert.match(rejection({ properties: { yarn: { "yarn.nodemanager.resource.memory-mb": 4096 } } }),
            /properties\.yarn\["yarn\.nodemanager\.resource\.memory-mb"\]: is set by HadoopCluster/);
    });

    it("rejects clashing host ports, member names that are role names, and a source folder that does not exist", () => {
        assert.match(rejection({ historyserver: { port: 9870 } }), /historyserver\.port: must differ from namenode\.port: both publish host port 9870/);
        assert.match(rejection({ datanodes: [{ name: "namenode" }] }), /datanodes\[0\]\.name: must not be a role name/);
        assert.match(rejection({ client: { source: { hostPath: "/no/such/folder" } } }),
            /client\.source\.hostPath: must exist on the local Docker host, got "\/no\/such\/folder", which does not/);
        assert.match(rejection({ datanodes: 0 }), /datanodes: must be a whole number of datanodes >= 1, or a list of named datanodes, got 0/);
    });
});
