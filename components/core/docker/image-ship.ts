/* eslint-disable @typescript-eslint/no-require-imports */
import * as pulumi from "@pulumi/pulumi";
import { shimProvider } from "../provider-shim";
import { changedKeys, Engine, EngineSsh, EngineTls, engineEnv, inspect } from "./cli";
import { Inputs } from "./resources";

// An image made on one engine (the platform's home, where it was built once) copied to another
// with `docker save | docker load`. Why: some images are Go builds of half an hour, and an extra
// host may have no way to the package mirrors at all; a copy of a few hundred MB takes seconds.
// The tag is a content hash (or a pinned upstream tag), so an image already on the target under
// that tag and id is the image wanted, and nothing is copied.

export interface DockerImageShipmentInputs {
    /** The target engine. */
    dockerHost?: string;
    dockerTls?: EngineTls;
    dockerSsh?: EngineSsh;
    /** The image's reference, the same on both engines. */
    name: string;
    /** The image's id on the source engine: a rebuild there (a new id) ships again. */
    sourceImageId: string;
    /** The source engine: how to reach it, not what the image is, so no diff. */
    source: Engine;
}

interface DockerImageShipmentOutputs extends DockerImageShipmentInputs {
    imageId: string;
}

/** Streams `docker save` on one engine into `docker load` on another; rejects with both commands' stderr. */
function saveAndLoad(name: string, from: Engine, to: Engine): Promise<void> {
    const { spawn } = require("child_process") as typeof import("child_process");
    return new Promise((resolve, reject) => {
        const save = spawn("docker", ["save", name], { env: engineEnv(from), stdio: ["ignore", "pipe", "pipe"] });
        const load = spawn("docker", ["load", "--quiet"], { env: engineEnv(to), stdio: ["pipe", "pipe", "pipe"] });
        const errors = { save: "", load: "" };
        save.stderr.on("data", (chunk: Buffer) => { errors.save += chunk.toString("utf8"); });
        load.stderr.on("data", (chunk: Buffer) => { errors.load += chunk.toString("utf8"); });
        load.stdout.resume();
        save.stdout.pipe(load.stdin);
        // A load that dies closes its stdin: the save must not kill this process with EPIPE.
        load.stdin.on("error", () => undefined);
        let pending = 2;
        const codes: Record<string, number | null> = {};
        const done = (which: "save" | "load") => (code: number | null) => {
            codes[which] = code;
            if (--pending === 0) {
                if (codes.save === 0 && codes.load === 0) {
                    resolve();
                } else {
                    reject(new Error(`shipping image ${name} failed: docker save exit ${codes.save} ${errors.save.trim()}; ` +
                        `docker load exit ${codes.load} ${errors.load.trim()}`));
                }
            }
        };
        save.on("close", done("save"));
        load.on("close", done("load"));
        save.on("error", (error: Error) => reject(new Error(`docker could not be run: ${error.message}`)));
        load.on("error", (error: Error) => reject(new Error(`docker could not be run: ${error.message}`)));
    });
}

async function ship(inputs: DockerImageShipmentInputs): Promise<string> {
    const target: Engine = { dockerHost: inputs.dockerHost, dockerTls: inputs.dockerTls, dockerSsh: inputs.dockerSsh };
    const present = await inspect(target, "image", inputs.name, "{{.Id}}");
    if (present === inputs.sourceImageId) {
        return present;
    }
    await saveAndLoad(inputs.name, inputs.source, target);
    const loaded = await inspect(target, "image", inputs.name, "{{.Id}}");
    if (loaded !== inputs.sourceImageId) {
        throw new Error(`image ${inputs.name} was loaded on ${inputs.dockerHost ?? "the local engine"} as ${loaded}, not ${inputs.sourceImageId}`);
    }
    return loaded;
}

/** Connection settings of either engine, and the output, are no reason to ship again. Pure. */
export function diffShipment(olds: object, news: object): pulumi.dynamic.DiffResult {
    const replaces = changedKeys(olds, news, ["dockerTls", "dockerSsh", "source", "imageId"]);
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
}

/** Exported for the shim (its module and name are in states: keep them). */
export const shipmentProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: DockerImageShipmentInputs) {
        const imageId = await ship(inputs);
        return { id: `${inputs.dockerHost ?? "local"}/${inputs.name}`, outs: { ...inputs, imageId } };
    },
    async read(id: string, props: DockerImageShipmentOutputs) {
        const target: Engine = { dockerHost: props.dockerHost, dockerTls: props.dockerTls, dockerSsh: props.dockerSsh };
        const imageId = await inspect(target, "image", props.name, "{{.Id}}");
        // Gone (or another image under the tag): the next `up` ships it again.
        return imageId === props.imageId ? { id, props } : {};
    },
    async diff(_id: string, olds: DockerImageShipmentOutputs, news: DockerImageShipmentInputs) {
        return diffShipment(olds, news);
    },
    async delete() {
        // Images stay on the engine: a cache shared by stacks, as the RemoteImages made with keepLocally.
    },
};

const shipmentShim = shimProvider("components/core/docker/image-ship", "shipmentProvider", shipmentProvider);

/** An image copied from the engine it was built on to another engine, once per content tag. */
export class DockerImageShipment extends pulumi.dynamic.Resource {
    declare public readonly name: pulumi.Output<string>;
    /** The image's id on the target (the same as on the source: save/load keeps it). */
    declare public readonly imageId: pulumi.Output<string>;
    constructor(name: string, args: Inputs<DockerImageShipmentInputs>, opts?: pulumi.CustomResourceOptions) {
        super(shipmentShim, name, { ...args, imageId: undefined }, opts, "docker", "ImageShipment");
    }
}
