import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import { ConfigProblem, parseOrThrow, renderProblems } from "../core/config";
import { Host } from "../core/host";
import { createDockerImage, shipClusterImage } from "../core/image";
import { dockerObjectName } from "../core/labels";
import { createDockerNetwork } from "../core/network";
import { createOneShot } from "../core/one-shot";
import { HostName, hostSet, HostUse, loopbackProblems, resolveHosts } from "../core/placement";
import { ImageSource } from "../core/schema";
import { containerNamesOf, Service, ServiceArgs, ServicePort } from "../core/service";
import { localBuildCaCertificates } from "./build-ca";
import { hadoopHostRefs, HadoopPlacement, hadoopPlacementProblems, placeHadoop } from "./placement";
import {
    DatanodeIdentity,
    datanodeId,
    NodemanagerIdentity,
    nodemanagerId,
    hadoopPaths,
    HadoopRole,
    heapMb,
    overriddenProperties,
    renderClientCommand,
    renderConfigFiles,
    renderDefaultFs,
    renderExampleJobCommand,
    renderHdfsBootstrapCommand,
    renderRoleEnv,
    roleHosts,
} from "./render";
import {
    HadoopClusterArgsInput,
    hadoopClusterArgsSchema,
    applicationMasterPortCount,
    HadoopClusterSettings,
    hadoopPorts,
    nodemanagerHeapMb,
    nodemanagerMemoryMb,
    nodemanagerPort,
} from "./schema";

export { hadoopClusterArgsSchema } from "./schema";

/** HadoopCluster's args: the validated settings (see the schema for each field's default) and where it runs. */
export interface HadoopClusterArgs extends HadoopClusterArgsInput {
    /** The Docker host every role runs on unless placed elsewhere. Default: the local engine, ports on 127.0.0.1. */
    host?: Host;
    /** Every host datanodes may be placed on by name (`datanodes[].host`, `datanodeHosts`). Default: only `host`. */
    hosts?: Record<string, Host>;
}

/** The parts of a HadoopCluster, as `createHadoopCluster` builds them. */
export interface HadoopClusterParts {
    network: docker.Network;
    zookeeper?: Service;
    namenode: Service;
    datanodes: Record<string, Service>;
    /** The seed's HDFS folders, made by a one-shot container once HDFS is writable. */
    hdfsBootstrap: docker.Container;
    resourcemanager: Service;
    nodemanagers: Record<string, Service>;
    historyserver: Service;
    client: Service;
    settings: HadoopClusterSettings;
    /** Each datanode's host, by name. */
    datanodeHosts: Record<string, Host>;
    /** Each datanode's address as the namenode hands it to clients (`address:port`), by name. */
    datanodeAddresses: Record<string, string>;
    /** Each nodemanager's host, by name. */
    nodemanagerHosts: Record<string, Host>;
    /** Each nodemanager's node id at the ResourceManager (`address:port`), by name. */
    nodemanagerIds: Record<string, string>;
}

/** Every Hadoop role's readiness test is the image's, chosen by HADOOP_ROLE; JVMs are slow starters. */
const hadoopHealthcheck = { test: ["/usr/local/bin/healthcheck"], startPeriodSeconds: 150, retries: 5 };

function port(name: string, internal: number, external: number | false): ServicePort {
    return { name, internal, external, scheme: "http" };
}

/** A local source folder must exist where the engine runs; on the local engine that is checkable here. */
function missingSource(settings: HadoopClusterSettings, host: Host): ConfigProblem[] {
    const local = host.dockerHost === undefined || host.dockerHost.startsWith("unix://");
    const source = settings.client.source;
    return local && source !== undefined && !fs.existsSync(source.hostPath) ? [{
        propertyPath: "client.source.hostPath",
        reason: `must exist on the local Docker host, got "${source.hostPath}", which does not`,
    }] : [];
}

/**
 * Where the cluster puts roles, for `loopbackProblems`: across hosts the namenode and the RM are
 * reached at the cluster host's address (--add-host), datanodes and nodemanagers at the address
 * their host advertises.
 */
function hostUses(settings: HadoopClusterSettings, placed: HadoopPlacement, home: Host, hostOf: (name: HostName) => Host): HostUse[] {
    return [
        { path: "host", on: home },
        ...settings.datanodes.map((dn, i) => ({ path: `datanodes[${i}]`, on: hostOf(placed.datanodes[dn.name]) })),
        ...settings.nodemanagers.map((nm, i) => ({ path: `nodemanagers[${i}]`, on: hostOf(placed.nodemanagers[nm.name]) })),
    ];
}

/** Memory of the one-shot container that makes the HDFS folders: one short JVM (the safe-mode wait) and curl. */
const hdfsFoldersMemoryMb = 512;

/**
 * images/hadoop is built with the machine's added CAs when it has any: its Maven stage fetches
 * from Maven Central over TLS, which an intercepting egress proxy re-signs. Built once, on the
 * cluster's host; other hosts get it shipped (`docker save | docker load`), not built again.
 */
export function hadoopImage(resourceName: string, source: ImageSource, host: Host, baseImage: string, parent: pulumi.Resource): docker.RemoteImage {
    const ca = "pinned" in source ? "" : localBuildCaCertificates(host);
    return createDockerImage(resourceName, source, { host, parent, baseImage, ...(ca === "" ? {} : { buildArgs: { EXTRA_CA_CERTIFICATES: ca } }) });
}

/**
 * Builds the cluster under `parent`, ordered by readiness only: datanodes once the namenode is
 * active; the HDFS folders once HDFS is out of safe mode; YARN and the history server once the
 * folders exist; the client once every role is ready.
 */
export function createHadoopCluster(name: string, args: HadoopClusterArgs, parent: pulumi.Resource): HadoopClusterParts {
    const { host: givenHost, hosts: givenHosts, ...rest } = args;
    const what = `HadoopCluster "${name}" args`;
    const settings = parseOrThrow(hadoopClusterArgsSchema, rest, what);
    const hosts = hostSet(givenHost ?? Host.local(), givenHosts);
    const host = hosts.home;
    const { problems: unknownHosts, hostOf } = resolveHosts(hosts, hadoopHostRefs(settings));
    const placed = placeHadoop(settings, host.name);
    const problems = [
        ...unknownHosts, ...hadoopPlacementProblems(settings, host.name), ...loopbackProblems(hostUses(settings, placed, host, hostOf)),
        ...overriddenProperties(settings), ...missingSource(settings, host),
    ];
    if (problems.length > 0) {
        throw new pulumi.InputPropertiesError({ message: renderProblems(`invalid ${what}:`, problems), errors: problems });
    }
    // Across hosts every datanode reports its host's address and published ports, and every
    // client connects to what a datanode reports (the address the namenode saw is NATed).
    const wiring = { acrossHosts: placed.spansHosts };
    const stack = pulumi.getStack();
    const homeImage = hadoopImage(`${name}-image`, settings.image, host, settings.baseImage, parent);
    const image = homeImage.name;
    const network = createDockerNetwork(`${name}-network`, { stack, cluster: name, host }, parent);
    // One network and one image per other host, named after it; the cluster's host keeps the one-host names.
    const remote = new Map<string, { network: docker.Network; image: pulumi.Output<string> }>();
    const onHost = (target: Host) => {
        if (target.name === host.name) {
            return { network, image };
        }
        let found = remote.get(target.name);
        if (found === undefined) {
            found = {
                network: createDockerNetwork(`${name}-network-${target.name}`, { stack, cluster: name, host: target }, parent),
                // By name, as at home: the shipment's output, so the containers there wait for it.
                image: shipClusterImage(`${name}-image-${target.name}`, homeImage, host, target, parent).name,
            };
            remote.set(target.name, found);
        }
        return found;
    };
    const clusterId = `CID-${stack}-${name}`;
    const user = settings.client.user;
    const scope = (role: string) => ({ stack, cluster: name, role });

    const role = (roleName: HadoopRole, instance: string, extra: Partial<ServiceArgs> & { heapMb?: number }) => {
        const { heapMb: heap, ...serviceArgs } = extra;
        return new Service(`${name}-${instance}`, {
            scope: scope(roleName),
            instance,
            host,
            image,
            network,
            env: renderRoleEnv(roleName, { heapMb: heap, clusterId, user }),
            files: renderConfigFiles(settings, {}, wiring),
            healthcheck: hadoopHealthcheck,
            ...serviceArgs,
        }, { parent });
    };

    let zookeeper: Service | undefined;
    if (settings.zookeeper.enabled) {
        zookeeper = new Service(`${name}-zookeeper`, {
            scope: scope("zookeeper"),
            host,
            network,
            image: createDockerImage(`${name}-zookeeper-image`, settings.zookeeper.image, { host, parent, baseImage: settings.baseImage }).name,
            env: { ZOO_4LW_COMMANDS_WHITELIST: "ruok,srvr,mntr", ZOO_MY_ID: "1", ZOO_HEAP: `${heapMb(settings.zookeeper.memoryMb)}m` },
            ports: [{ name: "client", internal: hadoopPorts.zookeeper, external: settings.zookeeper.port, scheme: "zk" }],
            volumes: [{ name: "data", containerPath: "/data" }],
            healthcheck: { test: ["/usr/local/bin/healthcheck"], startPeriodSeconds: 60 },
            memoryMb: settings.zookeeper.memoryMb,
        }, { parent });
    }

    const rpcPort = settings.namenode.rpcPort;
    const namenode = role("namenode", "namenode", {
        ports: [
            port("http", hadoopPorts.namenodeHttp, settings.namenode.port),
            // Published at the number it listens on: fs.defaultFS names it the same everywhere.
            ...(rpcPort === false ? [] : [{ name: "rpc", internal: rpcPort, external: rpcPort, scheme: "hdfs" }]),
        ],
        volumes: [{ name: "data", containerPath: "/data" }],
        memoryMb: settings.namenode.memoryMb,
        heapMb: heapMb(settings.namenode.memoryMb),
    });

    const datanodes: Record<string, Service> = {};
    const datanodeHosts: Record<string, Host> = {};
    const datanodeAddresses: Record<string, string> = {};
    for (const datanode of settings.datanodes) {
        const on = hostOf(placed.datanodes[datanode.name]);
        const there = onHost(on);
        const away = on.name !== host.name;
        const identity: DatanodeIdentity = {
            name: datanode.name,
            ...(datanode.ports === undefined ? {} : { ports: datanode.ports }),
            ...(wiring.acrossHosts ? { advertisedAs: on.advertiseAddress } : {}),
        };
        const published = datanode.ports === undefined ? [] : (["data", "http", "ipc"] as const)
            .map((key): ServicePort => ({ name: key, internal: datanode.ports![key], external: datanode.ports![key], scheme: key === "http" ? "http" : "hdfs" }));
        datanodeHosts[datanode.name] = on;
        datanodeAddresses[datanode.name] = datanodeId(identity);
        datanodes[datanode.name] = role("datanode", datanode.name, {
            host: on,
            image: there.image,
            network: there.network,
            env: renderRoleEnv("datanode", {
                heapMb: heapMb(datanode.memoryMb), clusterId, user, datanode: identity,
                // From another host: the namenode's UI at its host's address (its readiness check asks there).
                ...(away ? { namenodeHttp: `${host.advertiseAddress}:${settings.namenode.port}` } : {}),
            }),
            files: renderConfigFiles(settings, { datanode: identity }, wiring),
            ports: published,
            volumes: [{ name: "data", containerPath: "/data" }],
            memoryMb: datanode.memoryMb,
            // fs.defaultFS names the namenode: from another host, its host's address.
            ...(away ? { extraHosts: { [roleHosts.namenode]: host.advertiseAddress } } : {}),
            dependsOn: [namenode],
        });
    }

    // The seed's bootstrap step, as a one-shot container beside the namenode (its configs, so
    // `hdfs` finds it by name): once the datanodes have reported and HDFS left safe mode. A
    // namenode made anew (a new container, same volume) runs it again (its id is in the env); it
    // is idempotent.
    const hdfsBootstrap = createOneShot(`${name}-hdfs-folders`, {
        scope: scope("hdfs-folders"),
        host,
        image,
        network,
        command: renderHdfsBootstrapCommand(user.name, `${roleHosts.namenode}:${hadoopPorts.namenodeHttp}`),
        env: { HADOOP_HEAPSIZE_MAX: "128m", NAMENODE_CONTAINER: namenode.container.id },
        files: renderConfigFiles(settings, {}, wiring),
        memoryMb: hdfsFoldersMemoryMb,
        dependsOn: [namenode, ...Object.values(datanodes)],
    }, parent);

    const same = (portName: string, number: number | false, scheme = "tcp"): ServicePort[] =>
        number === false ? [] : [{ name: portName, internal: number, external: number, scheme }];
    const resourcemanager = role("resourcemanager", "resourcemanager", {
        ports: [
            port("http", hadoopPorts.resourcemanagerHttp, settings.resourcemanager.port),
            // Published at the numbers it listens on: yarn-site names them the same everywhere.
            ...same("tracker", settings.resourcemanager.trackerPort),
            ...same("scheduler", settings.resourcemanager.schedulerPort),
        ],
        memoryMb: settings.resourcemanager.memoryMb,
        heapMb: heapMb(settings.resourcemanager.memoryMb),
        dependsOn: [hdfsBootstrap, ...(zookeeper === undefined ? [] : [zookeeper])],
    });

    const nodemanagers: Record<string, Service> = {};
    const nodemanagerHosts: Record<string, Host> = {};
    const nodemanagerIds: Record<string, string> = {};
    for (const nm of settings.nodemanagers) {
        const on = hostOf(placed.nodemanagers[nm.name]);
        const there = onHost(on);
        const away = on.name !== host.name;
        const identity: NodemanagerIdentity = { ...nm, ...(placed.yarnSpansHosts ? { advertisedAs: on.advertiseAddress } : {}) };
        const ui = nodemanagerPort(nm);
        const amPorts = nm.ports === undefined ? [] : Array.from({ length: applicationMasterPortCount }, (_, k) => nm.ports!.applicationMasters + k);
        nodemanagerHosts[nm.name] = on;
        nodemanagerIds[nm.name] = nodemanagerId(identity);
        nodemanagers[nm.name] = role("nodemanager", nm.name, {
            host: on,
            image: there.image,
            network: there.network,
            env: renderRoleEnv("nodemanager", {
                heapMb: nodemanagerHeapMb, clusterId, user, nodemanager: identity,
                // From another host: the ResourceManager's REST API at its host's address (readiness asks there).
                ...(away ? { resourcemanagerHttp: `${host.advertiseAddress}:${settings.resourcemanager.port}` } : {}),
            }),
            files: renderConfigFiles(settings, { nodemanager: identity }, wiring),
            ports: [
                // Across hosts the UI listens at its published number (the node reports that address).
                port("http", placed.yarnSpansHosts && ui !== false ? ui : hadoopPorts.nodemanagerHttp, ui),
                ...(nm.ports === undefined ? [] : [...same("rpc", nm.ports.rpc), ...same("shuffle", nm.ports.shuffle, "http")]),
                ...amPorts.flatMap((amPort, k) => same(`am${k}`, amPort)),
            ],
            volumes: [{ name: "data", containerPath: "/data" }],
            memoryMb: nodemanagerMemoryMb(nm),
            // fs.defaultFS and yarn-site name the namenode and the ResourceManager: from another host, its host's address.
            ...(away ? { extraHosts: { [roleHosts.namenode]: host.advertiseAddress, [roleHosts.resourcemanager]: host.advertiseAddress } } : {}),
            dependsOn: [resourcemanager],
        });
    }

    const historyserver = role("historyserver", "historyserver", {
        ports: [port("http", hadoopPorts.historyserverHttp, settings.historyserver.port)],
        memoryMb: settings.historyserver.memoryMb,
        heapMb: heapMb(settings.historyserver.memoryMb),
        dependsOn: [hdfsBootstrap],
    });

    const source = settings.client.source;
    const client = role("client", "client", {
        binds: source === undefined ? [] : [{ hostPath: source.hostPath, containerPath: source.containerPath, readOnly: source.readOnly }],
        memoryMb: settings.client.memoryMb,
        // Ready for a user's first job when `up` returns: every daemon is.
        dependsOn: [resourcemanager, historyserver, ...Object.values(nodemanagers)],
    });

    return {
        network, zookeeper, namenode, datanodes, hdfsBootstrap, resourcemanager, nodemanagers, historyserver, client, settings,
        datanodeHosts, datanodeAddresses, nodemanagerHosts, nodemanagerIds,
    };
}

/**
 * A real Hadoop 3 cluster for testing client libraries, as pydoop's docker cluster meant it:
 * zookeeper, HDFS (namenode, datanodes), YARN (resourcemanager, nodemanagers), the MapReduce
 * JobHistory server and a client node, ordered by readiness instead of a bootstrap container.
 */
export class HadoopCluster extends pulumi.ComponentResource {
    /** The namenode UI (9870), on the host when published, else inside the cluster network. */
    public readonly namenodeUrl: pulumi.Output<string>;
    /** The ResourceManager UI and REST API (8088). */
    public readonly resourcemanagerUrl: pulumi.Output<string>;
    /** The MapReduce JobHistory UI and REST API (19888). */
    public readonly historyserverUrl: pulumi.Output<string>;
    /** Each nodemanager's UI (8042), by name. */
    public readonly nodemanagerUrls: pulumi.Output<Record<string, string>>;
    /** `fs.defaultFS`, as every node of the cluster (the client included) reaches HDFS. */
    public readonly defaultFs: pulumi.Output<string>;
    /** A shell on the client as the test user, with `hadoop`, `hdfs`, `yarn` and `mapred` on PATH. */
    public readonly clientCommand: pulumi.Output<string>;
    /** A MapReduce example job (pi) to paste: runs on YARN from the client. */
    public readonly exampleJobCommand: pulumi.Output<string>;
    /** The MapReduce examples jar on the client. */
    public readonly examplesJar: pulumi.Output<string>;
    /** The datanodes' and nodemanagers' names. */
    public readonly datanodeNames: pulumi.Output<string[]>;
    /** Each datanode's host (by the stack's host names) and the address the namenode hands clients for it. */
    public readonly datanodePlacement: pulumi.Output<Record<string, { host: string; address: string }>>;
    /** Each nodemanager's host (by the stack's host names) and its node id at the ResourceManager. */
    public readonly nodemanagerPlacement: pulumi.Output<Record<string, { host: string; nodeId: string }>>;
    public readonly nodemanagerNames: pulumi.Output<string[]>;
    /** The cluster's Docker network. */
    public readonly networkName: pulumi.Output<string>;
    /** Every role's container name, by role or member name. */
    public readonly containerNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: HadoopClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusterlab:hadoop:HadoopCluster", name, {}, opts);
        const parts = createHadoopCluster(name, args, this);
        const inside = (service: Service, internal: number) => `http://${service.dnsName}:${internal}`;
        const user = parts.settings.client.user.name;
        const clientContainer = dockerObjectName({ stack: pulumi.getStack(), cluster: name, role: "client" });

        this.namenodeUrl = pulumi.output(parts.namenode.urls.http ?? inside(parts.namenode, hadoopPorts.namenodeHttp));
        this.resourcemanagerUrl = pulumi.output(parts.resourcemanager.urls.http ?? inside(parts.resourcemanager, hadoopPorts.resourcemanagerHttp));
        this.historyserverUrl = pulumi.output(parts.historyserver.urls.http ?? inside(parts.historyserver, hadoopPorts.historyserverHttp));
        this.nodemanagerUrls = pulumi.output(Object.fromEntries(Object.entries(parts.nodemanagers)
            .map(([nm, service]) => [nm, service.urls.http ?? inside(service, hadoopPorts.nodemanagerHttp)])));
        this.defaultFs = pulumi.output(renderDefaultFs(parts.settings));
        this.clientCommand = pulumi.output(renderClientCommand(clientContainer, user));
        this.exampleJobCommand = pulumi.output(renderExampleJobCommand(clientContainer, user));
        this.examplesJar = pulumi.output(hadoopPaths.examplesJar);
        this.datanodeNames = pulumi.output(Object.keys(parts.datanodes));
        this.nodemanagerPlacement = pulumi.output(Object.fromEntries(parts.settings.nodemanagers.map((nm) => [nm.name, {
            host: parts.nodemanagerHosts[nm.name].name,
            nodeId: parts.nodemanagerIds[nm.name],
        }])));
        this.datanodePlacement = pulumi.output(Object.fromEntries(Object.keys(parts.datanodes)
            .map((dn) => [dn, { host: parts.datanodeHosts[dn].name, address: parts.datanodeAddresses[dn] }])));
        this.nodemanagerNames = pulumi.output(Object.keys(parts.nodemanagers));
        this.networkName = parts.network.name;
        const roles: Record<string, Service> = {
            ...(parts.zookeeper === undefined ? {} : { zookeeper: parts.zookeeper }),
            namenode: parts.namenode, resourcemanager: parts.resourcemanager, historyserver: parts.historyserver, client: parts.client,
            ...parts.datanodes, ...parts.nodemanagers,
        };
        this.containerNames = containerNamesOf(roles);
        this.registerOutputs({
            namenodeUrl: this.namenodeUrl,
            resourcemanagerUrl: this.resourcemanagerUrl,
            historyserverUrl: this.historyserverUrl,
            nodemanagerUrls: this.nodemanagerUrls,
            defaultFs: this.defaultFs,
            clientCommand: this.clientCommand,
            exampleJobCommand: this.exampleJobCommand,
            examplesJar: this.examplesJar,
            datanodeNames: this.datanodeNames,
            datanodePlacement: this.datanodePlacement,
            nodemanagerPlacement: this.nodemanagerPlacement,
            nodemanagerNames: this.nodemanagerNames,
            networkName: this.networkName,
            containerNames: this.containerNames,
        });
    }
}
