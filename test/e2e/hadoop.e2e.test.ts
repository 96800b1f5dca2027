import * as assert from "assert";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import { changesOf, danglingVolumes, labelledLeftovers, suiteStack } from "./support/lifecycle";
import { getJson, hadoopCluster, liveDatanodes, memorySampler } from "./support/hadoop";
import { eventually } from "./support/poll";
import { docker, e2eOptOut, shell } from "./support/toolchain";

const describeE2e = e2eOptOut ? describe.skip : describe;

describeE2e("HadoopCluster end to end — real Hadoop 3.4.2 (jars from Maven Central) on Debian's Java 17: HDFS, YARN, MapReduce, JobHistory, zookeeper", function () {
    this.timeout(30 * 60 * 1000);
    const { stack, danglingBefore } = suiteStack("HadoopCluster e2e", "hadoop", hadoopCluster(1));
    let outputs: Record<string, any>;
    let names: Record<string, string>;
    let upStarted = 0;
    const sampler = { current: undefined as ReturnType<typeof memorySampler> | undefined };

    // A failed check must not leave the sampler running: its loop would keep mocha alive.
    after(async () => {
        await sampler.current?.stop();
    });

    const asUser = (...argv: string[]) => docker("exec", "-u", "user", "-w", "/home/user", names.client, ...argv);

    it("HadoopCluster: up leaves every role ready, the namenode listing its one datanode", async () => {
        upStarted = Date.now();
        sampler.current = memorySampler(stack.name);
        await stack.up();
        console.log(`      up: ${((Date.now() - upStarted) / 1000).toFixed(1)}s`);
        outputs = (await stack.outputs()).clusters.hadoop;
        names = outputs.containerNames;
        assert.deepStrictEqual(Object.keys(names).sort(),
            ["client", "datanode1", "historyserver", "namenode", "nodemanager1", "resourcemanager", "zookeeper"]);
        assert.strictEqual(outputs.namenodeUrl, "http://127.0.0.1:29870");
        assert.strictEqual(outputs.resourcemanagerUrl, "http://127.0.0.1:28088");
        assert.strictEqual(outputs.historyserverUrl, "http://127.0.0.1:29888");
        assert.deepStrictEqual(outputs.nodemanagerUrls, { nodemanager1: "http://127.0.0.1:28042" });
        assert.strictEqual(outputs.defaultFs, "hdfs://namenode:8020");
        assert.deepStrictEqual(await liveDatanodes(outputs.namenodeUrl), ["datanode1"]);
    });

    it("HadoopCluster: the seed's HDFS folders exist with their modes, /user/<name> owned by the client user", () => {
        const listing = asUser("hdfs", "dfs", "-ls", "-d", "/tmp", "/mr-history/tmp", "/mr-history/done", "/user/user");
        assert.match(listing, /drwxrwxrwt\s+- hadoop \w+\s+0 .* \/tmp\n/);
        assert.match(listing, /drwxrwxrwt\s+- hadoop \w+\s+0 .* \/mr-history\/tmp/);
        assert.match(listing, /drwxr-x---\s+- hadoop \w+\s+0 .* \/mr-history\/done/);
        assert.match(listing, /drwxr-xr-x\s+- user\s+user\s+0 .* \/user\/user/);
    });

    it("HadoopCluster: a file put from the client comes back from HDFS byte for byte", () => {
        const bytes = crypto.randomBytes(3 * 1024 * 1024 + 17);
        execFileSync("docker", ["exec", "-i", "-u", "user", names.client, "hdfs", "dfs", "-put", "-f", "-", "/user/user/roundtrip.bin"],
            { input: bytes, stdio: ["pipe", "ignore", "pipe"] });
        const back = execFileSync("docker", ["exec", "-u", "user", names.client, "hdfs", "dfs", "-cat", "/user/user/roundtrip.bin"],
            { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
        assert.strictEqual(back.length, bytes.length);
        assert.ok(back.equals(bytes), "the bytes read back differ from those written");
    });

    it("HadoopCluster: the output's example job, pasted, runs pi on YARN; the RM and the JobHistory server report it succeeded", async () => {
        const output = shell(`${outputs.exampleJobCommand} 2>&1`);
        const firstJob = (Date.now() - upStarted) / 1000;
        console.log(`      from up's start to the first successful job: ${firstJob.toFixed(1)}s`);
        assert.match(output, /Estimated value of Pi is 3\.\d+/);
        const jobId = /Running job: (job_\d+_\d+)/.exec(output)?.[1];
        assert.ok(jobId, output);
        const appId = jobId.replace(/^job_/, "application_");
        const app = (await getJson(`${outputs.resourcemanagerUrl}/ws/v1/cluster/apps/${appId}`)).app;
        assert.deepStrictEqual([app.state, app.finalStatus, app.user], ["FINISHED", "SUCCEEDED", "user"]);
        let job: any;
        await eventually("the job in the JobHistory server", 120, async () => {
            try {
                job = (await getJson(`${outputs.historyserverUrl}/ws/v1/history/mapreduce/jobs/${jobId}`)).job;
                return true;
            } catch {
                return false;
            }
        });
        assert.deepStrictEqual([job.state, job.mapsCompleted, job.reducesCompleted, job.user], ["SUCCEEDED", 2, 1, "user"]);
        const memory = await sampler.current!.stop();
        console.log(`      peak memory of the running cluster (docker stats, up to the job's end): ${memory.peakTotalMb} MiB ` +
            `${JSON.stringify(memory.perContainerMb)}`);
    });

    it("HadoopCluster: the ResourceManager keeps its state in zookeeper: restarted, it still knows the finished job", async () => {
        const apps = async () => ((await getJson(`${outputs.resourcemanagerUrl}/ws/v1/cluster/apps`)).apps?.app ?? []) as { id: string; state: string }[];
        const before = await apps();
        assert.strictEqual(before.length, 1, JSON.stringify(before));
        docker("restart", "--time", "10", names.resourcemanager);
        // ACTIVE, not only STARTED: the RM reports STARTED while it is still recovering.
        await eventually("the restarted ResourceManager active with the job recovered from zookeeper", 180, async () => {
            try {
                const info = (await getJson(`${outputs.resourcemanagerUrl}/ws/v1/cluster/info`)).clusterInfo;
                return info.state === "STARTED" && info.haState === "ACTIVE" && (await apps()).length > 0;
            } catch {
                return false;
            }
        });
        assert.deepStrictEqual((await apps()).map((app) => [app.id, app.state]), before.map((app) => [app.id, "FINISHED"]));
        // The nodemanager registers again, so the next jobs have somewhere to run.
        await eventually("nodemanager1 back in the ResourceManager", 120, () => /nodemanager1:45454\s+RUNNING/.test(asUser("yarn", "node", "-list")));
    });

    it("HadoopCluster: the client has what a Hadoop user expects: commands on PATH, HADOOP_HOME, HADOOP_CONF_DIR, the examples jar", () => {
        const env = asUser("bash", "-lc", "command -v hadoop hdfs yarn mapred; echo $HADOOP_HOME $HADOOP_CONF_DIR; ls $HADOOP_HOME/share/hadoop/mapreduce");
        assert.match(env, /\/usr\/local\/bin\/hadoop\n\/usr\/local\/bin\/hdfs\n\/usr\/local\/bin\/yarn\n\/usr\/local\/bin\/mapred\n/);
        assert.match(env, /\/opt\/hadoop \/etc\/hadoop/);
        assert.match(env, /hadoop-mapreduce-examples\.jar/);
    });

    it("HadoopCluster: a second preview and a refresh report no changes", async () => {
        assert.deepStrictEqual(changesOf((await stack.preview({ expectNoChanges: true })).changeSummary), {});
        assert.deepStrictEqual(changesOf((await stack.refresh({ expectNoChanges: true })).summary.resourceChanges), {});
    });

    it("HadoopCluster: 1 → 2 datanodes creates only datanode2 (its container and volume); the namenode then lists both; the next preview is empty", async () => {
        await stack.setClusters(hadoopCluster(2));
        const grow = await stack.up();
        assert.deepStrictEqual(changesOf(grow.summary.resourceChanges), { create: 3 });
        await eventually("two live datanodes", 60, async () => (await liveDatanodes(outputs.namenodeUrl)).length === 2);
        assert.deepStrictEqual(await liveDatanodes(outputs.namenodeUrl), ["datanode1", "datanode2"]);
        assert.deepStrictEqual(changesOf((await stack.preview({ expectNoChanges: true })).changeSummary), {});
        // The file written before is still there: no role was replaced, HDFS was not reformatted.
        assert.match(asUser("hdfs", "dfs", "-ls", "/user/user"), /roundtrip\.bin/);
    });

    it("HadoopCluster: destroy leaves no container, network or volume with the stack's label", async () => {
        const started = Date.now();
        await stack.destroy();
        console.log(`      destroy: ${((Date.now() - started) / 1000).toFixed(1)}s`);
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
        assert.deepStrictEqual([...danglingVolumes()].filter((v) => !danglingBefore().has(v)), [], "no anonymous volume left behind");
    });
});
