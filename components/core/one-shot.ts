import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec, renderContainerArgs } from "./docker/container-args";
import { Host } from "./host";
import { dockerObjectName, LabelScope, oneShotLabel, renderLabels } from "./labels";
import { renderEnv } from "./service";

export interface OneShotArgs {
    /** Stack, cluster and role: the labels and the container's name. */
    scope: LabelScope;
    host: Host;
    /** The image to run the command in. */
    image: pulumi.Input<string>;
    /** The cluster's network on the host, so the command reaches roles by name. */
    network: docker.Network;
    command: string[];
    /**
     * Env of the step. A value that changes makes the step anew and so runs it again: give it the
     * ids of what it must follow (a container made anew) to run once per each of them.
     */
    env?: Record<string, pulumi.Input<string>>;
    /** Files written into the container before it runs. */
    files?: { path: string; content: pulumi.Input<string>; mode?: number }[];
    /** Volumes of the cluster the step writes into (one a role also mounts), by mount path. */
    volumes?: { volume: docker.Volume; containerPath: string }[];
    memoryMb: number;
    /** What must be ready before the step runs. */
    dependsOn?: pulumi.Resource[];
}

/**
 * A step run once, to its end, as a `docker.Container` with `attach`: `up` waits for it to exit,
 * and our build of the Docker plugin fails the create on a non-zero exit with its last log lines
 * (docs/toolchain.md). The exited container stays, labelled like the roles and `clusterlab.one-shot`
 * (so checks of "every role healthy" leave it out), so a refresh reads it unchanged, `docker ps -a`
 * shows what ran, and `destroy` removes it. Replaces what a Pulumi-run
 * `docker exec` did: a command that must be idempotent, run again only when its inputs change.
 */
export function createOneShot(name: string, args: OneShotArgs, parent: pulumi.Resource): docker.Container {
    const spec: ContainerSpec = {
        name: dockerObjectName(args.scope),
        hostname: args.scope.role,
        image: args.image,
        command: args.command,
        env: renderEnv(args.env ?? {}),
        labels: { ...renderLabels(args.scope), [oneShotLabel]: "true" },
        network: args.network.id,
        aliases: [],
        ports: [],
        mounts: (args.volumes ?? []).map((v) => ({ type: "volume" as const, source: v.volume.name, target: v.containerPath, readOnly: false })),
        files: (args.files ?? []).map((file) => ({ path: file.path, content: file.content, mode: file.mode ?? 0o644 })),
        init: false,
        privileged: false,
        memoryMb: args.memoryMb,
        restart: "no",
        extraHosts: {},
    };
    return new docker.Container(name, { ...renderContainerArgs(spec), attach: true, logs: true, mustRun: false }, {
        parent,
        provider: args.host.provider,
        dependsOn: args.dependsOn ?? [],
        deleteBeforeReplace: true,
        // A step that failed stays in the state with an error on it: the next `up` runs it anew.
        replaceOnChanges: ["#initerror"],
    });
}
