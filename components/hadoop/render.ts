import { ConfigProblem } from "../core/config";
import { z } from "zod";
import {
    applicationMasterPortCount,
    datanodePortsSchema,
    hadoopPorts,
    HadoopClusterSettings,
    HadoopNodemanagerSettings,
    nodemanagerPort,
    SiteFile,
} from "./schema";

// Pure functions: the XML configs, env and command lines of a HadoopCluster. No Pulumi here.

/** Where images/hadoop keeps things; the launchers and configs agree on these. */
export const hadoopPaths = {
    conf: "/etc/hadoop",
    jars: "/opt/hadoop/lib/*",
    examplesJar: "/opt/hadoop/share/hadoop/mapreduce/hadoop-mapreduce-examples.jar",
    /** Java 17 --add-opens flags as a java @argfile: every JVM YARN starts gets them too. */
    java17Args: "/opt/hadoop/java17.args",
} as const;

/** HDFS folders the seed's bootstrap made: MapReduce's history folders and staging root. */
export const hdfsPaths = {
    historyIntermediate: "/mr-history/tmp",
    historyDone: "/mr-history/done",
    staging: "/tmp/hadoop-yarn/staging",
} as const;

export type HadoopRole = "namenode" | "datanode" | "resourcemanager" | "nodemanager" | "historyserver" | "client";

/** The DNS names of the singleton roles on the cluster network. */
export const roleHosts = {
    zookeeper: "zookeeper",
    namenode: "namenode",
    resourcemanager: "resourcemanager",
    historyserver: "historyserver",
    client: "client",
} as const;

function escapeXml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * A Hadoop `*-site.xml`, properties sorted by name so that reordering them in config is no diff.
 * `finals`: properties no later resource may override (a job's job.xml, loaded after the site files).
 */
export function renderSiteXml(properties: Record<string, string>, finals: ReadonlySet<string> = new Set()): string {
    const body = Object.keys(properties).sort().map((name) =>
        `  <property>\n    <name>${escapeXml(name)}</name>\n    <value>${escapeXml(properties[name])}</value>\n` +
        `${finals.has(name) ? "    <final>true</final>\n" : ""}  </property>\n`).join("");
    return `<?xml version="1.0" encoding="UTF-8"?>\n<!-- Rendered by clusterlab's HadoopCluster; edits are replaced on the next up. -->\n<configuration>\n${body}</configuration>\n`;
}

/** The JVM heap of a daemon, from its container's memory limit: the rest is metaspace, threads and buffers. */
export function heapMb(containerMemoryMb: number): number {
    return Math.floor(containerMemoryMb * 0.6);
}

/** A YARN task's JVM options: 80% of its container as heap, and the Java 17 flags. */
export function taskJavaOpts(containerMb: number): string {
    return `-Xmx${Math.floor(containerMb * 0.8)}m @${hadoopPaths.java17Args}`;
}

/** fs.defaultFS of a cluster with the namenode's RPC port unpublished. */
export const defaultFs = `hdfs://${roleHosts.namenode}:${hadoopPorts.namenodeRpc}`;

/**
 * fs.defaultFS: the namenode by its role name, on the published RPC port when there is one (the
 * namenode listens on that number inside too), so the URI means the same on every host — job
 * files carry it qualified into paths, and nodes on other hosts map `namenode` to its host.
 */
export function renderDefaultFs(settings: HadoopClusterSettings): string {
    return settings.namenode.rpcPort === false ? defaultFs : `hdfs://${roleHosts.namenode}:${settings.namenode.rpcPort}`;
}

export type DatanodePorts = z.output<typeof datanodePortsSchema>;

/**
 * How a datanode names itself to the namenode, which hands that address to clients and other
 * datanodes: its DNS alias and Hadoop's ports on one host; across hosts, its host's advertised
 * address and its published ports.
 */
export interface DatanodeIdentity {
    name: string;
    /** Ports it listens on, the same as published. Default: Hadoop's (9866, 9864, 9867), unpublished. */
    ports?: DatanodePorts;
    /** The address it reports instead of its name: its host's advertised address, when the datanodes span hosts. */
    advertisedAs?: string;
}

/** How the cluster is wired: across hosts, clients and datanodes reach datanodes by the address each reports. */
export interface HadoopWiring {
    acrossHosts: boolean;
}

const oneHost: HadoopWiring = { acrossHosts: false };

/**
 * How a nodemanager names itself to the ResourceManager (its node id, which application masters
 * connect to): its DNS alias on one host; across hosts, its host's advertised address.
 */
export type NodemanagerIdentity = HadoopNodemanagerSettings & { advertisedAs?: string };

/** The node id (`address:port`) the ResourceManager lists a nodemanager by, and its readiness check looks for. */
export function nodemanagerId(nodemanager: NodemanagerIdentity): string {
    return `${nodemanager.advertisedAs ?? nodemanager.name}:${nodemanager.ports?.rpc ?? hadoopPorts.nodemanagerRpc}`;
}

/** The port range MapReduce application masters on a nodemanager listen in (client service, task umbilical). */
export function applicationMasterPortRange(first: number): string {
    return `${first}-${first + applicationMasterPortCount - 1}`;
}

/** The datanode's transfer address as the namenode lists it (`LiveNodes`), and its readiness check looks for. */
export function datanodeId(datanode: DatanodeIdentity): string {
    return `${datanode.advertisedAs ?? datanode.name}:${datanode.ports?.data ?? hadoopPorts.datanodeTransfer}`;
}

/** Properties the component sets from typed args; `properties` may not set them again. */
function managedCore(settings: HadoopClusterSettings): Record<string, string> {
    return {
        "fs.defaultFS": renderDefaultFs(settings),
        ...(settings.zookeeper.enabled ? { "hadoop.zk.address": `${roleHosts.zookeeper}:${hadoopPorts.zookeeper}` } : {}),
    };
}

function managedHdfs(settings: HadoopClusterSettings, wiring: HadoopWiring = oneHost): Record<string, string> {
    return {
        "dfs.replication": String(settings.replication),
        "dfs.namenode.name.dir": "/data/namenode",
        "dfs.datanode.data.dir": "/data/datanode",
        // The namenode listens on every interface of its container, so the healthcheck's
        // 127.0.0.1 and other roles' `namenode` both reach it.
        "dfs.namenode.rpc-bind-host": "0.0.0.0",
        "dfs.namenode.servicerpc-bind-host": "0.0.0.0",
        "dfs.namenode.http-bind-host": "0.0.0.0",
        // Datanodes register from addresses Docker's DNS names differently on reverse look-up;
        // across hosts the namenode sees a NATed source (the datanode's host, or Docker's
        // gateway) that resolves to nothing. A datanode is known by its id and reported address.
        "dfs.namenode.datanode.registration.ip-hostname-check": "false",
        // Across hosts, the address the namenode saw a datanode register from is NATed: clients
        // and datanodes connect to the address each datanode reports (its host's) instead.
        ...(wiring.acrossHosts ? { "dfs.client.use.datanode.hostname": "true", "dfs.datanode.use.datanode.hostname": "true" } : {}),
    };
}

function managedYarn(settings: HadoopClusterSettings): Record<string, string> {
    const largest = Math.max(...settings.nodemanagers.map((nm) => nm.resources.memoryMb));
    const { trackerPort, schedulerPort } = settings.resourcemanager;
    return {
        "yarn.resourcemanager.hostname": roleHosts.resourcemanager,
        // Published ports are listened on at the same numbers, so the names mean the same on every host.
        ...(trackerPort === false ? {} : { "yarn.resourcemanager.resource-tracker.address": `${roleHosts.resourcemanager}:${trackerPort}` }),
        ...(schedulerPort === false ? {} : { "yarn.resourcemanager.scheduler.address": `${roleHosts.resourcemanager}:${schedulerPort}` }),
        "yarn.resourcemanager.bind-host": "0.0.0.0",
        "yarn.nodemanager.bind-host": "0.0.0.0",
        "yarn.nodemanager.aux-services": "mapreduce_shuffle",
        "yarn.nodemanager.local-dirs": "/data/nm-local",
        "yarn.nodemanager.log-dirs": "/data/nm-logs",
        // The container's memory limit is what bounds YARN's containers here; YARN's own
        // checks count a JVM's virtual memory and kill tasks that are well within it.
        "yarn.nodemanager.vmem-check-enabled": "false",
        "yarn.nodemanager.pmem-check-enabled": "false",
        // A test machine's disk is often past YARN's 90% mark, which marks every node unhealthy.
        "yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage": "99",
        "yarn.scheduler.minimum-allocation-mb": "128",
        "yarn.scheduler.maximum-allocation-mb": String(largest),
        "yarn.application.classpath": `${hadoopPaths.conf},${hadoopPaths.jars}`,
        ...(settings.zookeeper.enabled ? {
            "yarn.resourcemanager.recovery.enabled": "true",
            "yarn.resourcemanager.store.class": "org.apache.hadoop.yarn.server.resourcemanager.recovery.ZKRMStateStore",
        } : {}),
    };
}

function managedMapred(settings: HadoopClusterSettings): Record<string, string> {
    const { amMemoryMb, mapMemoryMb, reduceMemoryMb } = settings.mapreduce;
    const mapredHome = "HADOOP_MAPRED_HOME=/opt/hadoop";
    return {
        "mapreduce.framework.name": "yarn",
        "mapreduce.application.classpath": `${hadoopPaths.conf},${hadoopPaths.jars}`,
        "mapreduce.jobhistory.address": `${roleHosts.historyserver}:${hadoopPorts.historyserverRpc}`,
        "mapreduce.jobhistory.webapp.address": `${roleHosts.historyserver}:${hadoopPorts.historyserverHttp}`,
        "mapreduce.jobhistory.bind-host": "0.0.0.0",
        "mapreduce.jobhistory.intermediate-done-dir": hdfsPaths.historyIntermediate,
        "mapreduce.jobhistory.done-dir": hdfsPaths.historyDone,
        "yarn.app.mapreduce.am.staging-dir": hdfsPaths.staging,
        "yarn.app.mapreduce.am.env": mapredHome,
        "mapreduce.map.env": mapredHome,
        "mapreduce.reduce.env": mapredHome,
        "yarn.app.mapreduce.am.resource.mb": String(amMemoryMb),
        "yarn.app.mapreduce.am.command-opts": taskJavaOpts(amMemoryMb),
        "mapreduce.map.memory.mb": String(mapMemoryMb),
        "mapreduce.map.java.opts": taskJavaOpts(mapMemoryMb),
        "mapreduce.reduce.memory.mb": String(reduceMemoryMb),
        "mapreduce.reduce.java.opts": taskJavaOpts(reduceMemoryMb),
    };
}

const managed: Record<SiteFile, (settings: HadoopClusterSettings, wiring?: HadoopWiring) => Record<string, string>> = {
    core: managedCore,
    hdfs: managedHdfs,
    yarn: managedYarn,
    mapred: managedMapred,
};

/** Per-member properties: what a datanode or nodemanager calls itself. */
const memberKeys: Record<SiteFile, string[]> = {
    core: [],
    hdfs: [
        "dfs.datanode.hostname", "dfs.datanode.address", "dfs.datanode.http.address", "dfs.datanode.ipc.address",
        "dfs.client.use.datanode.hostname", "dfs.datanode.use.datanode.hostname",
    ],
    yarn: [
        "yarn.nodemanager.hostname", "yarn.nodemanager.address", "yarn.nodemanager.resource.memory-mb", "yarn.nodemanager.resource.cpu-vcores",
        "yarn.nodemanager.webapp.address", "yarn.nodemanager.localizer.address", "yarn.resourcemanager.resource-tracker.address", "yarn.resourcemanager.scheduler.address",
    ],
    mapred: ["mapreduce.shuffle.port", "yarn.app.mapreduce.am.job.client.port-range"],
};

/**
 * Extra properties that would override one the component sets from typed args: rejected, so
 * a setting has one place (`properties.hdfs["dfs.replication"]` → use `replication`).
 */
export function overriddenProperties(settings: HadoopClusterSettings): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const group of ["properties", "uncheckedProperties"] as const) {
        for (const file of Object.keys(managed) as SiteFile[]) {
            const ours = new Set([...Object.keys(managed[file](settings)), ...memberKeys[file]]);
            for (const key of Object.keys(settings[group][file])) {
                if (ours.has(key)) {
                    problems.push({
                        propertyPath: `${group}.${file}["${key}"]`,
                        reason: "is set by HadoopCluster from its typed args (replication, memory, ports, roles); set those instead",
                    });
                }
            }
        }
    }
    return problems;
}

function siteProperties(file: SiteFile, settings: HadoopClusterSettings, member: Record<string, string> = {}, wiring: HadoopWiring = oneHost): Record<string, string> {
    return { ...managed[file](settings, wiring), ...member, ...settings.properties[file], ...settings.uncheckedProperties[file] };
}

export function renderCoreSite(settings: HadoopClusterSettings): string {
    return renderSiteXml(siteProperties("core", settings));
}

/**
 * hdfs-site.xml; a datanode's says what it reports to the namenode (its DNS name, or its host's
 * address across hosts) and the ports it listens on when they are published.
 */
export function renderHdfsSite(settings: HadoopClusterSettings, datanode?: string | DatanodeIdentity, wiring: HadoopWiring = oneHost): string {
    const identity = typeof datanode === "string" ? { name: datanode } : datanode;
    const listen = (port: number) => `0.0.0.0:${port}`;
    return renderSiteXml(siteProperties("hdfs", settings, identity === undefined ? {} : {
        "dfs.datanode.hostname": identity.advertisedAs ?? identity.name,
        ...(identity.ports === undefined ? {} : {
            "dfs.datanode.address": listen(identity.ports.data),
            "dfs.datanode.http.address": listen(identity.ports.http),
            "dfs.datanode.ipc.address": listen(identity.ports.ipc),
        }),
    }, wiring));
}

/**
 * yarn-site.xml; a nodemanager's names it (its DNS name, or its host's address across hosts) and
 * says what it offers, and with published ports, the ports it listens on (the same numbers).
 */
export function renderYarnSite(settings: HadoopClusterSettings, nodemanager?: NodemanagerIdentity): string {
    if (nodemanager === undefined) {
        return renderSiteXml(siteProperties("yarn", settings));
    }
    const name = nodemanager.advertisedAs ?? nodemanager.name;
    const ui = nodemanagerPort(nodemanager);
    return renderSiteXml(siteProperties("yarn", settings, {
        "yarn.nodemanager.hostname": name,
        // A fixed port: the node id is host:port, so a restarted nodemanager is the same node.
        "yarn.nodemanager.address": nodemanagerId(nodemanager),
        "yarn.nodemanager.resource.memory-mb": String(nodemanager.resources.memoryMb),
        "yarn.nodemanager.resource.cpu-vcores": String(nodemanager.resources.vcores),
        // Across hosts the UI listens at its published number: the node reports that address.
        ...(nodemanager.advertisedAs === undefined ? {} : {
            ...(ui === false ? {} : { "yarn.nodemanager.webapp.address": `${name}:${ui}` }),
            // Its default is ${yarn.nodemanager.hostname}:8040, now the host's address, where the
            // port is not published; the localizer is a process in the same container.
            "yarn.nodemanager.localizer.address": "127.0.0.1:8040",
        }),
        // The shuffle handler runs in the nodemanager and reads its port from the node's config.
        ...(nodemanager.ports === undefined ? {} : { "mapreduce.shuffle.port": String(nodemanager.ports.shuffle) }),
    }));
}

/**
 * mapred-site.xml; a nodemanager's with published ports keeps the application masters it runs in
 * its published port range, final so that the job's own job.xml (the client's defaults) cannot
 * put them back on any free port.
 */
export function renderMapredSite(settings: HadoopClusterSettings, nodemanager?: NodemanagerIdentity): string {
    const ports = nodemanager?.ports;
    const amRange = "yarn.app.mapreduce.am.job.client.port-range";
    return renderSiteXml(siteProperties("mapred", settings, ports === undefined ? {} : {
        "mapreduce.shuffle.port": String(ports.shuffle),
        [amRange]: applicationMasterPortRange(ports.applicationMasters),
    }), ports === undefined ? new Set() : new Set([amRange]));
}

/**
 * capacity-scheduler.xml: one queue with all the cluster. Without the file the CapacityScheduler
 * has no queue; with Hadoop's default 10% cap on application masters, a small cluster would
 * never start a second job's AM.
 */
export function renderCapacitySchedulerXml(): string {
    return renderSiteXml({
        "yarn.scheduler.capacity.root.queues": "default",
        "yarn.scheduler.capacity.root.default.capacity": "100",
        "yarn.scheduler.capacity.root.default.maximum-capacity": "100",
        "yarn.scheduler.capacity.maximum-am-resource-percent": "0.5",
    });
}

/** Every config file a role's container gets, at its path under the conf folder. */
export function renderConfigFiles(
    settings: HadoopClusterSettings,
    member: { datanode?: string | DatanodeIdentity; nodemanager?: NodemanagerIdentity } = {},
    wiring: HadoopWiring = oneHost,
) {
    const file = (name: string, content: string) => ({ path: `${hadoopPaths.conf}/${name}`, content });
    return [
        file("core-site.xml", renderCoreSite(settings)),
        file("hdfs-site.xml", renderHdfsSite(settings, member.datanode, wiring)),
        file("yarn-site.xml", renderYarnSite(settings, member.nodemanager)),
        file("mapred-site.xml", renderMapredSite(settings, member.nodemanager)),
        file("capacity-scheduler.xml", renderCapacitySchedulerXml()),
    ];
}

/**
 * The env images/hadoop's entrypoint and healthcheck read. `namenodeHttp`: where a role on
 * another host reaches the namenode's UI (its host's address and published port). `datanode`:
 * a datanode's identity, when it reports other than its name and Hadoop's transfer port.
 */
export function renderRoleEnv(role: HadoopRole, opts: {
    heapMb?: number; clusterId: string; user: { name: string; uid: number }; namenodeHttp?: string; datanode?: DatanodeIdentity;
    resourcemanagerHttp?: string; nodemanager?: NodemanagerIdentity;
}): Record<string, string> {
    const { datanode, nodemanager } = opts;
    return {
        ...(nodemanager !== undefined && (nodemanager.ports !== undefined || nodemanager.advertisedAs !== undefined)
            ? { NODEMANAGER_ID: nodemanagerId(nodemanager) } : {}),
        ...(datanode !== undefined && (datanode.ports !== undefined || datanode.advertisedAs !== undefined) ? { DATANODE_ID: datanodeId(datanode) } : {}),
        HADOOP_ROLE: role,
        ...(opts.heapMb === undefined ? {} : { HADOOP_HEAPSIZE_MAX: `${opts.heapMb}m` }),
        ...(role === "namenode" ? { HADOOP_CLUSTER_ID: opts.clusterId } : {}),
        ...(role === "client" ? { CLIENT_USER: opts.user.name, CLIENT_UID: String(opts.user.uid) } : {}),
        NAMENODE_HTTP: opts.namenodeHttp ?? `${roleHosts.namenode}:${hadoopPorts.namenodeHttp}`,
        RESOURCEMANAGER_HTTP: opts.resourcemanagerHttp ?? `${roleHosts.resourcemanager}:${hadoopPorts.resourcemanagerHttp}`,
    };
}

/**
 * Makes the seed's HDFS folders as the HDFS superuser once HDFS is writable (out of safe mode,
 * which needs the datanodes' block reports): /tmp 1777, the staging root and the history
 * folders, and the client user's home. One JVM (the safe-mode wait); the folders go through
 * WebHDFS with curl at `namenodeHttp` (host:port), since every `hdfs dfs` would start a JVM of
 * its own. Every step is idempotent, so it is safe to run again.
 */
export function renderHdfsBootstrapCommand(user: string, namenodeHttp: string): string[] {
    const { historyIntermediate, historyDone, staging } = hdfsPaths;
    // Job users write into the intermediate folder, so they must pass through its parent.
    const historyRoot = historyIntermediate.slice(0, historyIntermediate.lastIndexOf("/"));
    const put = (path: string, query: string) =>
        `curl -fsS -X PUT 'http://${namenodeHttp}/webhdfs/v1${path}?user.name=hadoop&${query}' >/dev/null`;
    const modes: [string, string][] = [
        ["/tmp", "1777"], [staging, "1777"], [historyRoot, "755"], [historyIntermediate, "1777"], [historyDone, "750"],
        [`/user/${user}`, "755"],
    ];
    const script = [
        "set -e",
        "timeout 300 hdfs dfsadmin -safemode wait",
        ...modes.flatMap(([path, mode]) => [put(path, "op=MKDIRS"), put(path, `op=SETPERMISSION&permission=${mode}`)]),
        put(`/user/${user}`, `op=SETOWNER&owner=${user}&group=${user}`),
        `echo HDFS folders ready: ${modes.map(([path, mode]) => `${path} ${mode}`).join(", ")}`,
    ].join("\n");
    return ["setpriv", "--reuid=hadoop", "--regid=hadoop", "--init-groups", "bash", "-c", script];
}

/** A shell on the client as the test user, with HADOOP_HOME, HADOOP_CONF_DIR and the commands on PATH. */
export function renderClientCommand(container: string, user: string): string {
    return `docker exec -it -u ${user} -w /home/${user} ${container} bash -l`;
}

/** A job to paste: the examples jar's pi estimator on YARN, from the client as the test user. */
export function renderExampleJobCommand(container: string, user: string): string {
    return `docker exec -u ${user} -w /home/${user} ${container} yarn jar ${hadoopPaths.examplesJar} pi 2 10`;
}
