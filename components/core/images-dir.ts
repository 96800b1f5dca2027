import * as fs from "fs";
import * as path from "path";

/** The folder of the package's Dockerfiles, found from this file whether it runs as .ts or built .js. */
export function imagesDirectory(start: string = __dirname): string {
    let dir = start;
    for (;;) {
        if (fs.existsSync(path.join(dir, "images")) && fs.existsSync(path.join(dir, "package.json"))) {
            return path.join(dir, "images");
        }
        const parent = path.dirname(dir);
        if (parent === dir) {
            throw new Error(`no images/ folder above ${start}`);
        }
        dir = parent;
    }
}

/** The image names `{ build: name }` may use: the folders of images/ that hold a Dockerfile. */
export function buildableImages(): string[] {
    const dir = imagesDirectory();
    return fs.readdirSync(dir).filter((name) => fs.existsSync(path.join(dir, name, "Dockerfile"))).sort();
}
