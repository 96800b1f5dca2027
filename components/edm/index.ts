import * as pulumi from "@pulumi/pulumi";
import { parseOrThrow } from "../core/config";
import { DockerImage, DockerNetwork } from "../core/docker/resources";
import { Host } from "../core/host";
import { createClusterImage } from "../core/image";
import { createClusterNetwork } from "../core/network";
import { ImageSource } from "../core/schema";
import { GeneratedPassword } from "../core/secrets";
import { containerNamesOf, Service } from "../core/service";
import { ConsulAgentService } from "./consul-registration";
import { NginxConfigFile } from "./nginx-upstream";
import {
    Backend,
    masterRoles,
    registratorIgnore,
    renderConsulClientCommand,
    renderConsulServerCommand,
    renderRegistratorCommand,
    renderUpstream,
    renderWorkerApiRegistration,
    upstreamPath,
    workerApiPort,
    workerRoleNames,
} from "./render";
import { EdmMasterArgsInput, edmMasterArgsSchema, EdmWorkerArgsInput, edmWorkerSettingsSchema, workerPorts } from "./schema";

export { edmMasterArgsSchema, edmPlatformArgsSchema, edmWorkerArgsSchema } from "./schema";
export { renderUpstream } from "./render";
export type { Backend } from "./render";

const imageHealthcheck = { test: ["/usr/local/bin/healthcheck"], startPeriodSeconds: 60 };
const gogsPasswordFile = "/run/secrets/gogs-admin-password";

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
    /** The upstream file the load balancer runs with, once `balance` was called. */
    public upstream?: NginxConfigFile;

    /** What a worker needs to join: the engine, the network, the names of the master's roles. */
    public readonly platform: { stack: string; cluster: string; host: Host; network: DockerNetwork; consulJoin: string; gogsUrl: string; baseImage: string };
    private readonly nginx: Service;
    private readonly images = new Map<string, DockerImage>();

    constructor(name: string, args: EdmMasterArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("clusterlab:edm:EdmMaster", name, {}, opts);
        const { host: givenHost, ...rest } = args;
        const settings = parseOrThrow(edmMasterArgsSchema, rest, `EdmMaster "${name}" args`);
        const host = givenHost ?? Host.local();
        const stack = pulumi.getStack();
        const network = createClusterNetwork(`${name}-network`, { stack, cluster: name, host }, this);
        this.platform = { stack, cluster: name, host, network, consulJoin: masterRoles.consul, gogsUrl: `http://${masterRoles.gogs}:3000`, baseImage: settings.baseImage };
        const image = (_role: string, source: ImageSource) => this.image(source, host);
        const password = new GeneratedPassword(`${name}-gogs-admin-password`, {}, { parent: this });

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
            command: renderConsulServerCommand(),
            ports: [{ name: "ui", internal: 8500, external: settings.ports.consul, scheme: "http" }],
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
            files: [{ path: gogsPasswordFile, content: password.value, mode: 0o400 }],
            ports: [{ name: "http", internal: 3000, external: settings.ports.gogs, scheme: "http" }],
            volumes: [{ name: "data", containerPath: "/data" }],
            memoryMb: settings.memoryMb.gogs,
        });
        this.nginx = role("nginx", {
            image: image("nginx", settings.nginxImage),
            ports: [{ name: "lb", internal: 80, external: settings.ports.loadBalancer, scheme: "http" }],
            memoryMb: settings.memoryMb.nginx,
        });

        const url = (service: Service, port: string) => pulumi.output(service.urls[port] ?? "");
        this.consulUrl = url(consul, "ui");
        this.loadBalancerUrl = url(this.nginx, "lb");
        this.gogsUrl = url(gogs, "http");
        this.gogsAdminUser = pulumi.output(settings.gogsAdminUser);
        this.gogsAdminPassword = pulumi.secret(password.value);
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
     * it: one build of images/consul, not one per worker (each a Go build of several minutes).
     */
    image(source: ImageSource, host: Host): pulumi.Output<string> {
        const key = `${host.dockerHost ?? "local"} ${JSON.stringify(source)}`;
        let image = this.images.get(key);
        if (image === undefined) {
            const what = "build" in source ? source.build : source.pinned;
            const slug = what.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
            const onHost = host.dockerHost === this.platform.host.dockerHost ? "" : `-${host.name}`;
            image = createClusterImage(`${this.platform.cluster}-image-${slug}${onHost}`, source,
                { host, parent: this, baseImage: this.platform.baseImage });
            this.images.set(key, image);
        }
        return image.imageId;
    }

    /**
     * Puts the workers behind the load balancer: the upstream is rendered from them, written into
     * the running nginx and reloaded. Call it once with every worker; a worker added to or
     * removed from that list changes the file and reloads nginx, never restarts it.
     */
    balance(workers: readonly EdmWorker[]): NginxConfigFile {
        if (this.upstream !== undefined) {
            throw new Error(`EdmMaster.balance was already called: pass every worker in one call`);
        }
        const backends: Backend[] = workers.map((worker) => worker.backend);
        this.upstream = new NginxConfigFile(`${this.platform.cluster}-upstream`, {
            dockerHost: this.platform.host.dockerHost,
            container: this.nginx.containerName,
            path: upstreamPath,
            content: renderUpstream(backends),
            // nginx resolves the workers' names at reload: a worker API made anew has a new address.
            triggers: workers.map((worker) => worker.api.container.id),
        }, { parent: this, dependsOn: [this.nginx, ...workers] });
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

    constructor(name: string, args: EdmWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusterlab:edm:EdmWorker", name, {}, opts);
        const { master, host: givenHost, ...rest } = args;
        const settings = parseOrThrow(edmWorkerSettingsSchema, rest, `EdmWorker "${name}" args`);
        const platform = master.platform;
        const host = givenHost ?? platform.host;
        if (host.dockerHost !== platform.host.dockerHost) {
            // Another engine needs the master's consul (gossip over TCP and UDP) and nginx to reach
            // this host's published ports; core's ports are TCP only so far. Refused, not half-done.
            throw new pulumi.InputPropertiesError({
                message: `invalid EdmWorker "${name}" args:\n  host: must be the master's Docker engine (${platform.host.dockerHost ?? "local"}) ` +
                    `for now, got ${host.dockerHost ?? "local"}: workers on other engines are not supported yet`,
                errors: [{ propertyPath: "host", reason: "must be the master's Docker engine for now" }],
            });
        }
        const ports = workerPorts(settings) as { api: number; consul: number };
        const worker = settings.name;
        const names = workerRoleNames(worker);
        const scope = (role: string) => ({ stack: platform.stack, cluster: platform.cluster, role });
        const image = (_role: string, source: ImageSource) => master.image(source, host);

        const consul = new Service(`${name}-consul`, {
            scope: scope("consul-client"),
            instance: names.consul,
            host,
            image: image("consul", settings.consulImage),
            network: platform.network,
            command: renderConsulClientCommand(worker, platform.consulJoin),
            env: { ...registratorIgnore },
            ports: [{ name: "http", internal: 8500, external: ports.consul, scheme: "http" }],
            volumes: [{ name: "data", containerPath: "/consul/data" }],
            healthcheck: imageHealthcheck,
            memoryMb: 128,
        }, { parent: this });
        const registrator = new Service(`${name}-registrator`, {
            scope: scope("registrator"),
            instance: names.registrator,
            host,
            image: image("registrator", settings.registratorImage),
            network: platform.network,
            command: renderRegistratorCommand(host.advertiseAddress, names.consul),
            env: { ...registratorIgnore, DOCKER_HOST: "unix:///tmp/docker.sock" },
            binds: [{ hostPath: "/var/run/docker.sock", containerPath: "/tmp/docker.sock", readOnly: false }],
            memoryMb: 64,
            dependsOn: [consul],
        }, { parent: this });
        this.api = new Service(`${name}-api`, {
            scope: scope("worker-api"),
            instance: names.api,
            host,
            image: image("api", settings.image),
            network: platform.network,
            env: {
                ...registratorIgnore,
                WORKER_NAME: worker,
                // The seed's "worker ip": recorded at instance/<id>/ip and in the instances' endpoints.
                WORKER_IP: host.advertiseAddress,
                WORKER_API_URL: `http://${names.api}:${workerApiPort}`,
                CONSUL_HTTP_ADDR: `http://${names.consul}:8500`,
                GOGS_URL: platform.gogsUrl,
            },
            ports: [{ name: "api", internal: workerApiPort, external: ports.api, scheme: "http" }],
            volumes: [{ name: "data", containerPath: "/var/lib/edm" }],
            binds: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: false }],
            healthcheck: imageHealthcheck,
            memoryMb: settings.memoryMb,
            dependsOn: [consul],
        }, { parent: this });
        const registration = new ConsulAgentService(`${name}-api-registration`, {
            agentUrl: `http://${host.advertiseAddress}:${ports.consul}`,
            registration: renderWorkerApiRegistration(worker, host.advertiseAddress, ports.api),
            // A consul agent made anew has forgotten the registration; so register again.
            triggers: [consul.container.id],
            passingTimeoutSeconds: 60,
        }, { parent: this, dependsOn: [consul, this.api] });

        this.backend = { worker, address: names.api, port: workerApiPort };
        this.apiUrl = pulumi.output(this.api.urls.api);
        this.consulServiceId = registration.id;
        this.containerNames = containerNamesOf({ consul, registrator, api: this.api });
        this.registerOutputs({ apiUrl: this.apiUrl, consulServiceId: this.consulServiceId, containerNames: this.containerNames });
    }
}
