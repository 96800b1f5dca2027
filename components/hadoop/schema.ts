import { z } from "zod";
import { hostGroup, placeMembers, portClashes, PublishedPort, roleHost } from "../core/placement";
import { defaultBaseImage, dnsLabel, hostPort, imageSource, namedMembers } from "../core/schema";
import { knownCoreProperties, knownHdfsProperties, knownMapredProperties, knownYarnProperties } from "./known-properties";

/** Roles a datanode or nodemanager may not be named after: they share the cluster's container and DNS names. */
export const hadoopRoles = ["zookeeper", "namenode", "resourcemanager", "historyserver", "client", "network"] as const;

/** Ports the daemons listen on inside the cluster network. */
export const hadoopPorts = {
    zookeeper: 2181,
    namenodeRpc: 8020,
    namenodeHttp: 9870,
    datanodeTransfer: 9866,
    datanodeHttp: 9864,
    datanodeIpc: 9867,
    resourcemanagerHttp: 8088,
    nodemanagerRpc: 45454,
    nodemanagerHttp: 8042,
    historyserverRpc: 10020,
    historyserverHttp: 19888,
} as const;

/** A container memory limit in MB: every role has one, so one runaway JVM cannot take the host. */
const memoryMb = (min: number) => z.number().int().min(min, `must be at least ${min} MB`);

const memberName = dnsLabel.refine((name) => !(hadoopRoles as readonly string[]).includes(name), {
    error: `must not be a role name (${hadoopRoles.join(", ")})`,
});

/** A port a role listens on inside its container at the same number it is published on its host. */
const samePort = z.number().int().min(1).max(65535);

/**
 * A datanode's ports, each listened on inside at the number published on its host: the namenode
 * hands clients the address a datanode reports, so the port inside must be the one outside.
 */
export const datanodePortsSchema = z.strictObject({
    /** Block transfer (dfs.datanode.address; 9866 by default in Hadoop): clients and other datanodes read and write blocks here. */
    data: samePort,
    /** The datanode's web UI and WebHDFS redirects (dfs.datanode.http.address; 9864 by default in Hadoop). */
    http: samePort,
    /** The datanode's IPC (dfs.datanode.ipc.address; 9867 by default in Hadoop): block recovery, a file's last block length. */
    ipc: samePort,
});

const datanodeSchema = z.strictObject({
    /** The datanode's stable name: its container, hostname, DNS alias and the name the namenode lists. */
    name: memberName,
    /** Memory limit of the datanode container, in MB (the JVM heap is 60% of it). Default 512. */
    memoryMb: memoryMb(256).default(512),
    /** The host (under the stack's hosts) this datanode runs on. Default: the next of `datanodeHosts`, else the cluster's host. */
    host: roleHost,
    /**
     * Host ports, the same inside: required of every datanode once the datanodes span hosts (then
     * each is reached by its host's advertised address). Default: none published, Hadoop's ports inside.
     */
    ports: datanodePortsSchema.optional(),
});

/** How many ports a nodemanager keeps for MapReduce application masters: two each (client service, task umbilical), so two at once. */
export const applicationMasterPortCount = 4;

/** A nodemanager's ports beside its UI, each listened on inside at the number published on its host. */
export const nodemanagerPortsSchema = z.strictObject({
    /** The container manager (yarn.nodemanager.address): application masters start containers here; it is the node's id. */
    rpc: samePort,
    /** MapReduce's shuffle (mapreduce.shuffle.port; 13562 by default in Hadoop): reducers fetch map output here. */
    shuffle: samePort,
    /**
     * The first of ${applicationMasterPortCount} ports for the MapReduce application masters this node runs
     * (yarn.app.mapreduce.am.job.client.port-range): the job client and the tasks reach an AM there.
     */
    applicationMasters: z.number().int().min(1).max(65535 - applicationMasterPortCount + 1),
});

const nodemanagerSchema = z.strictObject({
    /** The nodemanager's stable name: its container, hostname, DNS alias and YARN node id. */
    name: memberName,
    /** What the nodemanager offers YARN (yarn.nodemanager.resource.*). Default 1536 MB, 4 vcores. */
    resources: z.strictObject({
        /** Memory for YARN containers, in MB. Default 1536: an application master and two tasks. */
        memoryMb: z.number().int().min(256, "must be at least 256 MB").default(1536),
        /** Virtual cores for YARN containers. Default 4. */
        vcores: z.number().int().min(1).default(4),
    }, { error: (issue) => (issue.code === "unrecognized_keys" ? "expected memoryMb or vcores" : undefined) }).prefault({}),
    /** Memory limit of the container, in MB: the nodemanager's own JVM plus every YARN container it runs. Default: resources.memoryMb + 384. */
    memoryMb: memoryMb(256).optional(),
    /**
     * Host port of this nodemanager's UI (8042), or `false`. Once the nodemanagers span hosts it
     * is listened on inside at the same number (the ResourceManager links the address a node
     * reports). Default: 8042 + N - 1 for `nodemanagerN`, else `false`.
     */
    port: hostPort.optional(),
    /** The host (under the stack's hosts) this nodemanager runs on. Default: the next of `nodemanagerHosts`, else the cluster's host. */
    host: roleHost,
    /**
     * Host ports, the same inside: required of every nodemanager once the nodemanagers span hosts
     * (then each is reached by its host's advertised address). Default: none published.
     */
    ports: nodemanagerPortsSchema.optional(),
});

/** Heap of each nodemanager's own JVM, in MB; its container limit must leave this beside the YARN containers. */
export const nodemanagerHeapMb = 256;

const propertyValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const siteFiles = ["core", "hdfs", "yarn", "mapred"] as const;
export type SiteFile = (typeof siteFiles)[number];

const knownProperties: Record<SiteFile, ReadonlySet<string>> = {
    core: new Set(knownCoreProperties),
    hdfs: new Set(knownHdfsProperties),
    yarn: new Set(knownYarnProperties),
    mapred: new Set(knownMapredProperties),
};

/** Where a property Hadoop does know belongs, when it was put in another file's list. */
function homeOf(property: string): SiteFile | undefined {
    return siteFiles.find((file) => knownProperties[file].has(property));
}

/** Extra properties of one `<file>-site.xml`, checked against the names Hadoop's defaults document. */
function checkedProperties(file: SiteFile) {
    return z.record(z.string(), propertyValue).check((ctx) => {
        for (const key of Object.keys(ctx.value)) {
            if (knownProperties[file].has(key)) {
                continue;
            }
            const home = homeOf(key);
            ctx.issues.push({
                code: "custom", input: key, path: [key],
                message: home === undefined
                    ? `is not a property of ${file}-default.xml in Hadoop 3.4.2 (a misspelling?); ` +
                        "a property Hadoop reads but does not document goes under uncheckedProperties"
                    : `is a ${home}-site.xml property: set it under properties.${home}`,
            });
        }
    });
}

const siteProperties = (value: (file: SiteFile) => z.ZodType<Record<string, string>>) => z.strictObject({
    /** core-site.xml. */
    core: value("core").default({}),
    /** hdfs-site.xml. */
    hdfs: value("hdfs").default({}),
    /** yarn-site.xml. */
    yarn: value("yarn").default({}),
    /** mapred-site.xml. */
    mapred: value("mapred").default({}),
}).prefault({});

const sourceFolder = z.strictObject({
    /** A folder on the Docker host (the user's source tree), mounted into the client. */
    hostPath: z.string().regex(/^\//, "must be an absolute path"),
    /** Where it appears in the client. Default `/src`. */
    containerPath: z.string().regex(/^\//, "must be an absolute path").default("/src"),
    /** Mounted read-only. Default false: tests may write build output beside the source. */
    readOnly: z.boolean().default(false),
});

export const hadoopClusterArgsSchema = z.strictObject({
    /** Base image for the builds under images/. Default `debian:bookworm-slim`. */
    baseImage: z.string().min(1).default(defaultBaseImage),
    /** The image of every Hadoop role. Default: a build of images/hadoop (Hadoop 3.4.2's jars from Maven Central on Debian's Java 17). */
    image: imageSource.default({ build: "hadoop" }),
    zookeeper: z.strictObject({
        /** Run zookeeper, the ResourceManager's state store (applications survive an RM restart). Default true, as in the seed. */
        enabled: z.boolean().default(true),
        /** Default: a build of images/zookeeper (Debian's zookeeper package). */
        image: imageSource.default({ build: "zookeeper" }),
        /** Host port for the client port 2181, or `false`. Default `false`. */
        port: hostPort.default(false),
        /** Memory limit of the zookeeper container, in MB. Default 256. */
        memoryMb: memoryMb(128).default(256),
    }).prefault({}),
    /** dfs.replication: copies of each block. Default 1; at most the number of datanodes. */
    replication: z.number().int().min(1, "must be at least 1").default(1),
    namenode: z.strictObject({
        /** Host port of the namenode UI (9870), or `false`. Default 9870. */
        port: hostPort.default(9870),
        /**
         * Host port of the namenode's RPC (fs.defaultFS), or `false`. The namenode then listens on
         * this number inside too, so `hdfs://namenode:<port>` means the same on every host (other
         * hosts map `namenode` to the cluster host's address). Needed when datanodes run on other
         * hosts. Default `false`: 8020, inside the cluster network only.
         */
        rpcPort: hostPort.default(false),
        /** Memory limit of the namenode container, in MB (the JVM heap is 60% of it). Default 768. */
        memoryMb: memoryMb(256).default(768),
    }).prefault({}),
    /** A count of datanodes (datanode1…N), or a list of named datanodes. Default 1. */
    datanodes: namedMembers(datanodeSchema, "datanode").prefault(1),
    /** Hosts the datanodes without a `host` of their own are spread over, round-robin. Default: the cluster's host. */
    datanodeHosts: hostGroup,
    resourcemanager: z.strictObject({
        /** Host port of the ResourceManager UI and REST API (8088), or `false`. Default 8088. */
        port: hostPort.default(8088),
        /**
         * Host ports of the resource tracker (nodemanagers register; 8031) and the scheduler
         * (application masters ask for containers; 8030), or `false`. Listened on inside at the
         * same numbers, so `resourcemanager:<port>` means the same on every host. Needed when
         * nodemanagers run on other hosts. Default `false`: Hadoop's ports, inside the network only.
         */
        trackerPort: hostPort.default(false),
        schedulerPort: hostPort.default(false),
        /** Memory limit of the ResourceManager container, in MB. Default 768. */
        memoryMb: memoryMb(256).default(768),
    }).prefault({}),
    /** A count of nodemanagers (nodemanager1…N), or a list of named nodemanagers. Default 1. */
    nodemanagers: namedMembers(nodemanagerSchema, "nodemanager").prefault(1),
    /** Hosts the nodemanagers without a `host` of their own are spread over: only the cluster's host for now. Default: the cluster's host. */
    nodemanagerHosts: hostGroup,
    historyserver: z.strictObject({
        /** Host port of the MapReduce JobHistory UI and REST API (19888), or `false`. Default 19888. */
        port: hostPort.default(19888),
        /** Memory limit of the JobHistory server container, in MB. Default 512. */
        memoryMb: memoryMb(256).default(512),
    }).prefault({}),
    client: z.strictObject({
        /** The user tests run as on the client; HDFS gets `/user/<name>` owned by it. Default `user`, uid 1000. */
        user: z.strictObject({
            name: z.string().regex(/^[a-z_][a-z0-9_-]*$/, "must be a Unix user name")
                .refine((name) => name !== "hadoop" && name !== "root", "must not be hadoop or root (the daemons' users)").default("user"),
            uid: z.number().int().min(1000).max(60000).default(1000),
        }).prefault({}),
        /** A host folder mounted into the client, such as the client library's source tree (the seed's pydoop checkout). Default none. */
        source: sourceFolder.optional(),
        /** Memory limit of the client container, in MB: job clients and test runs. Default 1024. */
        memoryMb: memoryMb(256).default(1024),
    }).prefault({}),
    mapreduce: z.strictObject({
        /** Memory of a MapReduce application master's YARN container, in MB. Default 512. */
        amMemoryMb: z.number().int().min(256, "must be at least 256 MB").default(512),
        /** Memory of a map task's YARN container, in MB. Default 384. */
        mapMemoryMb: z.number().int().min(128, "must be at least 128 MB").default(384),
        /** Memory of a reduce task's YARN container, in MB. Default 384. */
        reduceMemoryMb: z.number().int().min(128, "must be at least 128 MB").default(384),
    }).prefault({}),
    /** Extra properties per site file, checked against the names Hadoop 3.4.2 documents. Default none. */
    properties: siteProperties(checkedProperties),
    /** Extra properties no default file documents (plugin settings, say); not checked. Default none. */
    uncheckedProperties: siteProperties(() => z.record(z.string().min(1), propertyValue)),
}).check((ctx) => {
    const { datanodes, replication } = ctx.value;
    if (Array.isArray(datanodes) && replication > datanodes.length) {
        ctx.issues.push({
            code: "custom", input: replication, path: ["replication"],
            message: `must be at most the number of datanodes (${datanodes.length}): HDFS could never place ${replication} copies of a block`,
        });
    }
}).check((ctx) => {
    const { nodemanagers, mapreduce } = ctx.value;
    if (!Array.isArray(nodemanagers) || !nodemanagers.every((nm) => nm?.resources !== undefined)) {
        return;
    }
    const largest = Math.max(...nodemanagers.map((nm) => nm.resources.memoryMb));
    for (const key of ["amMemoryMb", "mapMemoryMb", "reduceMemoryMb"] as const) {
        if (mapreduce[key] > largest) {
            ctx.issues.push({
                code: "custom", input: mapreduce[key], path: ["mapreduce", key],
                message: `must fit in a nodemanager: the largest offers resources.memoryMb ${largest}, so YARN would never start this container`,
            });
        }
    }
    nodemanagers.forEach((nm, i) => {
        if (nm.memoryMb !== undefined && nm.memoryMb < nm.resources.memoryMb + nodemanagerHeapMb) {
            ctx.issues.push({
                code: "custom", input: nm.memoryMb, path: ["nodemanagers", i, "memoryMb"],
                message: `must hold the nodemanager's own ${nodemanagerHeapMb} MB heap and the ${nm.resources.memoryMb} MB it offers YARN ` +
                    `(at least ${nm.resources.memoryMb + nodemanagerHeapMb})`,
            });
        }
    });
}).check((ctx) => {
    for (const clash of portClashes(publishedPorts(ctx.value))) {
        ctx.issues.push({ code: "custom", input: clash.port, path: clash.path, message: clash.message });
    }
});

/**
 * Every host port the settings publish, with the host it is published on (undefined: the
 * cluster's host, whose name the schema does not know; placement.ts checks again with it).
 */
export function publishedPorts(v: {
    zookeeper: { port: number | false }; namenode: { port: number | false; rpcPort: number | false };
    resourcemanager: { port: number | false; trackerPort: number | false; schedulerPort: number | false }; historyserver: { port: number | false };
    datanodes: unknown; datanodeHosts?: string[]; nodemanagers: unknown; nodemanagerHosts?: string[];
}): PublishedPort[] {
    const datanodes = Array.isArray(v.datanodes) ? v.datanodes as { name: string; host?: string; ports?: Record<string, number> }[] : [];
    const nodemanagers = Array.isArray(v.nodemanagers)
        ? v.nodemanagers as { name: string; host?: string; port?: number | false; ports?: { rpc: number; shuffle: number; applicationMasters: number } }[] : [];
    const datanodeHost = placeMembers(datanodes, v.datanodeHosts);
    const nodemanagerHost = placeMembers(nodemanagers, v.nodemanagerHosts);
    return [
        { path: ["zookeeper", "port"], host: undefined, port: v.zookeeper.port },
        { path: ["namenode", "port"], host: undefined, port: v.namenode.port },
        { path: ["namenode", "rpcPort"], host: undefined, port: v.namenode.rpcPort },
        { path: ["resourcemanager", "port"], host: undefined, port: v.resourcemanager.port },
        { path: ["resourcemanager", "trackerPort"], host: undefined, port: v.resourcemanager.trackerPort },
        { path: ["resourcemanager", "schedulerPort"], host: undefined, port: v.resourcemanager.schedulerPort },
        { path: ["historyserver", "port"], host: undefined, port: v.historyserver.port },
        ...nodemanagers.flatMap((nm, i): PublishedPort[] => [
            { path: ["nodemanagers", i, "port"], host: nodemanagerHost[nm.name], port: nodemanagerPort(nm) },
            { path: ["nodemanagers", i, "ports", "rpc"], host: nodemanagerHost[nm.name], port: nm.ports?.rpc },
            { path: ["nodemanagers", i, "ports", "shuffle"], host: nodemanagerHost[nm.name], port: nm.ports?.shuffle },
            ...Array.from({ length: applicationMasterPortCount }, (_, k): PublishedPort => ({
                path: ["nodemanagers", i, "ports", "applicationMasters"], host: nodemanagerHost[nm.name],
                port: nm.ports === undefined ? undefined : nm.ports.applicationMasters + k,
            })),
        ]),
        ...datanodes.flatMap((dn, i) => (["data", "http", "ipc"] as const).map((key): PublishedPort => ({
            path: ["datanodes", i, "ports", key], host: datanodeHost[dn.name], port: dn.ports?.[key],
        }))),
    ];
}

/**
 * A nodemanager's host port: the one given, or 8042 + N - 1 for `nodemanagerN`. Derived from
 * the name, not the position, so removing one nodemanager never moves another's port.
 */
export function nodemanagerPort(nm: { name: string; port?: number | false }): number | false {
    if (nm?.port !== undefined) {
        return nm.port;
    }
    const n = /^nodemanager([1-9][0-9]?)$/.exec(nm?.name ?? "")?.[1];
    return n === undefined ? false : hadoopPorts.nodemanagerHttp + Number(n) - 1;
}

/** A nodemanager's container memory limit: the one given, or what it offers YARN plus room for its own JVM. */
export function nodemanagerMemoryMb(nm: { memoryMb?: number; resources: { memoryMb: number } }): number {
    return nm.memoryMb ?? nm.resources.memoryMb + 384;
}

export type HadoopClusterArgsInput = z.input<typeof hadoopClusterArgsSchema>;
export type HadoopClusterSettings = z.output<typeof hadoopClusterArgsSchema>;
export type HadoopDatanodeSettings = HadoopClusterSettings["datanodes"][number];
export type HadoopNodemanagerSettings = HadoopClusterSettings["nodemanagers"][number];
