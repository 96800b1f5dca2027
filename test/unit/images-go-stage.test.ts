import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

// The images that build Go share one toolchain stage: while its text is byte-identical, the
// engine's layer cache fetches and unpacks Go once for all of them. These tests keep the copies
// from drifting apart (each image folder must be a self-contained build context, so the stage
// and the go-modules helper are copied, not included).
const imagesDir = path.resolve(__dirname, "..", "..", "images");
const goImages = fs.readdirSync(imagesDir)
    .filter((name) => fs.existsSync(path.join(imagesDir, name, "Dockerfile")))
    .filter((name) => /^FROM \S+ AS go$/m.test(fs.readFileSync(path.join(imagesDir, name, "Dockerfile"), "utf8")));

/** From the first ARG line to the last instruction before the next FROM after `AS go`. */
function goStage(name: string): string {
    const lines = fs.readFileSync(path.join(imagesDir, name, "Dockerfile"), "utf8").split("\n");
    const start = lines.findIndex((line) => line.startsWith("ARG BASE_IMAGE="));
    const from = lines.findIndex((line) => / AS go$/.test(line));
    const end = lines.findIndex((line, i) => i > from && line.startsWith("FROM "));
    const stage = lines.slice(start, end);
    while (stage.length > 0 && /^(#.*)?$/.test(stage[stage.length - 1])) {
        stage.pop();
    }
    return stage.join("\n");
}

describe("images that build Go (consul, gitea, registrator-standin)", () => {
    it("are found", () => {
        assert.deepStrictEqual(goImages.sort(), ["consul", "gitea", "registrator-standin"]);
    });

    it("share a byte-identical Go toolchain stage, pinned by version and sha256", () => {
        const [first, ...rest] = goImages.map(goStage);
        assert.match(first, /ARG GO_VERSION=\d+\.\d+\.\d+\n/);
        assert.match(first, /ARG GO_ZIP_SHA256=[0-9a-f]{64}\n/);
        assert.match(first, /sha256sum -c -/);
        for (const [i, stage] of rest.entries()) {
            assert.strictEqual(stage, first, `images/${goImages[i + 1]}'s go stage differs from images/${goImages[0]}'s`);
        }
    });

    it("carry the same go-modules helper wherever they have a go.sum", () => {
        const withSum = goImages.filter((name) => fs.existsSync(path.join(imagesDir, name, "go.sum")));
        assert.ok(withSum.length >= 2);
        const copies = withSum.map((name) => fs.readFileSync(path.join(imagesDir, name, "go-modules"), "utf8"));
        for (const [i, copy] of copies.entries()) {
            assert.strictEqual(copy, copies[0], `images/${withSum[i]}/go-modules differs`);
        }
    });

    it("pin their root Go module at the version their VERSION file names", () => {
        const roots: Record<string, string> = { consul: "github.com/hashicorp/consul", gitea: "code.gitea.io/gitea" };
        for (const [name, root] of Object.entries(roots)) {
            const version = fs.readFileSync(path.join(imagesDir, name, "VERSION"), "utf8").trim().split("-")[0];
            const goMod = fs.readFileSync(path.join(imagesDir, name, "go.mod"), "utf8");
            assert.ok(goMod.split("\n").some((line) => line.replace(/\/\/.*$/, "").trim().replace(/^require /, "") === `${root} v${version}`),
                `images/${name}/go.mod requires ${root} v${version}`);
        }
    });
});
