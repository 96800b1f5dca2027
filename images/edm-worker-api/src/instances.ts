import { promises as fs } from "fs";
import * as path from "path";
import { KvStore } from "./consul-kv";
import { badRequest, conflict, HttpError, notFound, upstreamFailed } from "./errors";
import { Runner } from "./runner";

/** Who this worker is, as other workers and callers reach it. */
export interface WorkerIdentity {
    /** The worker's name in the platform (`worker1`). */
    name: string;
    /** The address users reach this worker's published ports by: the instance endpoints use it. */
    advertiseAddress: string;
    /** This API's URL as other workers reach it, stored in KV so requests are forwarded here. */
    apiUrl: string;
}

export interface InstanceDeps {
    run: Runner;
    /** The HTTP status of a GET, or a rejection when nothing answers: how gogs is asked whether a repository exists. */
    httpStatus: (url: string) => Promise<number>;
    kv: KvStore;
    worker: WorkerIdentity;
    /** gogs as this worker reaches it: `http://gogs:3000`. */
    gogsUrl: string;
    /** Where instances' clones and states live (a volume, so a restart of the API forgets nothing). */
    dataDir: string;
    /** How long `start` waits for an instance's containers to run (and be healthy, where they say how). */
    readyTimeoutMs: number;
    /** How often `start` looks at the containers while waiting. */
    pollMs: number;
}

/** `cloned`: its build has not succeeded (yet); the others need a successful build. */
export type InstanceState = "cloned" | "built" | "running" | "stopped";

/** What the worker keeps about an instance it built. */
export interface InstanceRecord {
    id: string;
    repository: string;
    state: InstanceState;
    /** `service:port/proto` → `address:hostPort`, while running. */
    endpoints: Record<string, string>;
}

export const instanceIdPattern = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const repositoryPattern = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const composeFiles = ["docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml"];

/** The instance's KV keys; `ip` is the seed's key, the others let any worker forward to the owner. */
export function kvKeys(id: string) {
    const prefix = `instance/${id}`;
    return { prefix, ip: `${prefix}/ip`, worker: `${prefix}/worker`, api: `${prefix}/api`, endpoints: `${prefix}/endpoints` };
}

/** The compose file the worker lays over an instance's (beside its clone, not in it). */
const registrationFileName = "registration.compose.json";

/** The consul service name of an instance's compose service: `edm-<id>-<service>`. */
export function instanceServiceName(id: string, service: string): string {
    return `${composeProject(id)}-${service}`;
}

/**
 * The compose override that names every service of an instance for registrator, as JSON (which
 * compose reads as YAML). It declares the instance file's `version` where that file has one:
 * docker-compose 1.29 refuses files of different versions together.
 */
export function renderRegistrationOverride(id: string, services: string[], instanceComposeFile: string): string {
    const version = /^version:\s*["']?([0-9.]+)["']?\s*$/m.exec(instanceComposeFile)?.[1];
    const named = Object.fromEntries(services.map((service) => [service, { labels: { SERVICE_NAME: instanceServiceName(id, service) } }]));
    return `${JSON.stringify({ ...(version === undefined ? {} : { version }), services: named }, null, 2)}\n`;
}

/** The compose project of an instance; the `edm-` prefix is how network cleanup knows its own. */
export function composeProject(id: string): string {
    return `edm-${id}`;
}

export function checkInstanceId(id: string): void {
    if (!instanceIdPattern.test(id)) {
        throw badRequest(`instance id must be lowercase letters, digits and dashes (at most 40), got "${id}"`);
    }
}

/** The last lines of a command's output, enough to tell a user why it failed. */
function tail(text: string, lines = 15): string {
    return text.trim().split("\n").slice(-lines).join("\n");
}

interface ContainerView {
    service: string;
    running: boolean;
    exited: boolean;
    health?: string;
    ports: Record<string, { HostIp: string; HostPort: string }[] | null>;
}

/** The running state and published ports of containers, from `docker inspect`'s JSON. Pure. */
export function viewContainers(inspectJson: string): ContainerView[] {
    const parsed = JSON.parse(inspectJson) as {
        Config: { Labels: Record<string, string> | null };
        State: { Running: boolean; Status: string; Health?: { Status: string } };
        NetworkSettings: { Ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null };
    }[];
    return parsed.map((c) => ({
        service: c.Config.Labels?.["com.docker.compose.service"] ?? "?",
        running: c.State.Running,
        exited: c.State.Status === "exited" || c.State.Status === "dead",
        health: c.State.Health?.Status,
        ports: c.NetworkSettings.Ports ?? {},
    }));
}

/** Every published port as `service:port/proto` → `advertised:hostPort`: the seed's ip:port rewrite. */
export function endpointsOf(containers: ContainerView[], advertiseAddress: string): Record<string, string> {
    const endpoints: Record<string, string> = {};
    for (const container of containers) {
        for (const [port, bindings] of Object.entries(container.ports)) {
            const binding = (bindings ?? []).find((b) => b.HostPort !== "");
            if (binding !== undefined) {
                endpoints[`${container.service}:${port}`] = `${advertiseAddress}:${binding.HostPort}`;
            }
        }
    }
    return endpoints;
}

/** Ready when every container runs and each that has a healthcheck reports healthy. */
export function readiness(containers: ContainerView[]): "ready" | "waiting" | { failed: string } {
    const dead = containers.find((c) => c.exited || c.health === "unhealthy");
    if (dead !== undefined) {
        return { failed: `service ${dead.service} ${dead.exited ? "exited" : "is unhealthy"}` };
    }
    return containers.length > 0 && containers.every((c) => c.running && (c.health === undefined || c.health === "healthy")) ? "ready" : "waiting";
}

/** The seed's build_image / start_container / stop_container / delete_container, on one worker. */
export class Instances {
    private readonly busy = new Map<string, string>();

    constructor(private readonly deps: InstanceDeps) {}

    private dir(id: string) {
        return path.join(this.deps.dataDir, "instances", id);
    }

    private async composeFile(id: string): Promise<string> {
        for (const name of composeFiles) {
            const file = path.join(this.dir(id), "src", name);
            if (await fs.stat(file).then(() => true, () => false)) {
                return file;
            }
        }
        throw new HttpError(422, `instance ${id}: its repository has no compose file (${composeFiles.join(", ")})`);
    }

    /**
     * The compose file of ours laid over the instance's: it names each service for registrator
     * (`SERVICE_NAME`), which registers only containers so named (`-explicit`), so the worker's
     * consul lists the instances, each under its own name, and nothing else of the engine.
     * Written once per clone, from the services compose reads in the instance's file.
     */
    private async registrationFile(id: string, file: string): Promise<string> {
        const override = path.join(this.dir(id), registrationFileName);
        if (await fs.stat(override).then(() => true, () => false)) {
            return override;
        }
        const listed = await this.deps.run("docker-compose", ["--project-name", composeProject(id), "--file", file, "config", "--services"],
            { cwd: path.dirname(file) });
        if (listed.code !== 0) {
            throw new HttpError(422, `instance ${id}: its compose file is not valid:\n${tail(listed.stderr || listed.stdout)}`);
        }
        const services = listed.stdout.split("\n").map((line) => line.trim()).filter((line) => line !== "");
        await fs.writeFile(override, renderRegistrationOverride(id, services, await fs.readFile(file, "utf8")));
        return override;
    }

    private async compose(id: string, args: string[], what: string) {
        const file = await this.composeFile(id);
        const override = await this.registrationFile(id, file);
        const result = await this.deps.run("docker-compose", ["--project-name", composeProject(id), "--file", file, "--file", override, ...args],
            { cwd: path.dirname(file) });
        if (result.code !== 0) {
            throw new HttpError(422, `instance ${id}: ${what} failed:\n${tail(result.stderr || result.stdout)}`);
        }
        return result.stdout;
    }

    /** The record of an instance this worker built, or undefined. */
    async record(id: string): Promise<InstanceRecord | undefined> {
        checkInstanceId(id);
        try {
            return JSON.parse(await fs.readFile(path.join(this.dir(id), "instance.json"), "utf8")) as InstanceRecord;
        } catch {
            return undefined;
        }
    }

    private async save(record: InstanceRecord): Promise<InstanceRecord> {
        await fs.writeFile(path.join(this.dir(record.id), "instance.json"), `${JSON.stringify(record, null, 2)}\n`);
        return record;
    }

    /** An instance whose images were built: what start and stop need. */
    private async built(id: string): Promise<InstanceRecord> {
        const record = await this.known(id);
        if (record.state === "cloned") {
            throw conflict(`instance ${id} is not built: its last build failed or did not finish (POST /instances/${id}/build)`);
        }
        return record;
    }

    private async known(id: string): Promise<InstanceRecord> {
        const record = await this.record(id);
        if (record === undefined) {
            throw notFound(`unknown instance ${id}: no worker has built it (POST /instances/${id}/build first)`);
        }
        return record;
    }

    async list(): Promise<InstanceRecord[]> {
        const ids = await fs.readdir(path.join(this.deps.dataDir, "instances")).catch(() => [] as string[]);
        const records = await Promise.all(ids.filter((id) => instanceIdPattern.test(id)).map((id) => this.record(id)));
        return records.filter((r): r is InstanceRecord => r !== undefined);
    }

    /** One operation at a time per instance: a start while it builds is refused, not interleaved. */
    private async exclusively<T>(id: string, operation: string, work: () => Promise<T>): Promise<T> {
        const current = this.busy.get(id);
        if (current !== undefined) {
            throw conflict(`instance ${id} is busy: ${current} in progress`);
        }
        this.busy.set(id, operation);
        try {
            return await work();
        } finally {
            this.busy.delete(id);
        }
    }

    /** Clones the instance's repository from gogs, builds its images, and records this worker in KV. */
    build(id: string, repository: string) {
        checkInstanceId(id);
        if (!repositoryPattern.test(repository)) {
            throw badRequest(`"repository" must be "<owner>/<name>" of a gogs repository, got ${JSON.stringify(repository)}`);
        }
        return this.exclusively(id, "build", async () => {
            const started = Date.now();
            const gogs = this.deps.gogsUrl.replace(/\/$/, "");
            const url = `${gogs}/${repository}.git`;
            // Asked through gogs' API (Gitea's is the same): over git, a missing repository looks
            // like one that needs a password, since gogs will not say which.
            const status = await this.deps.httpStatus(`${gogs}/api/v1/repos/${repository}`).catch((error: Error) => {
                throw upstreamFailed(`gogs could not be reached at ${gogs}: ${error.message}`);
            });
            if (status === 404) {
                throw notFound(`repository ${repository} not found on gogs (${url})`);
            }
            if (status !== 200) {
                throw upstreamFailed(`gogs answered ${status} for repository ${repository}`);
            }
            const previous = await this.record(id);
            if (previous?.state === "running") {
                throw conflict(`instance ${id} is running: stop it before building it again`);
            }
            const dir = this.dir(id);
            await fs.rm(path.join(dir, "src"), { recursive: true, force: true });
            await fs.mkdir(dir, { recursive: true });
            const clone = await this.deps.run("git", ["clone", "--quiet", "--depth", "1", url, path.join(dir, "src")]);
            if (clone.code !== 0) {
                throw upstreamFailed(`clone of ${repository} failed: ${tail(clone.stderr, 3)}`);
            }
            await this.save({ id, repository, state: "cloned", endpoints: {} });
            await this.compose(id, ["build", "--quiet"], "docker-compose build");
            const record = await this.save({ id, repository, state: "built", endpoints: {} });
            const keys = kvKeys(id);
            const { worker } = this.deps;
            await this.deps.kv.put(keys.ip, worker.advertiseAddress);
            await this.deps.kv.put(keys.worker, worker.name);
            await this.deps.kv.put(keys.api, worker.apiUrl);
            return { ...record, worker: worker.name, ip: worker.advertiseAddress, buildMs: Date.now() - started };
        });
    }

    /** Runs the instance with compose and answers once its containers are ready, with their endpoints. */
    start(id: string) {
        return this.exclusively(id, "start", async () => {
            const started = Date.now();
            const record = await this.built(id);
            await this.compose(id, ["up", "--detach", "--no-build", "--remove-orphans"], "docker-compose up");
            const containers = await this.waitReady(id, started);
            const endpoints = endpointsOf(containers, this.deps.worker.advertiseAddress);
            await this.deps.kv.put(kvKeys(id).endpoints, JSON.stringify(endpoints));
            const saved = await this.save({ ...record, state: "running", endpoints });
            return { ...saved, worker: this.deps.worker.name, readyMs: Date.now() - started };
        });
    }

    private async waitReady(id: string, started: number): Promise<ContainerView[]> {
        for (;;) {
            const ids = (await this.compose(id, ["ps", "--quiet"], "docker-compose ps")).split("\n").filter((line) => line !== "");
            if (ids.length > 0) {
                const inspected = await this.deps.run("docker", ["inspect", ...ids]);
                if (inspected.code === 0) {
                    const containers = viewContainers(inspected.stdout);
                    const state = readiness(containers);
                    if (state === "ready") {
                        return containers;
                    }
                    if (typeof state === "object") {
                        throw new HttpError(422, `instance ${id} did not start: ${state.failed}`);
                    }
                }
            }
            if (Date.now() - started > this.deps.readyTimeoutMs) {
                throw new HttpError(504, `instance ${id} was not ready within ${this.deps.readyTimeoutMs / 1000}s`);
            }
            await new Promise((resolve) => setTimeout(resolve, this.deps.pollMs));
        }
    }

    /** Stops the instance: its containers and networks go, its images stay for the next start. */
    stop(id: string) {
        return this.exclusively(id, "stop", async () => {
            const record = await this.built(id);
            await this.compose(id, ["down", "--remove-orphans"], "docker-compose down");
            await this.deps.kv.deleteTree(kvKeys(id).endpoints);
            const saved = await this.save({ ...record, state: "stopped", endpoints: {} });
            return { ...saved, worker: this.deps.worker.name };
        });
    }

    /** Removes everything of the instance: containers, its built images, volumes, clone, KV entries, networks. */
    delete(id: string) {
        return this.exclusively(id, "delete", async () => {
            await this.known(id);
            await this.compose(id, ["down", "--rmi", "local", "--volumes", "--remove-orphans"], "docker-compose down");
            await fs.rm(this.dir(id), { recursive: true, force: true });
            await this.deps.kv.deleteTree(kvKeys(id).prefix);
            const networksRemoved = await this.pruneNetworks();
            return { id, deleted: true, worker: this.deps.worker.name, networksRemoved };
        });
    }

    /**
     * Removes unused networks of EDM instances (compose projects named `edm-…`): Docker's bridge
     * networks are limited (the seed hit 31). Other networks on the engine are not ours to prune.
     */
    async pruneNetworks(): Promise<string[]> {
        const listed = await this.deps.run("docker", ["network", "ls", "--filter", "label=com.docker.compose.project",
            "--format", "{{.Name}}\t{{.Label \"com.docker.compose.project\"}}"]);
        const ours = listed.stdout.split("\n").map((line) => line.split("\t")).filter(([name, project]) => name && project?.startsWith("edm-"));
        const removed: string[] = [];
        for (const [name] of ours) {
            // A network still in use by a running instance refuses removal; that is the filter.
            if ((await this.deps.run("docker", ["network", "rm", name])).code === 0) {
                removed.push(name);
            }
        }
        return removed;
    }
}
