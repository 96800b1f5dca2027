import type * as pulumi from "@pulumi/pulumi";
import { changedKeys, EngineSsh, EngineTls, inspect, runDocker } from "./cli";

// What is left of clusterlab's own Docker resources: the delete of a command run in a container
// (`pulumi-nodejs:dynamic/docker:Exec`), for states made before OAR's nodes joined OAR by
// themselves and Aurora's jobs had keeper containers (up to commit 4e61cd8). Such a state's next
// `up` or `destroy` deletes its Execs through this provider, which its shims name by this module
// and export: so the file keeps its name and `execProvider` (docs/design.md). No component makes
// one any more. States that still hold the kinds removed before (`pulumi-nodejs:dynamic/docker:
// Container` and the like, before commit ecfce7e) are destroyed with the version that made them.

/** Plain input shapes with `pulumi.Input` allowed at every level, as Pulumi's own SDKs type args. */
type DeepInput<T> = T extends string | number | boolean | undefined ? T
    : T extends (infer U)[] ? pulumi.Input<DeepInput<U>>[]
        : { [K in keyof T]: pulumi.Input<DeepInput<T[K]>> };
export type Inputs<T> = { [K in keyof T]: pulumi.Input<DeepInput<T[K]>> };

/** An Exec as older states hold it. */
export interface DockerExecInputs {
    /** The engine it ran on; empty means the ambient one (DOCKER_HOST or the default socket). */
    dockerHost?: string;
    dockerTls?: EngineTls;
    dockerSsh?: EngineSsh;
    /** The container it ran in, by name. */
    container: string;
    /** What it ran when created. */
    create: string[];
    /** What undoes it: run on delete, if the container is still there and running. */
    delete?: string[];
}

/**
 * Deletes an older state's Exec: runs its undo (kill an Aurora job, take an OAR node out) where
 * that can still run. An `up` that moves such a cluster on makes the container the Exec named (a
 * node, the scheduler) anew and deletes its Execs before (the replace deletes what depends on it
 * first), so the new node joins and the new keeper creates its job after the undo.
 */
export const execProvider: pulumi.dynamic.ResourceProvider = {
    async create() {
        throw new Error("clusterlab makes no docker:Exec any more: only an older state's are deleted");
    },
    // Asked by the engine when the container an Exec depends on is replaced, before it deletes
    // the Exec (whether to replace it along): the answer older versions gave. Connection settings
    // and the output are no change.
    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        const replaces = changedKeys(olds, news, ["stdout", "dockerTls", "dockerSsh"]);
        return { changes: replaces.length > 0, replaces, deleteBeforeReplace: true };
    },
    async delete(_id: string, props: DockerExecInputs) {
        // Not in a stopped container: it cannot run the command, and could not be started either
        // when its network was removed (a fault), so failing here would block every later `up`
        // for good.
        const state = props.delete === undefined ? undefined : await inspect(props, "container", props.container, "{{.State.Running}} {{.State.Restarting}}");
        if (state !== undefined && state !== "false false") {
            await runDocker(props, ["exec", props.container, ...props.delete!]);
        }
    },
};
