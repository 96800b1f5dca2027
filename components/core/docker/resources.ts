import * as pulumi from "@pulumi/pulumi";
import { shimProvider } from "../provider-shim";
import { changedKeys, EngineSsh, EngineTls, inspect, runDocker } from "./cli";

// The one Docker resource of clusterlab's own left: a command run in a container, with a command
// that undoes it on delete (Aurora's jobs), as a Pulumi dynamic resource over the docker CLI.
// @pulumi/docker has no such resource; moving the step into an image (as OAR's nodes now join
// and leave OAR by themselves) is the real-providers issue's next step. A state made before that
// still holds OAR registrations: the `up` that moves it on deletes each before it makes its node
// anew (the node's replace deletes what depends on it first), so the new node joins after.
// The file keeps its name although the networks, volumes, images and containers it once held are
// `@pulumi/docker`'s now: states name `components/core/docker/resources` and `execProvider`.
// States that still hold the removed kinds (`pulumi-nodejs:dynamic/docker:Container` and the
// like) were made by an older clusterlab (before commit ecfce7e) and are destroyed with it (README).

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

/** Plain input shapes with `pulumi.Input` allowed at every level, as Pulumi's own SDKs type args. */
type DeepInput<T> = T extends string | number | boolean | undefined ? T
    : T extends (infer U)[] ? pulumi.Input<DeepInput<U>>[]
        : { [K in keyof T]: pulumi.Input<DeepInput<T[K]>> };
export type Inputs<T> = { [K in keyof T]: pulumi.Input<DeepInput<T[K]>> };

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
 * ready (submit a job), undone on delete.
 */
export class DockerExec extends pulumi.dynamic.Resource {
    /** What the create command printed. */
    declare public readonly stdout: pulumi.Output<string>;
    constructor(name: string, args: Inputs<DockerExecInputs>, opts?: pulumi.CustomResourceOptions) {
        super(execShim, name, { ...args, stdout: undefined }, opts, "docker", "Exec");
    }
}
