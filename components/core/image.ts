import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { DockerImageShipment } from "./docker/image-ship";
import { Host } from "./host";
import { imagesDirectory } from "./images-dir";
import { ImageSource } from "./schema";

function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true })
        .flatMap((entry) => {
            const full = path.join(dir, entry.name);
            return entry.isDirectory() ? filesUnder(full) : [full];
        })
        .sort();
}

/** The folder's own documentation: no Dockerfile copies it (test/render/core.test.ts checks). */
const notInTheImage = new Set(["README.md"]);

/**
 * A short digest of a build folder and its base image. It is the built image's tag, so the tag
 * is pinned to the Dockerfile's content and an edit to any file in the folder rebuilds it, except
 * the folder's README.md: a word changed there must not rebuild the image and replace every
 * container of it.
 */
export function buildContentTag(buildDir: string, baseImage: string): string {
    const hash = crypto.createHash("sha256").update(`BASE_IMAGE=${baseImage}\n`);
    for (const file of filesUnder(buildDir).filter((file) => !notInTheImage.has(path.relative(buildDir, file)))) {
        hash.update(path.relative(buildDir, file)).update("\0").update(fs.readFileSync(file)).update("\0");
    }
    return hash.digest("hex").slice(0, 12);
}

export interface ClusterImageOptions {
    baseImage: string;
    host: Host;
    parent: pulumi.Resource;
    /** Build args besides `BASE_IMAGE`. Default none. */
    buildArgs?: Record<string, string>;
}

/**
 * A role's image as a `docker.RemoteImage` on the host's provider: a pinned upstream image
 * pulled, or `images/<name>` built on the host's engine and tagged `clusterlab/<name>:<content
 * hash>`, so `docker images` reads well and an edit to the folder is a new name (a replace),
 * never a rebuild in place. Kept on the engine after destroy.
 */
export function createDockerImage(resourceName: string, source: ImageSource, opts: ClusterImageOptions): docker.RemoteImage {
    const resourceOpts = { parent: opts.parent, provider: opts.host.provider };
    if ("pinned" in source) {
        return new docker.RemoteImage(resourceName, { name: source.pinned, keepLocally: true }, resourceOpts);
    }
    const buildDir = path.join(imagesDirectory(), source.build);
    return new docker.RemoteImage(resourceName, {
        name: `clusterlab/${source.build}:${buildContentTag(buildDir, opts.baseImage)}`,
        // The legacy builder goes through the provider's own connection (the engine's BuildKit, with
        // the build's output in any error); the default one builds wherever DOCKER_HOST points.
        build: { context: buildContextPath(buildDir), buildArgs: { ...opts.buildArgs, BASE_IMAGE: opts.baseImage }, useLegacyBuilder: true },
        keepLocally: true,
    }, resourceOpts);
}

/**
 * The build folder as the state keeps it: relative to the program's folder, where Pulumi also
 * starts the provider, so a checkout that moves (every CI clone) is not a diff. Absolute only when
 * the folder is not below it (a package linked from elsewhere).
 */
export function buildContextPath(buildDir: string, from: string = process.cwd()): string {
    const relative = path.relative(from, buildDir);
    return relative.startsWith("..") || path.isAbsolute(relative) ? buildDir : relative;
}

/** An image resource on one engine, as either kind of resource makes it: its reference and its id there. */
export type ShippableImage = pulumi.Resource & { name: pulumi.Output<string>; imageId: pulumi.Output<string> };

/**
 * An image already on one host's engine (built or pulled there by `image`), copied to another
 * host with `docker save | docker load` instead of built there again: for images whose build
 * takes long or needs what the other host lacks. Skipped when the target has the image already.
 */
export function shipClusterImage(resourceName: string, image: ShippableImage, from: Host, to: Host, parent: pulumi.Resource): DockerImageShipment {
    const source = from.plainEngine;
    return new DockerImageShipment(resourceName, {
        ...to.engine,
        name: image.name,
        sourceImageId: image.imageId,
        source: from.tls === undefined && from.ssh === undefined ? source : pulumi.secret(source),
    }, { parent, dependsOn: [image] });
}
