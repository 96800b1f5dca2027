// Pure functions: the EDM platform's config files, command lines and consul registrations.

/** The worker API's port inside its container, as the seed has it. */
export const workerApiPort = 8833;
/** Where the upstream file goes in the nginx container; the image's nginx.conf includes it. */
/** Where nginx includes its upstream from (`*.conf`), a volume shared with the step that writes it. */
export const upstreamFolder = "/etc/nginx/edm";
/** The upstream file `edm-apply-upstream` installs there. */
export const upstreamPath = `${upstreamFolder}/workers.conf`;
/** The name workers and the load balancer reach each master role by, on the platform's network. */
export const masterRoles = { consul: "consul", nginx: "nginx", gogs: "gogs" } as const;
/** The consul service name the worker APIs are registered under. */
export const workerApiService = "edm-worker-api";

/** One worker API behind the load balancer. */
export interface Backend {
    /** The worker's name, written beside its line so a reader sees which is which. */
    worker: string;
    /** Host name or address nginx reaches it at. */
    address: string;
    port: number;
}

/** The DNS names of a worker's containers on the platform's network. */
export function workerRoleNames(worker: string) {
    return { consul: `${worker}-consul`, registrator: `${worker}-registrator`, api: `${worker}-api` };
}

/**
 * The load balancer's upstream and server: round robin over every worker API, sorted by worker so
 * the file (and the diff) does not depend on the order workers were declared in.
 */
export function renderUpstream(backends: readonly Backend[]): string {
    if (backends.length === 0) {
        throw new Error("an upstream needs at least one worker");
    }
    const servers = [...backends].sort((a, b) => a.worker.localeCompare(b.worker))
        .map((b) => `        server ${b.address}:${b.port}; # ${b.worker}`);
    return [
        "# Rendered by clusterlab from the platform's workers; applied with nginx -s reload.",
        "upstream edm_workers {",
        ...servers,
        "}",
        "",
        "server {",
        "    listen 80;",
        "    location / {",
        "        proxy_pass http://edm_workers;",
        "        proxy_set_header Host $host;",
        "        proxy_set_header X-Real-IP $remote_addr;",
        "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "        # Builds and starts answer when done, which takes longer than nginx's 60 s default.",
        "        proxy_read_timeout 900s;",
        "        client_max_body_size 1m;",
        "    }",
        "}",
        "",
    ].join("\n");
}

/**
 * How a consul agent is reached by agents on other hosts: its host's address and the ports it
 * listens on, published with the same numbers (consul advertises the port it listens on).
 */
export interface ConsulAdvertise {
    address: string;
    serfLan: number;
    /** The server's RPC port; clients have none. */
    serverRpc?: number;
}

// Defined once in core (HadoopCluster asks the same of its hosts); EDM's callers import it from here.
export { isLoopbackAddress } from "../core/host";

/** `-advertise` and the ports it goes with, or nothing for agents that gossip over the cluster network. */
function advertiseFlags(advertise: ConsulAdvertise | undefined): string[] {
    if (advertise === undefined) {
        return [];
    }
    return [`-advertise=${advertise.address}`, `-serf-lan-port=${advertise.serfLan}`,
        ...(advertise.serverRpc === undefined ? [] : [`-server-port=${advertise.serverRpc}`])];
}

/**
 * The seed's consul server: one server that elects itself, with the UI, its data on a volume.
 * With `advertise`, other hosts' agents reach it at its host's address and published ports.
 */
export function renderConsulServerCommand(advertise?: ConsulAdvertise): string[] {
    return ["agent", "-server", "-bootstrap-expect=1", "-ui", "-node=master", "-client=0.0.0.0", "-data-dir=/consul/data", ...advertiseFlags(advertise)];
}

/**
 * A worker's consul client: joins the master again and again until it answers (the seed's
 * -retry-join); `join` is the server's alias, or `address:serfPort` across hosts.
 */
export function renderConsulClientCommand(worker: string, join: string, advertise?: ConsulAdvertise): string[] {
    return ["agent", `-node=${worker}`, `-retry-join=${join}`, "-client=0.0.0.0", "-data-dir=/consul/data", ...advertiseFlags(advertise)];
}

/**
 * registrator: the containers named for it (`SERVICE_NAME`: the worker API names every service of
 * the instances it starts) registered as `advertiseAddress:hostPort` in the worker's agent.
 * `-explicit`, because a worker's engine may be shared: without it, every container with a
 * published port there (other clusters' roles, under their image ids) filled EDM's catalog.
 */
export function renderRegistratorCommand(advertiseAddress: string, consulAgent: string): string[] {
    return ["-explicit", "-ip", advertiseAddress, `consul://${consulAgent}:8500`];
}

/** The worker API's registration in its own consul agent, with an HTTP health check the agent runs. */
export interface ServiceRegistration {
    ID: string;
    Name: string;
    Tags: string[];
    Address: string;
    Port: number;
    Meta: Record<string, string>;
    Check: { CheckID: string; Name: string; HTTP: string; Interval: string; Timeout: string };
}

export function renderWorkerApiRegistration(worker: string, advertiseAddress: string, apiPort: number): ServiceRegistration {
    const id = `${workerApiService}-${worker}`;
    return {
        ID: id,
        Name: workerApiService,
        Tags: ["edm", worker],
        Address: advertiseAddress,
        Port: apiPort,
        Meta: { worker },
        Check: {
            CheckID: `${id}-http`,
            Name: `${worker} API answers /health`,
            // The agent runs the check from its container, over the platform network.
            HTTP: `http://${workerRoleNames(worker).api}:${workerApiPort}/health`,
            Interval: "5s",
            Timeout: "3s",
        },
    };
}

/** Env that tells registrator to leave a platform container alone: only users' instances are registered. */
export const registratorIgnore = { SERVICE_IGNORE: "true" };
