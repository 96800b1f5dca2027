import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    datanodeId,
    heapMb,
    renderCapacitySchedulerXml,
    renderClientCommand,
    renderCoreSite,
    renderDefaultFs,
    renderHdfsBootstrapCommand,
    renderHdfsSite,
    renderMapredSite,
    renderRoleEnv,
    renderSiteXml,
    renderYarnSite,
    taskJavaOpts,
} from "../../components/hadoop/render";
import { hadoopClusterArgsSchema, nodemanagerPort } from "../../components/hadoop/schema";

const golden = (name: string) => fs.readFileSync(path.join(__dirname, "golden", "hadoop", name), "utf8");
const defaults = hadoopClusterArgsSchema.parse({});

describe("Hadoop render functions", () => {
    it("renders the default cluster's site files as the goldens say", () => {
        assert.strictEqual(renderCoreSite(defaults), golden("core-site.xml"));
        assert.strictEqual(renderHdfsSite(defaults), golden("hdfs-site.xml"));
        assert.strictEqual(renderYarnSite(defaults), golden("yarn-site.xml"));
        assert.strictEqual(renderMapredSite(defaults), golden("mapred-site.xml"));
        assert.strictEqual(renderCapacitySchedulerXml(), golden("capacity-scheduler.xml"));
    });

    it("renders a datanode's hdfs-site and a nodemanager's yarn-site with their own names and resources", () => {
        assert.strictEqual(renderHdfsSite(defaults, "datanode2"), golden("hdfs-site-datanode2.xml"));
        const settings = hadoopClusterArgsSchema.parse({ nodemanagers: [{ name: "nm-big", resources: { memoryMb: 4096, vcores: 8 } }] });
        assert.strictEqual(renderYarnSite(settings, settings.nodemanagers[0]), golden("yarn-site-nm-big.xml"));
    });

    it("renders a datanode on another host: its host's address, ports listened on as published, clients connecting to what datanodes report", () => {
        const settings = hadoopClusterArgsSchema.parse({ namenode: { rpcPort: 18020 } });
        const identity = { name: "datanode2", ports: { data: 19866, http: 19864, ipc: 19867 }, advertisedAs: "10.213.0.2" };
        assert.strictEqual(renderHdfsSite(settings, identity, { acrossHosts: true }), golden("hdfs-site-datanode2-across-hosts.xml"));
        assert.strictEqual(renderDefaultFs(settings), "hdfs://namenode:18020");
        assert.match(renderCoreSite(settings), /<name>fs.defaultFS<\/name>\n {4}<value>hdfs:\/\/namenode:18020<\/value>/);
        assert.strictEqual(datanodeId(identity), "10.213.0.2:19866");
        assert.strictEqual(datanodeId({ name: "datanode1" }), "datanode1:9866");
        assert.strictEqual(renderRoleEnv("datanode", { clusterId: "c", user: { name: "u", uid: 1000 }, datanode: identity, namenodeHttp: "10.213.0.1:9870" }).DATANODE_ID,
            "10.213.0.2:19866");
        assert.strictEqual(renderRoleEnv("datanode", { clusterId: "c", user: { name: "u", uid: 1000 }, datanode: { name: "datanode1" } }).DATANODE_ID, undefined,
            "a datanode with Hadoop's ports and its name: the image's default");
    });

    it("renders a nodemanager on another host: its host's address as node id, its ports, its AMs' port range final against the job's job.xml", () => {
        const settings = hadoopClusterArgsSchema.parse({
            resourcemanager: { trackerPort: 38031, schedulerPort: 38030 },
            nodemanagers: [{ name: "nodemanager1", host: "host2", port: 38042, ports: { rpc: 38045, shuffle: 38046, applicationMasters: 38050 } }],
        });
        const nodemanager = { ...settings.nodemanagers[0], advertisedAs: "10.213.0.2" };
        assert.strictEqual(renderYarnSite(settings, nodemanager), golden("yarn-site-nodemanager1-across-hosts.xml"));
        assert.strictEqual(renderMapredSite(settings, nodemanager), golden("mapred-site-nodemanager1-across-hosts.xml"));
        assert.strictEqual(renderRoleEnv("nodemanager", { clusterId: "c", user: { name: "u", uid: 1000 }, nodemanager }).NODEMANAGER_ID, "10.213.0.2:38045");
        assert.strictEqual(renderRoleEnv("nodemanager", { clusterId: "c", user: { name: "u", uid: 1000 }, nodemanager: hadoopClusterArgsSchema.parse({}).nodemanagers[0] })
            .NODEMANAGER_ID, undefined, "a nodemanager with Hadoop's port and its name: the image's default");
    });

    it("renders typed args and extra properties into their files; without zookeeper no state store", () => {
        const settings = hadoopClusterArgsSchema.parse({
            zookeeper: { enabled: false },
            replication: 2, datanodes: 3,
            mapreduce: { mapMemoryMb: 512 },
            properties: { hdfs: { "dfs.blocksize": "64m" }, core: { "io.file.buffer.size": 65536 } },
            uncheckedProperties: { yarn: { "my.plugin.setting": true } },
        });
        assert.match(renderHdfsSite(settings), /<name>dfs.blocksize<\/name>\n {4}<value>64m<\/value>/);
        assert.match(renderHdfsSite(settings), /<name>dfs.replication<\/name>\n {4}<value>2<\/value>/);
        assert.match(renderCoreSite(settings), /<name>io.file.buffer.size<\/name>\n {4}<value>65536<\/value>/);
        assert.doesNotMatch(renderCoreSite(settings), /hadoop.zk.address/);
        assert.match(renderYarnSite(settings), /<name>my.plugin.setting<\/name>\n {4}<value>true<\/value>/);
        assert.doesNotMatch(renderYarnSite(settings), /recovery/);
        assert.match(renderMapredSite(settings), /<name>mapreduce.map.java.opts<\/name>\n {4}<value>-Xmx409m @\/opt\/hadoop\/java17.args<\/value>/);
    });

    it("escapes XML and sorts properties, so reordering config is no diff", () => {
        assert.strictEqual(renderSiteXml({ b: "x<y & \"z\"", a: "1" }), renderSiteXml({ a: "1", b: "x<y & \"z\"" }));
        assert.match(renderSiteXml({ b: "x<y & \"z\"" }), /<value>x&lt;y &amp; &quot;z&quot;<\/value>/);
    });

    it("sizes heaps from container limits, and gives nodemanagerN the host port 8042 + N - 1 unless told", () => {
        assert.strictEqual(heapMb(768), 460);
        assert.strictEqual(taskJavaOpts(384), "-Xmx307m @/opt/hadoop/java17.args");
        assert.strictEqual(nodemanagerPort({ name: "nodemanager1" }), 8042);
        assert.strictEqual(nodemanagerPort({ name: "nodemanager3" }), 8044);
        assert.strictEqual(nodemanagerPort({ name: "nm-a" }), false);
        assert.strictEqual(nodemanagerPort({ name: "nodemanager2", port: false }), false);
    });

    it("renders the HDFS bootstrap and the client shell", () => {
        assert.strictEqual(renderHdfsBootstrapCommand("aen", "namenode:9870").join(" "), golden("hdfs-bootstrap.txt").trimEnd());
        assert.strictEqual(renderClientCommand("s-h-client", "aen"), "docker exec -it -u aen -w /home/aen s-h-client bash -l");
    });
});
