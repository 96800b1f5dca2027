import { z } from "zod";
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
        /** Host port of gogs' web UI and HTTP git (3000), or `false`. Default 10080, as in the seed. */
        gogs: hostPort.default(10080),
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
});

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
    /** Memory limit of the worker API (it runs docker-compose and builds), in MB. Default 256. */
    memoryMb: memoryMb.default(256),
});

export type EdmMasterArgsInput = z.input<typeof edmMasterArgsSchema>;
export type EdmMasterSettings = z.output<typeof edmMasterArgsSchema>;
export type EdmWorkerArgsInput = z.input<typeof edmWorkerArgsSchema>;
export type EdmWorkerSettings = z.output<typeof edmWorkerArgsSchema>;

/** The worker's host ports: as set, or by its number for `workerN`; undefined where neither. Pure. */
export function workerPorts(worker: { name: string; apiPort?: number; consulPort?: number }): { api?: number; consul?: number } {
    const n = /^worker([1-9][0-9]?)$/.exec(worker.name)?.[1];
    return {
        api: worker.apiPort ?? (n === undefined ? undefined : 8832 + Number(n)),
        consul: worker.consulPort ?? (n === undefined ? undefined : 8510 + Number(n)),
    };
}

/** Issues for ports that have no default (a worker not named workerN), at the worker's own paths. */
function checkWorkerPorts(worker: { name: string; apiPort?: number; consulPort?: number }, at: (string | number)[], ctx: z.RefinementCtx) {
    const ports = workerPorts(worker);
    for (const [key, value] of [["apiPort", ports.api], ["consulPort", ports.consul]] as const) {
        if (value === undefined) {
            ctx.addIssue({ code: "custom", path: [...at, key], message: `must be set: only a worker named workerN (N 1-99) has a default` });
        }
    }
}

/** One EdmWorker's own args, with its port defaults checked. */
export const edmWorkerSettingsSchema = edmWorkerArgsSchema.superRefine((worker, ctx) => checkWorkerPorts(worker, [], ctx));

/**
 * An EDM platform as a stack declares it: one master and named workers, all on the cluster's host.
 * Every published port must be distinct, since they share one host.
 */
export const edmPlatformArgsSchema = z.strictObject({
    /** The master's settings. Default: all defaults. */
    master: edmMasterArgsSchema.prefault({}),
    /** A count of workers (worker1…N), or a list of named workers. Default 2. */
    workers: namedMembers(edmWorkerArgsSchema, "worker").prefault(2),
}).superRefine((platform, ctx) => {
    const taken = new Map<number, string>();
    const claim = (value: number | false | undefined, owner: string, path: (string | number)[]) => {
        if (value === undefined || value === false) {
            return;
        }
        const holder = taken.get(value);
        if (holder !== undefined) {
            ctx.addIssue({ code: "custom", path, message: `must differ from ${holder}'s port ${value}: both publish on the same host` });
        }
        taken.set(value, owner);
    };
    for (const key of ["consul", "loadBalancer", "gogs"] as const) {
        claim(platform.master.ports[key], `master.ports.${key}`, ["master", "ports", key]);
    }
    platform.workers.forEach((worker, i) => {
        checkWorkerPorts(worker, ["workers", i], ctx);
        const ports = workerPorts(worker);
        claim(ports.api, `workers[${i}].apiPort`, ["workers", i, "apiPort"]);
        claim(ports.consul, `workers[${i}].consulPort`, ["workers", i, "consulPort"]);
    });
});

export type EdmPlatformArgsInput = z.input<typeof edmPlatformArgsSchema>;
