import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Host } from "../core/host";
import { createDockerImage } from "../core/image";
import { LabelScope } from "../core/labels";
import { ImageSource } from "../core/schema";
import { Service, ServicePort } from "../core/service";
import { mesosPorts, renderMasterEnv, renderZookeeperUrl } from "./render";

/**
 * The roles every Mesos-based cluster has (zookeeper, a master, agents), shared by MesosCluster
 * and AuroraWithCustomExecutor so both start them the same way and keep the same child names.
 */

/** Where a cluster's roles run and how they are labelled. */
export interface MesosRoleContext {
    /** The cluster's name: children are named `<cluster>-<role>`. */
    cluster: string;
    stack: string;
    host: Host;
    network: docker.Network;
    parent: pulumi.Resource;
}

const zookeeperHealthcheck = {
    // bash's /dev/tcp: no netcat needed, and it works in the official zookeeper image too.
    test: ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/2181 && echo ruok >&3 && grep -q imok <&3"],
    startPeriodSeconds: 60,
};

/** Ready = the role's `/health` answers on its port (Mesos' own endpoint, and the stand-ins'). */
export function httpHealthcheck(port: number, startPeriodSeconds?: number) {
    return { test: ["sh", "-c", `curl -fsS http://127.0.0.1:${port}/health`], startPeriodSeconds };
}

export function servicePort(name: string, internal: number, external: number | false, scheme: string): ServicePort {
    return { name, internal, external, scheme };
}

function scope(ctx: MesosRoleContext, role: string): LabelScope {
    return { stack: ctx.stack, cluster: ctx.cluster, role };
}

/**
 * One image resource per distinct source and host, so master and agents on the same stand-in
 * build it once per engine: on the cluster's host named `<cluster>-<role>-image` after the first
 * role that asks for it; on another host `<cluster>-agent-image-<host>`, then `-1`, `-2`… (only
 * agents are placed elsewhere). Each engine builds (or pulls) its own: a build of these images
 * takes seconds, and a copy from host to host would be a step of our own beside the provider.
 */
export function imageCache(cluster: string, home: Host, parent: pulumi.Resource, baseImage: string) {
    const images = new Map<string, Map<string, docker.RemoteImage>>();
    const imageOf = (role: string, source: ImageSource, on: Host = home): docker.RemoteImage => {
        let there = images.get(on.name);
        if (there === undefined) {
            there = new Map();
            images.set(on.name, there);
        }
        const key = JSON.stringify(source);
        let image = there.get(key);
        if (image === undefined) {
            const resourceName = on.name === home.name ? `${cluster}-${role}-image`
                : `${cluster}-agent-image-${on.name}${there.size === 0 ? "" : `-${there.size}`}`;
            image = createDockerImage(resourceName, source, { host: on, parent, baseImage });
            there.set(key, image);
        }
        return image;
    };
    // The readable name (`clusterlab/mesos-standin:<content hash>`), which `docker ps` shows; it
    // changes with the content, so a rebuilt image still replaces the containers that run it.
    return (role: string, source: ImageSource, on?: Host): pulumi.Output<string> => imageOf(role, source, on).name;
}

/** A cluster's images by source, as `imageCache` makes them. */
export type ImageCache = ReturnType<typeof imageCache>;

export interface ZookeeperSettings {
    port: number | false;
    memoryMb: number;
}

export function createZookeeper(ctx: MesosRoleContext, image: pulumi.Input<string>, settings: ZookeeperSettings): Service {
    return new Service(`${ctx.cluster}-zookeeper`, {
        network: ctx.network,
        host: ctx.host,
        scope: scope(ctx, "zookeeper"),
        image,
        env: { ZOO_4LW_COMMANDS_WHITELIST: "ruok,srvr,mntr", ZOO_MY_ID: "1" },
        ports: [servicePort("client", mesosPorts.zookeeper, settings.port, "zk")],
        volumes: [{ name: "data", containerPath: "/data" }],
        healthcheck: zookeeperHealthcheck,
        memoryMb: settings.memoryMb,
    }, { parent: ctx.parent });
}

export interface MasterSettings {
    port: number | false;
    memoryMb: number;
    quorum: number;
    registry: string;
    clusterName: string;
    /** Env added to the master's, such as its advertised address when agents run on other hosts. Default none. */
    extraEnv?: Record<string, string>;
}

/** The Mesos master, started once zookeeper is ready; it elects itself leader there. */
export function createMaster(ctx: MesosRoleContext, image: pulumi.Input<string>, settings: MasterSettings, zookeeper: Service): Service {
    return new Service(`${ctx.cluster}-master`, {
        network: ctx.network,
        host: ctx.host,
        scope: scope(ctx, "master"),
        image,
        env: {
            ...renderMasterEnv({
                zookeeperUrl: renderZookeeperUrl([zookeeper.dnsName]),
                quorum: settings.quorum,
                clusterName: settings.clusterName,
                registry: settings.registry,
                hostname: "master",
            }),
            ...settings.extraEnv,
        },
        ports: [servicePort("http", mesosPorts.master, settings.port, "http")],
        volumes: [{ name: "work", containerPath: "/var/lib/mesos" }],
        healthcheck: httpHealthcheck(mesosPorts.master),
        memoryMb: settings.memoryMb,
        dependsOn: [zookeeper],
    }, { parent: ctx.parent });
}

export interface AgentSettings {
    /** The agent's stable name: child `<cluster>-<name>`, container, hostname and alias. */
    name: string;
    env: Record<string, string>;
    port: number | false;
    memoryMb: number;
    /** Host paths mounted in, such as the Docker socket for the docker containerizer. */
    binds?: { hostPath: string; containerPath: string; readOnly: boolean }[];
}

/** One agent, started once the master is ready; healthy only once the master has registered it. */
export function createAgent(ctx: MesosRoleContext, image: pulumi.Input<string>, settings: AgentSettings, master: Service): Service {
    return new Service(`${ctx.cluster}-${settings.name}`, {
        network: ctx.network,
        host: ctx.host,
        scope: scope(ctx, "agent"),
        instance: settings.name,
        image,
        env: settings.env,
        ports: [servicePort("http", mesosPorts.agent, settings.port, "http")],
        volumes: [{ name: "work", containerPath: "/var/lib/mesos/agent" }],
        binds: settings.binds,
        healthcheck: httpHealthcheck(mesosPorts.agent),
        memoryMb: settings.memoryMb,
        dependsOn: [master],
    }, { parent: ctx.parent });
}
