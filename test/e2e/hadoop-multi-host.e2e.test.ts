import * as assert from "assert";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import { changesOf, danglingVolumes, labelledLeftovers, TestStack } from "./support/lifecycle";
import { borrowExtraHosts, dockerOn, ExtraHosts, labelledOn, localBridgeAddress, testEngines, tlsStackHosts } from "./support/extra-hosts";
import { getJson } from "./support/hadoop";
import { eventually } from "./support/poll";
import { docker, e2eOptOut, prepareToolchain, shell } from "./support/toolchain";

const describeE2e = e2eOptOut ? describe.skip : describe;

/** Each datanode's ports: the data port differs across the cluster (the namenode keys datanodes by source address and data port). */
const datanodePorts = (data: number) => ({ data, http: data - 2, ipc: data + 1 });


/**
 * HDFS over three hosts, one datanode on each; the namenode, the ResourceManager, the history
 * server and the client on local; the one nodemanager on host2, so every MapReduce container
 * (application master, maps, reduce) runs on another host than the job client and the RM.
 */
const clusters = {
    hadoop: {
        kind: "hadoop",
        host: "local",
        // Small: the machine is shared. The RM's state store is not what this suite is about.
        zookeeper: { enabled: false },
        namenode: { port: 39870, rpcPort: 38020 },
        resourcemanager: { port: 38088, trackerPort: 38031, schedulerPort: 38030 },
        historyserver: { port: 39888 },
        datanodeHosts: ["local", "host2", "host3"],
        datanodes: [
            { name: "datanode1", ports: datanodePorts(39866) },
            { name: "datanode2", ports: datanodePorts(39876) },
            { name: "datanode3", ports: datanodePorts(39886) },
        ],
        nodemanagers: [{ name: "nodemanager1", host: "host2", port: 38042, ports: { rpc: 38045, shuffle: 38046, applicationMasters: 38050 } }],
    },
};

describeE2e("HadoopCluster over three Docker engines (local, host2 tcp://, host3 tcp:// + TLS) — real Hadoop 3.4.2, a datanode on each host, the nodemanager on host2", function () {
    this.timeout(30 * 60 * 1000);
    const stack = new TestStack("hadoop-multi", "e2e");
    let extra: ExtraHosts;
    let started = 0;
    let danglingBefore = new Set<string>();
    let outputs: Record<string, any>;
    let names: Record<string, string>;
    const engine = () => testEngines(extra);
    const engineOf = (datanode: string) => engine()[outputs.datanodePlacement[datanode].host as "local" | "host2" | "host3"];
    const asUser = (...argv: string[]) => docker("exec", "-u", "user", "-w", "/home/user", names.client, ...argv);
    /** The namenode's live datanodes, as `address:port` it hands clients. */
    const live = async () => Object.keys(JSON.parse((await getJson(`${outputs.namenodeUrl}/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo`)).beans[0].LiveNodes)).sort();

    before(async () => {
        started = Date.now();
        prepareToolchain();
        extra = borrowExtraHosts();
        danglingBefore = danglingVolumes();
        await stack.init({});
        await stack.setStackConfig(tlsStackHosts(extra), clusters);
    });
    after(async () => {
        await stack.dispose();
        console.log(`    suite hadoop multi-host e2e: ${((Date.now() - started) / 1000).toFixed(1)}s`);
    });

    it("HadoopCluster multi-host: up runs each datanode and the nodemanager on its host; the namenode and the RM list them at their hosts' addresses", async () => {
        const t = Date.now();
        await stack.up();
        console.log(`      up over three engines: ${((Date.now() - t) / 1000).toFixed(1)}s`);
        outputs = (await stack.outputs()).clusters.hadoop;
        names = outputs.containerNames;
        const s = stack.name;
        const on = (endpoint: string) => dockerOn(endpoint, "ps", "--filter", `label=clusterlab.stack=${s}`, "--format", "{{.Names}}").split("\n").sort();
        assert.deepStrictEqual(on(engine().local), ["client", "datanode1", "historyserver", "namenode", "resourcemanager"].map((r) => `${s}-hadoop-${r}`));
        assert.deepStrictEqual(on(engine().host2), [`${s}-hadoop-datanode2`, `${s}-hadoop-nodemanager1`]);
        assert.deepStrictEqual(on(engine().host3), [`${s}-hadoop-datanode3`]);
        assert.strictEqual(outputs.defaultFs, "hdfs://namenode:38020");
        assert.deepStrictEqual(outputs.datanodePlacement, {
            datanode1: { host: "local", address: `${localBridgeAddress}:39866` },
            datanode2: { host: "host2", address: `${extra.host2.address}:39876` },
            datanode3: { host: "host3", address: `${extra.host3.address}:39886` },
        });
        // Each datanode was ready only once the namenode listed it: all three are live now.
        assert.deepStrictEqual(await live(), [`${localBridgeAddress}:39866`, `${extra.host2.address}:39876`, `${extra.host3.address}:39886`]);
        const nodes = (await getJson(`${outputs.resourcemanagerUrl}/ws/v1/cluster/nodes?states=RUNNING`)).nodes.node as { id: string; nodeHTTPAddress: string }[];
        assert.deepStrictEqual(nodes.map((n) => [n.id, n.nodeHTTPAddress]), [[`${extra.host2.address}:38045`, `${extra.host2.address}:38042`]]);
        assert.deepStrictEqual(outputs.nodemanagerUrls, { nodemanager1: `http://${extra.host2.address}:38042` });
    });

    it("HadoopCluster multi-host: a file written with 3 replicas has a block on each host's datanode, and reads back byte for byte from host2's alone", async () => {
        const bytes = crypto.randomBytes(2 * 1024 * 1024 + 5);
        // The client streams to the first datanode, which forwards along a pipeline across the hosts.
        execFileSync("docker", ["exec", "-i", "-u", "user", names.client, "hdfs", "dfs", "-D", "dfs.replication=3", "-put", "-f", "-", "/user/user/spread.bin"],
            { input: bytes, stdio: ["pipe", "ignore", "pipe"] });
        const blockFiles = (datanode: string) => dockerOn(engineOf(datanode), "exec", names[datanode], "sh", "-c",
            "find /data/datanode -name 'blk_*' ! -name '*.meta' -size +2047k").split("\n").filter((line) => line !== "");
        for (const datanode of ["datanode1", "datanode2", "datanode3"]) {
            assert.strictEqual(blockFiles(datanode).length, 1, `${datanode} holds the file's one block`);
        }
        // With the datanodes of local and host3 stopped, only host2's can serve the block.
        dockerOn(engine().local, "stop", "--time", "5", names.datanode1);
        dockerOn(engine().host3, "stop", "--time", "5", names.datanode3);
        try {
            const back = execFileSync("docker", ["exec", "-u", "user", names.client, "hdfs", "dfs", "-cat", "/user/user/spread.bin"],
                { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
            assert.strictEqual(back.length, bytes.length);
            assert.ok(back.equals(bytes), "the bytes read back from host2's datanode differ from those written");
        } finally {
            dockerOn(engine().local, "start", names.datanode1);
            dockerOn(engine().host3, "start", names.datanode3);
        }
        await eventually("datanode1 and datanode3 healthy again", 180, () =>
            dockerOn(engine().local, "inspect", "--format", "{{.State.Health.Status}}", names.datanode1) === "healthy" &&
            dockerOn(engine().host3, "inspect", "--format", "{{.State.Health.Status}}", names.datanode3) === "healthy");
    });

    it("HadoopCluster multi-host: the output's pi job runs on host2's nodemanager (AM, maps, shuffle, reduce), submitted from local, its files over the three hosts' datanodes", async () => {
        const output = shell(`${outputs.exampleJobCommand} 2>&1`);
        assert.match(output, /Estimated value of Pi is 3\.\d+/);
        const jobId = /Running job: (job_\d+_\d+)/.exec(output)?.[1];
        assert.ok(jobId, output);
        const app = (await getJson(`${outputs.resourcemanagerUrl}/ws/v1/cluster/apps/${jobId.replace(/^job_/, "application_")}`)).app;
        assert.deepStrictEqual([app.state, app.finalStatus], ["FINISHED", "SUCCEEDED"]);
        // The job client (local) followed the application master on host2 at its published port range.
        assert.strictEqual(app.amHostHttpAddress, `${extra.host2.address}:38042`);
        assert.match(app.amRPCAddress, new RegExp(`^${extra.host2.address.replace(/\./g, "\\.")}:3805[0-3]$`), "the AM listened in host2's published range");
        assert.match(asUser("hdfs", "dfs", "-ls", "/user/user"), /spread\.bin/);
    });

    it("HadoopCluster multi-host: a second preview changes nothing on any host", async () => {
        assert.deepStrictEqual(changesOf((await stack.preview()).changeSummary), {});
    });

    it("HadoopCluster multi-host: destroy leaves nothing labelled on any of the three engines", async () => {
        const t = Date.now();
        await stack.destroy();
        console.log(`      destroy over three engines: ${((Date.now() - t) / 1000).toFixed(1)}s`);
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
        assert.deepStrictEqual(labelledOn(extra.host2.docker, stack.name), []);
        assert.deepStrictEqual(labelledOn(`unix://${extra.host3.socket}`, stack.name), []);
        // The local engine is shared: other suites' volumes may come and go meanwhile.
        assert.deepStrictEqual([...danglingVolumes()].filter((v) => !danglingBefore.has(v) && (v.startsWith(stack.name) || !/^(e2e|faults)-/.test(v))), []);
    });
});
