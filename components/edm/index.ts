import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { parseOrThrow } from "../core/config";
import { Host } from "../core/host";
import { dockerObjectName, renderLabelList, renderLabels } from "../core/labels";
import { createOneShot } from "../core/one-shot";
import { createDockerImage, shipClusterImage } from "../core/image";
import { createDockerNetwork } from "../core/network";
import { ImageSource } from "../core/schema";
import { ClusterSecrets } from "../core/stack-secrets";
import { containerNamesOf, Service, ServicePort } from "../core/service";
import {
    Backend,
    ConsulAdvertise,
    isLoopbackAddress,
    masterRoles,
    registratorIgnore,
    renderConsulClientCommand,
    renderConsulServerCommand,
    renderRegistratorCommand,
    renderUpstream,
    renderWorkerApiRegistration,
    upstreamFolder,
    workerApiPort,
    workerRoleNames,
} from "./render";
import { advertisesAcrossHosts, EdmMasterArgsInput, edmMasterArgsSchema, EdmWorkerArgsInput, edmWorkerSettingsSchema, workerPorts } from "./schema";

export { edmMasterArgsSchema, edmPlatformArgsSchema, edmWorkerArgsSchema } from "./schema";
export { renderUpstream } from "./render";
export type { Backend } from "./render";

const imageHealthcheck = { test: ["/usr/local/bin/healthcheck"], startPeriodSeconds: 60 };
const gogsPasswordFile = "/run/secrets/gogs-admin-password";
/** The role of nginx's upstream: its volume and the one-shot step that fills it share it. */
const upstreamRole = "nginx-upstream";

/** EdmMaster's args: the validated settings (see the schema for each default) and where it runs. */
export interface EdmMasterArgs extends EdmMasterArgsInput {
    /** The Docker host the master's roles run on. Default: the local engine, ports on 127.0.0.1. */
    host?: Host;
}

/**
 * The EDM platform's master, as the seed set it up by hand: a consul server with its UI, an nginx
 * load balancer in front of every worker API, and gogs with its data on a volume, installed
 * without the web wizard, its admin password generated and kept as a secret. Workers join it
 * with `new EdmWorker(…, { master })`; `balance(workers)` then puts them behind the load balancer.
 */
export class EdmMaster extends pulumi.ComponentResource {
    /** The consul UI. */
    public readonly consulUrl: pulumi.Output<string>;
    /** The load balancer: the worker API of whichever worker it picks. */
    public readonly loadBalancerUrl: pulumi.Output<string>;
    /** gogs' web UI and HTTP git. */
    public readonly gogsUrl: pulumi.Output<string>;
    public readonly gogsAdminUser: pulumi.Output<string>;
    /** gogs' admin password, a secret. */
    public readonly gogsAdminPassword: pulumi.Output<string>;
    /** Every role's container name, by role. */
    public readonly containerNames: pulumi.Output<Record<string, string>>;
    public readonly networkName: pulumi.Output<string>;
    /** The step that installs the load balancer's upstream and has nginx reload it, once `balance` was called. */
    public upstream?: docker.Container;

    /** What a worker needs to join: the engine, the network, the names of the master's roles. */
    public readonly platform: {
        stack: string; cluster: string; host: Host; network: docker.Network; consulJoin: string; gogsUrl: string; baseImage: string;
        /** Set when the master publishes consul's gossip: agents then advertise their host's address, and join this. */
        advertise?: ConsulAdvertise;
        /** gogs at the master's advertised address and published port, for workers on other hosts; unset when unpublished. */
        remoteGogsUrl?: string;
    };
    private readonly nginx: Service;
    /** The folder nginx includes its upstream from, shared with the step that writes it. */
    private readonly upstreamVolume: docker.Volume;
    private readonly nginxImage: pulumi.Output<string>;
    private readonly images = new Map<string, { image: pulumi.Output<string>; built?: docker.RemoteImage }>();
    private readonly networks = new Map<string, docker.Network>();

    constructor(name: string, args: EdmMasterArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("clusterlab:edm:EdmMaster", name, {}, opts);
        const { host: givenHost, ...rest } = args;
        const settings = parseOrThrow(edmMasterArgsSchema, rest, `EdmMaster "${name}" args`);
        const host = givenHost ?? Host.local();
        const stack = pulumi.getStack();
        const { consulSerfLan, consulServerRpc } = settings.ports;
        const advertise: ConsulAdvertise | undefined = advertisesAcrossHosts(settings) && consulSerfLan !== false && consulServerRpc !== false
            ? { address: host.advertiseAddress, serfLan: consulSerfLan, serverRpc: consulServerRpc } : undefined;
        if (advertise !== undefined && isLoopbackAddress(host.advertiseAddress)) {
            throw new pulumi.InputPropertiesError({
                message: `invalid EdmMaster "${name}" args:\n  ports.consulSerfLan: agents would advertise ${host.describe()} at ` +
                    `${host.advertiseAddress}, a loopback address no container reaches: give the host a bindAddress or advertiseAddress other hosts reach`,
                errors: [{ propertyPath: "ports.consulSerfLan", reason: `the host's advertiseAddress ${host.advertiseAddress} is a loopback address` }],
            });
        }
        // Only once the args are known to be good: a bad one registers no resource at all.
        const network = createDockerNetwork(`${name}-network`, { stack, cluster: name, host }, this);
        this.platform = {
            stack, cluster: name, host, network, consulJoin: masterRoles.consul, gogsUrl: `http://${masterRoles.gogs}:3000`, baseImage: settings.baseImage,
            ...(advertise === undefined ? {} : { advertise }),
            ...(settings.ports.gogs === false ? {} : { remoteGogsUrl: `http://${host.advertiseAddress}:${settings.ports.gogs}` }),
        };
        this.networks.set(host.dockerHost ?? "local", network);
        const image = (_role: string, source: ImageSource) => this.image(source, host);
        // Derived from the stack's secret seed: the same on every run, no resource of its own.
        const password = new ClusterSecrets(name).password("gogs-admin-password");

        const role = (roleName: keyof typeof masterRoles, extra: Omit<ConstructorParameters<typeof Service>[1], "scope" | "host" | "network">) =>
            new Service(`${name}-${roleName}`, {
                scope: { stack, cluster: name, role: roleName },
                host,
                network,
                healthcheck: imageHealthcheck,
                ...extra,
                env: { ...registratorIgnore, ...extra.env },
            }, { parent: this });

        const consul = role("consul", {
            image: image("consul", settings.consulImage),
            command: renderConsulServerCommand(advertise),
            ports: [{ name: "ui", internal: 8500, external: settings.ports.consul, scheme: "http" }, ...consulAdvertisedPorts(advertise)],
            volumes: [{ name: "data", containerPath: "/consul/data" }],
            memoryMb: settings.memoryMb.consul,
        });
        const gogsExternalUrl = settings.ports.gogs === false ? `http://${masterRoles.gogs}:3000/` : `http://${host.advertiseAddress}:${settings.ports.gogs}/`;
        const gogs = role("gogs", {
            image: image("gogs", settings.gogsImage),
            env: {
                GOGS_EXTERNAL_URL: gogsExternalUrl,
                GOGS_HTTP_PORT: "3000",
                GOGS_ADMIN_USER: settings.gogsAdminUser,
                GOGS_ADMIN_PASSWORD_FILE: gogsPasswordFile,
            },
            // Read by the entrypoint as root, before it drops to the git user.
            files: [{ path: gogsPasswordFile, content: password, mode: 0o400 }],
            ports: [{ name: "http", internal: 3000, external: settings.ports.gogs, scheme: "http" }],
            volumes: [{ name: "data", containerPath: "/data" }],
            memoryMb: settings.memoryMb.gogs,
        });
        const upstreamScope = { stack, cluster: name, role: upstreamRole };
        this.upstreamVolume = new docker.Volume(`${name}-nginx-upstream`, {
            name: dockerObjectName(upstreamScope),
            labels: renderLabelList(renderLabels(upstreamScope)),
        }, { parent: this, provider: host.provider });
        this.nginxImage = image("nginx", settings.nginxImage);
        this.nginx = role("nginx", {
            image: this.nginxImage,
            ports: [{ name: "lb", internal: 80, external: settings.ports.loadBalancer, scheme: "http" }],
            sharedVolumes: [{ volume: this.upstreamVolume, containerPath: upstreamFolder }],
            memoryMb: settings.memoryMb.nginx,
        });

        const url = (service: Service, port: string) => pulumi.output(service.urls[port] ?? "");
        this.consulUrl = url(consul, "ui");
        this.loadBalancerUrl = url(this.nginx, "lb");
        this.gogsUrl = url(gogs, "http");
        this.gogsAdminUser = pulumi.output(settings.gogsAdminUser);
        this.gogsAdminPassword = password;
        this.containerNames = containerNamesOf({ consul, gogs, nginx: this.nginx });
        this.networkName = network.name;
        this.registerOutputs({
            consulUrl: this.consulUrl,
            loadBalancerUrl: this.loadBalancerUrl,
            gogsUrl: this.gogsUrl,
            gogsAdminUser: this.gogsAdminUser,
            gogsAdminPassword: this.gogsAdminPassword,
            containerNames: this.containerNames,
            networkName: this.networkName,
        });
    }

    /**
     * The platform's image of a source on a host, made once however many roles and workers run
     * it: one build of images/consul, not one per worker (each a Go build of several minutes). On
     * another host than the master's, the image made on the master's engine is shipped there
     * (`docker save | docker load`), never built there again.
     */
    image(source: ImageSource, host: Host): pulumi.Output<string> {
        const home = this.platform.host;
        const key = `${host.dockerHost ?? "local"} ${JSON.stringify(source)}`;
        let made = this.images.get(key);
        if (made === undefined) {
            const what = "build" in source ? source.build : source.pinned;
            const slug = what.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
            if (host.dockerHost === home.dockerHost) {
                const built = createDockerImage(`${this.platform.cluster}-image-${slug}`, source,
                    { host, parent: this, baseImage: this.platform.baseImage });
                made = { image: built.name, built };
            } else {
                this.image(source, home);
                const built = this.images.get(`${home.dockerHost ?? "local"} ${JSON.stringify(source)}`)!.built!;
                // By name, as at home: the shipment's output, so the containers there wait for it.
                made = { image: shipClusterImage(`${this.platform.cluster}-image-${slug}-${host.name}`, built, home, host, this).name };
            }
            this.images.set(key, made);
        }
        return made.image;
    }

    /** The platform's network on a host: the master's own, or one per other host, all named `<stack>-<cluster>`. */
    networkOn(host: Host): docker.Network {
        const key = host.dockerHost ?? "local";
        let network = this.networks.get(key);
        if (network === undefined) {
            network = createDockerNetwork(`${this.platform.cluster}-network-${host.name}`,
                { stack: this.platform.stack, cluster: this.platform.cluster, host }, this);
            this.networks.set(key, network);
        }
        return network;
    }

    /**
     * Puts the workers behind the load balancer: the upstream is rendered from them and installed
     * by a one-shot container of the nginx image (`edm-apply-upstream`: `nginx -t`, then a reload
     * the nginx container's watcher does). Call it once with every worker; a worker added to or
     * removed from that list runs the step again and reloads nginx, never restarts it.
     */
    balance(workers: readonly EdmWorker[]): docker.Container {
        if (this.upstream !== undefined) {
            throw new Error(`EdmMaster.balance was already called: pass every worker in one call`);
        }
        const backends: Backend[] = workers.map((worker) => worker.backend);
        const { stack, cluster, host, network } = this.platform;
        const staged = "/run/edm/workers.conf";
        this.upstream = createOneShot(`${cluster}-upstream`, {
            scope: { stack, cluster, role: upstreamRole },
            host,
            image: this.nginxImage,
            // On the platform network: `nginx -t` resolves the workers' names as nginx will.
            network,
            command: ["/usr/local/bin/edm-apply-upstream", staged],
            files: [{ path: staged, content: renderUpstream(backends) }],
            volumes: [{ volume: this.upstreamVolume, containerPath: upstreamFolder }],
            // nginx resolves the workers' names at reload: a worker API made anew has a new
            // address, so the step runs again for it; and for an nginx made anew, which must
            // answer this step's reload request itself.
            env: {
                ...registratorIgnore,
                NGINX_CONTAINER: this.nginx.container.id,
                WORKER_API_CONTAINERS: pulumi.all(workers.map((worker) => worker.api.container.id)).apply((ids) => ids.join(",")),
            },
            memoryMb: 64,
            dependsOn: [this.nginx, ...workers],
        }, this);
        return this.upstream;
    }
}

/** EdmWorker's args: the validated settings (see the schema for each default), its master and its host. */
export interface EdmWorkerArgs extends EdmWorkerArgsInput {
    /** The master this worker joins. */
    master: EdmMaster;
    /** The Docker host the worker runs on. Default: the master's host. */
    host?: Host;
}

/**
 * One EDM worker, as the seed's worker servers: a consul client that retry-joins the master,
 * registrator with `-ip` set to the worker's advertised address, and the worker API on 8833,
 * registered in its consul agent with an HTTP health check.
 */
export class EdmWorker extends pulumi.ComponentResource {
    /** The worker API as users reach it (and as consul lists it). */
    public readonly apiUrl: pulumi.Output<string>;
    /** The consul service id of this worker's API. */
    public readonly consulServiceId: pulumi.Output<string>;
    /** Every role's container name, by role. */
    public readonly containerNames: pulumi.Output<Record<string, string>>;
    /** This worker's line in the load balancer's upstream. */
    public readonly backend: Backend;
    public readonly api: Service;
    /** The name of the host the worker runs on. */
    public readonly hostName: string;

    constructor(name: string, args: EdmWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusterlab:edm:EdmWorker", name, {}, opts);
        const { master, host: givenHost, ...rest } = args;
        const settings = parseOrThrow(edmWorkerSettingsSchema, rest, `EdmWorker "${name}" args`);
        const platform = master.platform;
        const host = givenHost ?? platform.host;
        const remote = host.dockerHost !== platform.host.dockerHost;
        const advertise = platform.advertise;
        const refuse = (propertyPath: string, reason: string) => new pulumi.InputPropertiesError({
            message: `invalid EdmWorker "${name}" args:\n  ${propertyPath}: ${reason}`,
            errors: [{ propertyPath, reason }],
        });
        if (remote && advertise === undefined) {
            throw refuse("host", `runs on ${host.describe()}, not the master's engine: the master must publish consul's gossip ` +
                `(ports.consulSerfLan and ports.consulServerRpc) for it to join`);
        }
        if (remote && platform.remoteGogsUrl === undefined) {
            throw refuse("host", `runs on ${host.describe()}, not the master's engine: the master must publish gogs (ports.gogs) for it to clone from`);
        }
        const ports = workerPorts(settings) as { api: number; consul: number; serf?: number };
        if (advertise !== undefined && ports.serf === undefined) {
            throw refuse("serfPort", "must be set: the platform's agents advertise their hosts' addresses, and only a worker named workerN (N 1-99) has a default");
        }
        const worker = settings.name;
        const names = workerRoleNames(worker);
        const scope = (role: string) => ({ stack: platform.stack, cluster: platform.cluster, role });
        const image = (_role: string, source: ImageSource) => master.image(source, host);
        const network = master.networkOn(host);
        // Across hosts, every agent gossips at its host's address and published serf port (the
        // master's and the other workers' agents reach it there); on one host, over the network.
        if (advertise !== undefined && isLoopbackAddress(host.advertiseAddress)) {
            throw refuse("host", `${host.describe()} is advertised at ${host.advertiseAddress}, a loopback address the other hosts' agents cannot reach`);
        }
        const ownAdvertise: ConsulAdvertise | undefined = advertise === undefined ? undefined : { address: host.advertiseAddress, serfLan: ports.serf! };
        const join = advertise === undefined || !remote ? platform.consulJoin : `${advertise.address}:${advertise.serfLan}`;

        const consul = new Service(`${name}-consul`, {
            scope: scope("consul-client"),
            instance: names.consul,
            host,
            image: image("consul", settings.consulImage),
            network,
            command: renderConsulClientCommand(worker, join, ownAdvertise),
            env: { ...registratorIgnore },
            ports: [{ name: "http", internal: 8500, external: ports.consul, scheme: "http" }, ...consulAdvertisedPorts(ownAdvertise)],
            volumes: [{ name: "data", containerPath: "/consul/data" }],
            healthcheck: imageHealthcheck,
            memoryMb: 128,
        }, { parent: this });
        // The engine's socket on THIS host's filesystem: a role bound to another engine's socket
        // would build and run the instances on the wrong host.
        const socket = host.socketPath;
        const registrator = new Service(`${name}-registrator`, {
            scope: scope("registrator"),
            instance: names.registrator,
            host,
            image: image("registrator", settings.registratorImage),
            network,
            command: renderRegistratorCommand(host.advertiseAddress, names.consul),
            env: { ...registratorIgnore, DOCKER_HOST: "unix:///tmp/docker.sock" },
            binds: [{ hostPath: socket, containerPath: "/tmp/docker.sock", readOnly: false }],
            memoryMb: 64,
            dependsOn: [consul],
        }, { parent: this });
        // The API registers itself in its consul agent once it serves, keeps the registration
        // (an agent made anew has forgotten it) and deregisters on SIGTERM: no step of Pulumi's.
        const registration = renderWorkerApiRegistration(worker, host.advertiseAddress, ports.api);
        this.api = new Service(`${name}-api`, {
            scope: scope("worker-api"),
            instance: names.api,
            host,
            image: image("api", settings.image),
            network,
            env: {
                ...registratorIgnore,
                WORKER_NAME: worker,
                // The seed's "worker ip": recorded at instance/<id>/ip and in the instances' endpoints.
                WORKER_IP: host.advertiseAddress,
                // Stored in KV for other workers to forward an instance's calls here: across hosts,
                // the advertised address and published port; on one host, the alias.
                WORKER_API_URL: advertise === undefined ? `http://${names.api}:${workerApiPort}` : `http://${host.advertiseAddress}:${ports.api}`,
                CONSUL_HTTP_ADDR: `http://${names.consul}:8500`,
                CONSUL_SERVICE: JSON.stringify(registration),
                // gogs by its alias beside the master; from another host, at the master's address.
                GOGS_URL: remote ? platform.remoteGogsUrl! : platform.gogsUrl,
            },
            ports: [{ name: "api", internal: workerApiPort, external: ports.api, scheme: "http" }],
            volumes: [{ name: "data", containerPath: "/var/lib/edm" }],
            binds: [{ hostPath: socket, containerPath: "/var/run/docker.sock", readOnly: false }],
            healthcheck: imageHealthcheck,
            memoryMb: settings.memoryMb,
            dependsOn: [consul],
        }, { parent: this });

        // nginx reaches a worker beside it by its alias, one on another host at its published port.
        this.backend = remote ? { worker, address: host.advertiseAddress, port: ports.api } : { worker, address: names.api, port: workerApiPort };
        this.hostName = host.name;
        this.apiUrl = pulumi.output(this.api.urls.api);
        this.consulServiceId = pulumi.output(registration.ID);
        this.containerNames = containerNamesOf({ consul, registrator, api: this.api });
        this.registerOutputs({ apiUrl: this.apiUrl, consulServiceId: this.consulServiceId, containerNames: this.containerNames });
    }
}

/** The serf LAN port (TCP and UDP) and, on the server, the RPC port, published with their own numbers. */
function consulAdvertisedPorts(advertise: ConsulAdvertise | undefined): ServicePort[] {
    if (advertise === undefined) {
        return [];
    }
    return [
        { name: "serf-lan", internal: advertise.serfLan, external: advertise.serfLan, scheme: "tcp" },
        { name: "serf-lan-udp", internal: advertise.serfLan, external: advertise.serfLan, scheme: "udp", protocol: "udp" },
        ...(advertise.serverRpc === undefined ? [] : [{ name: "server-rpc", internal: advertise.serverRpc, external: advertise.serverRpc, scheme: "tcp" }]),
    ];
}
