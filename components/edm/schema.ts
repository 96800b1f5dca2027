import { z } from "zod";
import { hostGroup, placeMembers, portClashes, PublishedPort, roleHost } from "../core/placement";
import { defaultBaseImage, dnsLabel, hostPort, imageSource, namedMembers } from "../core/schema";

const memoryMb = z.number().int().min(16, "must be at least 16 MB");
const port = z.number().int().min(1).max(65535);

/** A worker is a consul node too; the master's node is `master`. */
const reservedWorkerNames = ["master"];

export const edmMasterArgsSchema = z.strictObject({
    /** Base image for the builds of images/. Default `debian:bookworm-slim`. */
    baseImage: z.string().min(1).default(defaultBaseImage),
    /** The consul server's image. Default: a build of images/consul (Consul 1.16.3, MPL-2.0). */
    consulImage: imageSource.default({ build: "consul" }),
    /** The load balancer's image. Default: a build of images/edm-nginx (Debian's nginx 1.22). */
    nginxImage: imageSource.default({ build: "edm-nginx" }),
    /**
     * The git server's image: gogs' env contract (GOGS_*). Default: a build of images/gitea, Gitea
     * 1.26 (MIT, the community fork of gogs), since gogs itself cannot be had here (its README).
     */
    gogsImage: imageSource.default({ build: "gitea" }),
    ports: z.strictObject({
        /** Host port of the consul UI and HTTP API (8500), or `false`. Default 8500. */
        consul: hostPort.default(8500),
        /** Host port of the load balancer in front of the worker APIs (80), or `false`. Default 8080. */
        loadBalancer: hostPort.default(8080),
        /** Host port of gogs' web UI and HTTP git (3000), or `false`. Default 10080, as in the seed; workers on other hosts clone through it. */
        gogs: hostPort.default(10080),
        /**
         * Port of the consul server's serf LAN gossip (TCP and UDP), published with the same number
         * inside and out, or `false`. Publishing it makes every consul agent of the platform
         * advertise its host's address and published ports: what workers on other hosts need.
         * Default `false` (one host: agents gossip over the cluster network).
         */
        consulSerfLan: hostPort.default(false),
        /** Port of the consul server's RPC (8300 inside by default), published as is, or `false`; needed with `consulSerfLan`. Default `false`. */
        consulServerRpc: hostPort.default(false),
    }).prefault({}),
    /** The git server's admin account; its password is generated and kept as a secret. Default `edm` (gogs and Gitea reserve `admin`). */
    gogsAdminUser: z.string().regex(/^[a-z][a-z0-9_-]{1,30}$/, "must be a lowercase user name").refine((u) => u !== "admin", {
        error: "must not be admin, a name gogs and Gitea reserve",
    }).default("edm"),
    /** Memory limits in MB. Defaults: consul 256, nginx 64, gogs 512 (what images/gitea is tested with). */
    memoryMb: z.strictObject({
        consul: memoryMb.default(256),
        nginx: memoryMb.default(64),
        gogs: memoryMb.default(512),
    }).prefault({}),
}).superRefine((master, ctx) => {
    const { consulSerfLan, consulServerRpc } = master.ports;
    if ((consulSerfLan === false) !== (consulServerRpc === false)) {
        const [path, other] = consulSerfLan === false ? ["consulSerfLan", "consulServerRpc"] : ["consulServerRpc", "consulSerfLan"];
        ctx.addIssue({ code: "custom", path: ["ports", path], message: `must be a host port when ports.${other} is one: agents on other hosts need both` });
    }
});

/** True when the master publishes consul's gossip: every agent then advertises its host's address. Pure. */
export function advertisesAcrossHosts(master: EdmMasterSettings): boolean {
    return master.ports.consulSerfLan !== false && master.ports.consulServerRpc !== false;
}

export const edmWorkerArgsSchema = z.strictObject({
    /** The worker's stable name: its consul node, its containers' names, its upstream line. */
    name: dnsLabel.refine((name) => !reservedWorkerNames.includes(name), { error: "must not be master, the master's consul node" }),
    // Builds of images/ use the master's baseImage: the platform builds each image once.
    /** The worker API's image; point it at your own. Default: a build of images/edm-worker-api. */
    image: imageSource.default({ build: "edm-worker-api" }),
    /** The consul client's image. Default: a build of images/consul. */
    consulImage: imageSource.default({ build: "consul" }),
    /** registrator's image. Default: a build of images/registrator-standin (a stand-in: gliderlabs/registrator cannot be built here). */
    registratorImage: imageSource.default({ build: "registrator-standin" }),
    /** Host port of the worker API (8833). Default 8832 + N for a worker named `workerN`; others must set it. */
    apiPort: port.optional(),
    /** Host port of the worker's consul agent HTTP API (8500), which Pulumi registers the API through. Default 8510 + N for `workerN`. */
    consulPort: port.optional(),
    /**
     * Port of the worker's consul serf LAN gossip (TCP and UDP), published with the same number
     * inside and out when the master publishes its own (`master.ports.consulSerfLan`); distinct per
     * host. Default 8310 + N for `workerN`.
     */
    serfPort: port.optional(),
    /** Memory limit of the worker API (it runs docker-compose and builds), in MB. Default 256. */
    memoryMb: memoryMb.default(256),
});

export type EdmMasterArgsInput = z.input<typeof edmMasterArgsSchema>;
export type EdmMasterSettings = z.output<typeof edmMasterArgsSchema>;
export type EdmWorkerArgsInput = z.input<typeof edmWorkerArgsSchema>;
export type EdmWorkerSettings = z.output<typeof edmWorkerArgsSchema>;

/** The worker's host ports: as set, or by its number for `workerN`; undefined where neither. Pure. */
export function workerPorts(worker: { name: string; apiPort?: number; consulPort?: number; serfPort?: number }): { api?: number; consul?: number; serf?: number } {
    const n = /^worker([1-9][0-9]?)$/.exec(worker.name)?.[1];
    return {
        api: worker.apiPort ?? (n === undefined ? undefined : 8832 + Number(n)),
        consul: worker.consulPort ?? (n === undefined ? undefined : 8510 + Number(n)),
        serf: worker.serfPort ?? (n === undefined ? undefined : 8310 + Number(n)),
    };
}

/** Issues for ports that have no default (a worker not named workerN), at the worker's own paths. */
function checkWorkerPorts(worker: { name: string; apiPort?: number; consulPort?: number; serfPort?: number }, at: (string | number)[], ctx: z.RefinementCtx, serf = false) {
    const ports = workerPorts(worker);
    const wanted = [["apiPort", ports.api], ["consulPort", ports.consul], ...(serf ? [["serfPort", ports.serf] as const] : [])] as const;
    for (const [key, value] of wanted) {
        if (value === undefined) {
            ctx.addIssue({ code: "custom", path: [...at, key], message: `must be set: only a worker named workerN (N 1-99) has a default` });
        }
    }
}

/** A worker as a platform lists it: its args and the host it runs on. */
export const edmPlatformWorkerSchema = edmWorkerArgsSchema.extend({
    /** The host (under the stack's `clusterlab:hosts`) the worker runs on. Default: round-robin over `workerHosts`, else the platform's host. */
    host: roleHost,
});

/** One EdmWorker's own args, with its port defaults checked. */
export const edmWorkerSettingsSchema = edmWorkerArgsSchema.superRefine((worker, ctx) => checkWorkerPorts(worker, [], ctx));

/**
 * An EDM platform as a stack declares it: one master and named workers, each worker on the
 * platform's host or on a host of the stack (by name, or round-robin over `workerHosts`).
 * Published ports must differ per host and protocol; the schema checks them with the platform's
 * own host unnamed, and `edmPlacementProblems` again once its name is known.
 */
export const edmPlatformArgsSchema = z.strictObject({
    /** The master's settings. Default: all defaults. */
    master: edmMasterArgsSchema.prefault({}),
    /** A count of workers (worker1…N), or a list of named workers. Default 2. */
    workers: namedMembers(edmPlatformWorkerSchema, "worker").prefault(2),
    /** Hosts the workers without a `host` of their own go to, round-robin. Default: the platform's host. */
    workerHosts: hostGroup,
}).superRefine((platform, ctx) => {
    const advertise = advertisesAcrossHosts(platform.master);
    platform.workers.forEach((worker, i) => checkWorkerPorts(worker, ["workers", i], ctx, advertise));
    for (const clash of portClashes(edmPublishedPorts(platform))) {
        ctx.addIssue({ code: "custom", path: clash.path, message: clash.message });
    }
});

export type EdmPlatformSettings = z.output<typeof edmPlatformArgsSchema>;

/** Each worker's host by name (undefined = the platform's host). Pure. */
export function placeEdmWorkers(platform: Pick<EdmPlatformSettings, "workers" | "workerHosts">): Record<string, string | undefined> {
    return placeMembers(platform.workers, platform.workerHosts);
}

/**
 * Every port the platform publishes, with its host and protocol: the master's on `home`, each
 * worker's on its own host; the serf ports (TCP and UDP) only when the master publishes its own.
 */
export function edmPublishedPorts(platform: EdmPlatformSettings, home?: string): PublishedPort[] {
    const placed = placeEdmWorkers(platform);
    const master = platform.master.ports;
    const ports: PublishedPort[] = (["consul", "loadBalancer", "gogs", "consulServerRpc"] as const)
        .map((key) => ({ path: ["master", "ports", key], host: home, port: master[key] }));
    const advertise = advertisesAcrossHosts(platform.master);
    if (advertise) {
        ports.push({ path: ["master", "ports", "consulSerfLan"], host: home, port: master.consulSerfLan });
        ports.push({ path: ["master", "ports", "consulSerfLan"], host: home, port: master.consulSerfLan, protocol: "udp" });
    }
    platform.workers.forEach((worker, i) => {
        const host = placed[worker.name] ?? home;
        const own = workerPorts(worker);
        ports.push({ path: ["workers", i, "apiPort"], host, port: own.api });
        ports.push({ path: ["workers", i, "consulPort"], host, port: own.consul });
        if (advertise) {
            ports.push({ path: ["workers", i, "serfPort"], host, port: own.serf });
            ports.push({ path: ["workers", i, "serfPort"], host, port: own.serf, protocol: "udp" });
        }
    });
    return ports;
}

export type EdmPlatformArgsInput = z.input<typeof edmPlatformArgsSchema>;
