import * as pulumi from "@pulumi/pulumi";
import { shimProvider } from "../provider-shim";
import { changedKeys, EngineSsh, EngineTls, engineEnv, inspect, labelFlags, removeIfPresent, runDocker } from "./cli";
import { TarFile, ustarArchive } from "./tar";
import { removeNetwork } from "./network-removal";

// clusterlab's own Docker resources, as Pulumi dynamic resources over the docker CLI.
// Why not @pulumi/docker: its plugin (pulumi-resource-docker) cannot be downloaded on this
// project's machines, and the Go module proxy refuses the pulumi-docker provider modules, so it
// cannot be built either (docs/toolchain.md). These resources go through the same engine API
// the CLI uses, honour DOCKER_HOST (unix://, ssh://, tcp://) per host, and replace rather than
// update, as the Terraform provider does for almost every container input.

/** The engine a resource lives on; empty means the ambient one (DOCKER_HOST or the default socket). */
interface OnEngine {
    dockerHost?: string;
    /** TLS material for a tcp:// engine (secret); how to connect, not what the object is, so no diff. */
    dockerTls?: EngineTls;
    /** ssh key, known hosts and options for an ssh:// engine; no diff either. */
    dockerSsh?: EngineSsh;
}

/** Connection settings: a change to them (a rotated certificate) must not replace the objects. */
const connectionKeys = ["dockerTls", "dockerSsh"];

function replaceOnAnyChange(ignore: string[] = []) {
    return async (_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> => {
        const replaces = changedKeys(olds, news, [...ignore, ...connectionKeys]);
        // Names are fixed, so the old object must go before its replacement can take the name.
        return { changes: replaces.length > 0, replaces, deleteBeforeReplace: true };
    };
}

// ---- networks

export interface DockerNetworkInputs extends OnEngine {
    name: string;
    driver: string;
    labels: Record<string, string>;
}

/** Exported for the shim (its module and name are in states: keep them). */
export const networkProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: DockerNetworkInputs) {
        // An `up` cut short after the engine made the network but before Pulumi saved it leaves
        // our own network behind; take it over instead of failing on its name.
        const leftover = await inspect(inputs, "network", inputs.name, "{{.Id}} {{json .Labels}}");
        if (leftover !== undefined) {
            const [id, ...labels] = leftover.split(" ");
            if (!sameLabels(JSON.parse(labels.join(" ")) ?? {}, inputs.labels)) {
                throw new Error(`a network named ${inputs.name} exists and is not this stack's: remove or rename it`);
            }
            return { id, outs: inputs };
        }
        const id = await runDocker(inputs, ["network", "create", "--driver", inputs.driver, ...labelFlags(inputs.labels), inputs.name]);
        return { id, outs: inputs };
    },
    async read(id: string, props: DockerNetworkInputs) {
        const found = await inspect(props, "network", id, "{{.Id}}");
        return found === undefined ? {} : { id, props };
    },
    diff: replaceOnAnyChange(),
    async delete(id: string, props: DockerNetworkInputs) {
        // Retries Docker 20.10's stale "has active endpoints" for a bounded time, then says what to do.
        await removeNetwork(props, id, props.name ?? id);
    },
};

/** Plain input shapes with `pulumi.Input` allowed at every level, as Pulumi's own SDKs type args. */
type DeepInput<T> = T extends string | number | boolean | undefined ? T
    : T extends (infer U)[] ? pulumi.Input<DeepInput<U>>[]
        : { [K in keyof T]: pulumi.Input<DeepInput<T[K]>> };
export type Inputs<T> = { [K in keyof T]: pulumi.Input<DeepInput<T[K]>> };

const networkShim = shimProvider("components/core/docker/resources", "networkProvider", networkProvider);

/** A user-defined bridge network. */
export class DockerNetwork extends pulumi.dynamic.Resource {
    declare public readonly name: pulumi.Output<string>;
    constructor(name: string, args: Inputs<DockerNetworkInputs>, opts?: pulumi.CustomResourceOptions) {
        super(networkShim, name, { ...args }, opts, "docker", "Network");
    }
}

// ---- volumes

export interface DockerVolumeInputs extends OnEngine {
    name: string;
    labels: Record<string, string>;
}

/** Exported for the shim (its module and name are in states: keep them). */
export const volumeProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: DockerVolumeInputs) {
        const id = await runDocker(inputs, ["volume", "create", ...labelFlags(inputs.labels), inputs.name]);
        return { id, outs: inputs };
    },
    async read(id: string, props: DockerVolumeInputs) {
        const found = await inspect(props, "volume", id, "{{.Name}}");
        return found === undefined ? {} : { id, props };
    },
    diff: replaceOnAnyChange(),
    async delete(id: string, props: DockerVolumeInputs) {
        await removeIfPresent(props, ["volume", "rm", id]);
    },
};

const volumeShim = shimProvider("components/core/docker/resources", "volumeProvider", volumeProvider);

/** A named volume: state that `destroy` removes, instead of a host folder cleaned by hand. */
export class DockerVolume extends pulumi.dynamic.Resource {
    declare public readonly name: pulumi.Output<string>;
    constructor(name: string, args: Inputs<DockerVolumeInputs>, opts?: pulumi.CustomResourceOptions) {
        super(volumeShim, name, { ...args }, opts, "docker", "Volume");
    }
}

// ---- images

export interface DockerImageInputs extends OnEngine {
    /** The pinned reference: an upstream `repo:tag`, or `clusterlab/<name>:<content hash>` for a build. */
    name: string;
    /** For a build: the folder, relative to the program's, and the build args. */
    build?: { context: string; buildArgs: Record<string, string> };
}

interface DockerImageOutputs extends DockerImageInputs {
    imageId: string;
}

/** Exported for the shim (its module and name are in states: keep them). */
export const imageProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: DockerImageInputs) {
        // The tag is pinned to the content (or upstream), so an image already present is the image wanted.
        let imageId = await inspect(inputs, "image", inputs.name, "{{.Id}}");
        if (imageId === undefined) {
            if (inputs.build === undefined) {
                await runDocker(inputs, ["pull", inputs.name]);
            } else {
                const buildArgs = Object.keys(inputs.build.buildArgs).sort()
                    .flatMap((key) => ["--build-arg", `${key}=${inputs.build!.buildArgs[key]}`]);
                // --force-rm: a failed step's container goes too (the classic builder keeps it
                // otherwise, an unlabelled leftover on the engine).
                await runDocker(inputs, ["build", "--quiet", "--force-rm", "--tag", inputs.name, ...buildArgs, inputs.build.context]);
            }
            imageId = await runDocker(inputs, ["image", "inspect", "--format", "{{.Id}}", inputs.name]);
        }
        return { id: inputs.name, outs: { ...inputs, imageId } };
    },
    async read(id: string, props: DockerImageOutputs) {
        const imageId = await inspect(props, "image", id, "{{.Id}}");
        return imageId === undefined ? {} : { id, props: { ...props, imageId } };
    },
    // Where the checkout lives is no reason to rebuild: the tag already says what is inside.
    diff: replaceOnAnyChange(["build", "imageId"]),
    async delete() {
        // Images stay on the engine: a cache shared by stacks, not cluster state.
    },
};

const imageShim = shimProvider("components/core/docker/resources", "imageProvider", imageProvider);

/** A pinned image, pulled or built once per engine and kept as a cache. */
export class DockerImage extends pulumi.dynamic.Resource {
    declare public readonly name: pulumi.Output<string>;
    /** The image's id (`sha256:…`): containers run it, so a rebuild replaces them. */
    declare public readonly imageId: pulumi.Output<string>;
    constructor(name: string, args: Inputs<DockerImageInputs>, opts?: pulumi.CustomResourceOptions) {
        super(imageShim, name, { ...args, imageId: undefined }, opts, "docker", "Image");
    }
}

// ---- containers

/** True when an object's labels include all of ours: it was made by this stack's resource. */
function sameLabels(found: Record<string, string>, ours: Record<string, string>): boolean {
    return Object.entries(ours).every(([key, value]) => found[key] === value);
}

export interface DockerContainerInputs extends OnEngine {
    name: string;
    hostname: string;
    image: string;
    command?: string[];
    env: string[];
    labels: Record<string, string>;
    network: string;
    aliases: string[];
    /** Published ports; `protocol` is absent for TCP (Docker's default) and `udp` for UDP. */
    ports: { ip: string; internal: number; external: number; protocol?: "tcp" | "udp" }[];
    mounts: { type: "volume" | "bind"; source: string; target: string; readOnly: boolean }[];
    files: TarFile[];
    healthcheck?: { shellCommand: string; intervalSeconds: number; timeoutSeconds: number; retries: number; startPeriodSeconds: number };
    waitTimeoutSeconds: number;
    init: boolean;
    privileged: boolean;
    memoryMb?: number;
    restart: string;
    /** Which env vars (`env:NAME`) and files (`file:/path`) hold Pulumi secrets; the policy pack reads it. */
    secretInputs: string[];
    /** `name:address` lines for /etc/hosts (`--add-host`): roles on other Docker hosts, by their host's address. Absent when none. */
    extraHosts?: string[];
}

/** `docker create` flags for a container's inputs; pure, so it is tested without an engine. */
export function renderCreateArgs(inputs: DockerContainerInputs): string[] {
    const args = ["create", "--name", inputs.name, "--hostname", inputs.hostname, "--network", inputs.network];
    args.push(...inputs.aliases.flatMap((alias) => ["--network-alias", alias]));
    args.push(...labelFlags(inputs.labels));
    args.push(...inputs.env.flatMap((entry) => ["--env", entry]));
    args.push(...inputs.ports.flatMap((p) => ["--publish", `${p.ip.includes(":") ? `[${p.ip}]` : p.ip}:${p.external}:${p.internal}${p.protocol === "udp" ? "/udp" : ""}`]));
    args.push(...inputs.mounts.flatMap((m) => ["--mount", `type=${m.type},source=${m.source},target=${m.target}${m.readOnly ? ",readonly" : ""}`]));
    args.push(...(inputs.extraHosts ?? []).flatMap((entry) => ["--add-host", entry]));
    args.push("--restart", inputs.restart);
    if (inputs.init) {
        args.push("--init");
    }
    if (inputs.privileged) {
        args.push("--privileged");
    }
    if (inputs.memoryMb !== undefined) {
        args.push("--memory", `${inputs.memoryMb}m`);
    }
    const health = inputs.healthcheck;
    if (health !== undefined) {
        args.push("--health-cmd", health.shellCommand, "--health-interval", `${health.intervalSeconds}s`,
            "--health-timeout", `${health.timeoutSeconds}s`, "--health-retries", String(health.retries),
            "--health-start-period", `${health.startPeriodSeconds}s`);
    }
    args.push(inputs.image, ...(inputs.command ?? []));
    return args;
}

/**
 * What the engine shows that the state does not: `stopped` (not running, not restarting), or
 * `network` (the cluster network was removed and made again, so the container's endpoint is gone).
 */
export type ContainerDrift = "stopped" | "network";

async function driftOf(inputs: DockerContainerInputs, id: string): Promise<ContainerDrift[] | undefined> {
    const state = await inspect(inputs, "container", id,
        `{{.State.Running}} {{.State.Restarting}} {{with index .NetworkSettings.Networks "${inputs.network}"}}{{.NetworkID}}{{end}}`);
    if (state === undefined) {
        return undefined;
    }
    const [running, restarting, endpointNetwork] = state.split(" ");
    const network = await inspect(inputs, "network", inputs.network, "{{.Id}}");
    const drift: ContainerDrift[] = [];
    if (running !== "true" && restarting !== "true") {
        drift.push("stopped");
    }
    if (network === undefined || (endpointNetwork ?? "") !== network) {
        drift.push("network");
    }
    return drift;
}

/**
 * Any input change replaces the container (names are fixed, so the old one goes first). Drift
 * found by `refresh`: a stopped container is started again in place; one cut off from its
 * network is made anew. Pure, for tests.
 */
export function diffContainer(olds: DockerContainerInputs & { drift?: ContainerDrift[] }, news: DockerContainerInputs): pulumi.dynamic.DiffResult {
    const drift = olds.drift ?? [];
    const replaces = changedKeys(olds, news, ["waitTimeoutSeconds", "drift", ...connectionKeys]);
    if (drift.includes("network") && !replaces.includes("network")) {
        replaces.push("network");
    }
    return { changes: replaces.length > 0 || drift.length > 0, replaces, deleteBeforeReplace: true };
}

/** Starts a created or stopped container and, with a healthcheck, waits until it is ready. */
async function startReady(inputs: DockerContainerInputs, id: string): Promise<void> {
    const since = Math.floor(Date.now() / 1000) - 1;
    await runDocker(inputs, ["start", id]);
    if (inputs.healthcheck !== undefined) {
        await waitForHealth(inputs, id, since);
    }
}

/** Exported for the shim (its module and name are in states: keep them). */
export const containerProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: DockerContainerInputs) {
        // A container of ours by this name, not in the state, is what an `up` cut short left.
        const leftover = await inspect(inputs, "container", inputs.name, "{{json .Config.Labels}}");
        if (leftover !== undefined) {
            if (!sameLabels(JSON.parse(leftover) ?? {}, inputs.labels)) {
                throw new Error(`a container named ${inputs.name} exists and is not this stack's: remove or rename it`);
            }
            await removeIfPresent(inputs, ["rm", "--force", inputs.name]);
        }
        const id = await runDocker(inputs, renderCreateArgs(inputs));
        try {
            if (inputs.files.length > 0) {
                await runDocker(inputs, ["cp", "-", `${id}:/`], ustarArchive(inputs.files));
            }
            await startReady(inputs, id);
        } catch (error) {
            // A container that never became ready is not kept: its name would block the next `up`.
            const logs = await runDocker(inputs, ["logs", "--tail", "30", id]).catch(() => "(no logs)");
            await removeIfPresent(inputs, ["rm", "--force", "--volumes", id]);
            // (No `cause`: Pulumi's TypeScript compile of the program targets a lib without it.)
            // eslint-disable-next-line preserve-caught-error
            throw new Error(`container ${inputs.name} did not become ready: ${(error as Error).message}\n` +
                `last log lines:\n${logs}`);
        }
        return { id, outs: { ...inputs, drift: [] } };
    },
    async read(id: string, props: DockerContainerInputs) {
        const drift = await driftOf(props, id);
        return drift === undefined ? {} : { id, props: { ...props, drift } };
    },
    async diff(_id: string, olds: DockerContainerInputs & { drift?: ContainerDrift[] }, news: DockerContainerInputs) {
        return diffContainer(olds, news);
    },
    async update(id: string, _olds: DockerContainerInputs, news: DockerContainerInputs) {
        await startReady(news, id);
        return { outs: { ...news, drift: [] } };
    },
    async delete(id: string, props: DockerContainerInputs) {
        // A graceful stop: every image here stops on SIGTERM within a second (rule 16).
        await removeIfPresent(props, ["stop", "--time", "10", id]);
        await removeIfPresent(props, ["rm", "--volumes", id]);
    },
};

/**
 * Docker's healthcheck interval up to which its own tests tell readiness soon enough (the
 * default interval). Docker tests at that interval while starting and afterwards alike (20.10
 * has no `start_interval`), so a role with many members is given a longer one: each test is an
 * exec, and 51 containers tested every 2 s keep a 2-core machine busy (an idle 50-node
 * OarCluster used 65-97% of both cores, and its 50 registrations took 35 s instead of a few;
 * bench/README.md). What a longer interval would cost in readiness `renderReadinessProbe` makes up.
 */
export const readinessCadenceSeconds = 2;

/**
 * The `docker exec` argv (after the container) that runs the container's own healthcheck every
 * half second until it first passes, when Docker's interval is longer than the readiness cadence
 * (else Docker's own tests come soon enough, and no probe is made). One exec for the whole start,
 * not one per test: the loop runs inside the container, and `timeout` ends it at the deadline
 * even when the waiter is gone. Each test gets the healthcheck's timeout, and runs as Docker
 * runs it (`/bin/sh -c`), the command passed as an argument so no quoting can change it. Pure.
 */
export function renderReadinessProbe(health: NonNullable<DockerContainerInputs["healthcheck"]>, waitTimeoutSeconds: number): string[] | undefined {
    if (health.intervalSeconds <= readinessCadenceSeconds) {
        return undefined;
    }
    // The first test at once, then one every half second: inside the container a test costs a
    // shell and the check itself, a fraction of what an exec costs the engine.
    const loop = `until timeout "$2" /bin/sh -c "$1" >/dev/null 2>&1; do sleep 0.5; done`;
    return ["timeout", String(waitTimeoutSeconds), "/bin/sh", "-c", loop, "readiness-probe", health.shellCommand, String(health.timeoutSeconds)];
}

/**
 * Follows the engine's events for the container until it reports healthy (resolve), dies or
 * turns unhealthy (reject), or the deadline passes (reject). With a healthcheck interval longer
 * than the readiness cadence, the container's own healthcheck run by `renderReadinessProbe`
 * passing is ready too: Docker would say so only at its first test, an interval after start.
 */
function waitForHealth(inputs: DockerContainerInputs, id: string, since: number): Promise<void> {
    const { spawn } = require("child_process") as typeof import("child_process"); // eslint-disable-line @typescript-eslint/no-require-imports
    return new Promise((resolve, reject) => {
        const env = engineEnv(inputs);
        const until = Math.floor(Date.now() / 1000) + inputs.waitTimeoutSeconds;
        const child = spawn("docker", [
            "events", "--since", String(since), "--until", String(until),
            "--filter", `container=${id}`, "--filter", "event=health_status", "--filter", "event=die",
            "--format", "{{.Status}}",
        ], { env, stdio: ["ignore", "pipe", "pipe"] });
        let settled = false;
        let buffered = "";
        const finish = (error?: Error) => {
            if (!settled) {
                settled = true;
                child.kill();
                if (error) {
                    reject(error);
                } else {
                    resolve();
                }
            }
        };
        child.stdout.on("data", (chunk: Buffer) => {
            buffered += chunk.toString("utf8");
            const lines = buffered.split("\n");
            buffered = lines.pop() ?? "";
            for (const line of lines.map((l) => l.trim())) {
                if (line === "health_status: healthy") {
                    finish();
                } else if (line === "die") {
                    finish(new Error("its main process exited"));
                } else if (line === "health_status: unhealthy") {
                    finish(new Error("its healthcheck reported unhealthy"));
                }
            }
        });
        child.on("error", (error: Error) => finish(error));
        child.on("close", () => finish(new Error(`not healthy within ${inputs.waitTimeoutSeconds}s`)));
        const probe = renderReadinessProbe(inputs.healthcheck!, inputs.waitTimeoutSeconds);
        if (probe !== undefined) {
            // Passing is ready; failing (the deadline inside, or an exec the engine refused) leaves
            // the verdict to Docker's events, which also tell a death apart.
            runDocker(inputs, ["exec", id, ...probe]).then(() => finish(), () => undefined);
        }
    });
}

const containerShim = shimProvider("components/core/docker/resources", "containerProvider", containerProvider);

/** A container, started and, with a healthcheck, ready before anything that depends on it. */
export class DockerContainer extends pulumi.dynamic.Resource {
    declare public readonly name: pulumi.Output<string>;
    /** What `refresh` found the engine to differ in; empty when the container is as created. */
    declare public readonly drift: pulumi.Output<ContainerDrift[]>;
    constructor(name: string, args: Inputs<DockerContainerInputs>, opts?: pulumi.CustomResourceOptions) {
        super(containerShim, name, { ...args, drift: undefined }, opts, "docker", "Container");
    }
}

// ---- commands run in a container

export interface DockerExecInputs extends OnEngine {
    /** The container to run in, by name. */
    container: string;
    /** Run once when the resource is created (and again if any input changes). */
    create: string[];
    /** Run when the resource is deleted, if the container is still there and running. */
    delete?: string[];
    /** Values whose change runs the commands again (delete, then create), such as the id of a container they concern. */
    triggers?: string[];
}

/** Exported for unit tests of what delete runs; components use DockerExec. */
export const execProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: DockerExecInputs) {
        const stdout = await runDocker(inputs, ["exec", inputs.container, ...inputs.create]);
        return { id: `${inputs.container}:${inputs.create.join(" ")}`.slice(0, 200), outs: { ...inputs, stdout } };
    },
    diff: replaceOnAnyChange(["stdout"]),
    async delete(_id: string, props: DockerExecInputs) {
        // Not in a stopped container: it cannot run the command, and could not be started either
        // when its network was removed (a fault), so failing here would block every later `up`
        // for good. A stopped container is on its way to being started or made anew; what it
        // keeps (a volume) the create command on its successor must take as it finds it.
        const state = props.delete === undefined ? undefined : await inspect(props, "container", props.container, "{{.State.Running}} {{.State.Restarting}}");
        if (state !== undefined && state !== "false false") {
            await runDocker(props, ["exec", props.container, ...props.delete!]);
        }
    },
};

const execShim = shimProvider("components/core/docker/resources", "execProvider", execProvider);

/**
 * A command run in a container as a resource: what a cluster does to itself once a role is
 * ready (register a node, create HDFS folders), undone on delete.
 */
export class DockerExec extends pulumi.dynamic.Resource {
    /** What the create command printed. */
    declare public readonly stdout: pulumi.Output<string>;
    constructor(name: string, args: Inputs<DockerExecInputs>, opts?: pulumi.CustomResourceOptions) {
        super(execShim, name, { ...args, stdout: undefined }, opts, "docker", "Exec");
    }
}
