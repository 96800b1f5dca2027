import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { shipmentProvider } from "../../components/core/docker/image-ship";
import { execProvider } from "../../components/core/docker/resources";
import { loadProvider, shimProvider } from "../../components/core/provider-shim";

const repoRoot = path.resolve(__dirname, "..", "..");

/** What Pulumi writes into a resource's state as `__provider`: the provider serialized with all it references. */
async function serialized(provider: pulumi.dynamic.ResourceProvider): Promise<string> {
    return (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
}

/**
 * Loads a serialized provider the way Pulumi's dynamic-provider process does (plain Node, no
 * ts-node, cwd = the program's folder), calls one method and prints its JSON result.
 */
function callInProviderProcess(text: string, cwd: string, method: string, args: unknown[]): unknown {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provider-shim-"));
    try {
        fs.writeFileSync(path.join(dir, "provider.js"), text);
        const script = [
            `if (require.extensions[".ts"] !== undefined) throw new Error("ts already registered");`,
            `const provider = require(${JSON.stringify(path.join(dir, "provider.js"))}).handler();`,
            `Promise.resolve(provider[${JSON.stringify(method)}](...${JSON.stringify(args)}))`,
            `  .then((result) => process.stdout.write(JSON.stringify(result ?? null)), (error) => { console.error(error.message); process.exit(1); });`,
        ].join("\n");
        const env = { ...process.env };
        delete env.NODE_OPTIONS;
        delete env.TS_NODE_TRANSPILE_ONLY;
        // stderr piped, not inherited: a failure's message is in the error this throws, not on the console.
        return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("provider shim (unit: dynamic providers kept out of the state)", function () {
    this.timeout(120_000); // plain Node processes and the closure serializer: ~11 s on a loaded machine
    // The image shipment's provider: the last one a component still makes, and the largest.
    const shim = shimProvider("components/core/docker/image-ship", "shipmentProvider", shipmentProvider);
    const olds = { name: "clusterlab/hadoop:0123", sourceImageId: "sha256:a", imageId: "sha256:a", __provider: "old code" };
    const news = { name: "clusterlab/hadoop:0123", sourceImageId: "sha256:b", __provider: "new code" };

    it("has exactly the implementation's methods (the provider process treats a missing read or update differently)", () => {
        assert.deepStrictEqual(Object.keys(shim).sort(), Object.keys(shipmentProvider).sort());
        const execShim = shimProvider("components/core/docker/resources", "execProvider", execProvider);
        // An older state's Exec is only ever deleted, and diffed first when a container it depends on is replaced.
        assert.deepStrictEqual(Object.keys(execShim).sort(), ["create", "delete", "diff"]);
    });

    it("serializes to a small fraction of the implementation, without its code", async () => {
        // The largest implementation left (12.9 KB).
        const [full, small] = [await serialized(shipmentProvider), await serialized(shim)];
        assert.ok(full.length > 12000, `the implementation serializes to ${full.length} bytes`);
        // 2.9 KB for its four methods: the bootstrap and one line per method (the loader stays out).
        assert.ok(small.length < 3500 && small.length * 4 < full.length, `the shim serializes to ${small.length} bytes, the implementation to ${full.length}`);
        assert.ok(full.includes("runDocker") && !small.includes("runDocker"), "the shim must not carry the docker CLI code");
        assert.ok(!small.includes("transpileModule"), "the shim must not carry the loader (provider-loader.js)");
        assert.ok(!small.includes(repoRoot), "no absolute checkout path in the state");
    });

    it("delegates in-process to the same implementation object", async () => {
        assert.strictEqual(loadProvider("components/core/docker/resources", "execProvider"), execProvider);
        assert.strictEqual(loadProvider("components/core/docker/image-ship", "shipmentProvider"), shipmentProvider);
        assert.deepStrictEqual(await shim.diff!("id", olds, news), await shipmentProvider.diff!("id", olds, news));
    });

    it("delegates in plain Node from the program's folder, the TypeScript source transpiled on load", async () => {
        const result = callInProviderProcess(await serialized(shim), path.join(repoRoot, "stacks"), "diff", ["id", olds, news]);
        assert.deepStrictEqual(result, { changes: true, replaces: ["sourceImageId"], deleteBeforeReplace: false });
    });

    it("names the missing export instead of failing later on undefined", () => {
        assert.throws(() => loadProvider("components/core/docker/resources", "noSuchProvider"),
            /dynamic provider noSuchProvider is not exported by .*components\/core\/docker\/resources\.ts/);
    });

    it("says what to do with a state of an older version that holds a retired provider's objects", () => {
        for (const retired of ["containerProvider", "networkProvider", "volumeProvider", "imageProvider"]) {
            assert.throws(() => loadProvider("components/core/docker/resources", retired),
                /holds Docker objects, which this version makes with @pulumi\/docker .*destroy the stack with the clusterlab version that deployed it/);
        }
        // Its module is gone too: the advice, not "Cannot find module".
        assert.throws(() => loadProvider("components/edm/consul-registration", "consulServiceProvider"),
            /holds an EDM worker API's consul registration, which the worker API now makes itself .*destroy the stack/);
        assert.throws(() => loadProvider("components/edm/nginx-upstream", "nginxConfigProvider"), /holds EDM's nginx upstream file, .*destroy the stack/);
        for (const retired of ["sshKeyPairProvider", "passwordProvider"]) {
            assert.throws(() => loadProvider("components/core/secrets", retired), /holds a generated ssh key or password, which this version derives from the stack's clusterlab:secretSeed .*destroy the stack/);
        }
    });

    /** A folder holding a stand-in clusterlab package: its shipmentProvider's diff answers `marker`. */
    function fakePackage(where: string, options: { source: boolean }): string {
        const root = path.join(where, "clusterlab");
        const module = path.join("components", "core", "docker", "image-ship");
        fs.mkdirSync(path.join(root, "bin", path.dirname(module)), { recursive: true });
        fs.writeFileSync(path.join(root, "package.json"), JSON.stringify({ name: "clusterlab" }));
        fs.writeFileSync(path.join(root, "bin", `${module}.js`), "exports.shipmentProvider = { diff: async () => ({ marker: 'bin' }) };\n");
        // The loader as each layout carries it: an installed package in bin/ (npm run build copies it), a checkout beside its sources.
        const loader = path.join(options.source ? "" : "bin", "components", "core", "provider-loader.js");
        fs.mkdirSync(path.join(root, path.dirname(loader)), { recursive: true });
        fs.copyFileSync(path.join(repoRoot, "components", "core", "provider-loader.js"), path.join(root, loader));
        if (options.source) {
            // Source that would fail if loaded: without a compiler here, the shim must take bin/.
            fs.mkdirSync(path.join(root, path.dirname(module)), { recursive: true });
            fs.writeFileSync(path.join(root, `${module}.ts`), "throw new Error('the .ts source was loaded');\n");
        }
        return root;
    }

    it("loads an installed package's compiled bin/ (what npm run build makes and the package ships)", async () => {
        const project = fs.mkdtempSync(path.join(os.tmpdir(), "shim-installed-"));
        try {
            fakePackage(path.join(project, "node_modules"), { source: false });
            assert.deepStrictEqual(callInProviderProcess(await serialized(shim), project, "diff", ["id", olds, news]), { marker: "bin" });
        } finally {
            fs.rmSync(project, { recursive: true, force: true });
        }
    });

    it("takes bin/ in a checkout installed without the typescript compiler, and says what is missing when neither can load", async () => {
        const where = fs.mkdtempSync(path.join(os.tmpdir(), "shim-no-typescript-"));
        try {
            const root = fakePackage(where, { source: true });
            const text = await serialized(shim);
            assert.deepStrictEqual(callInProviderProcess(text, root, "diff", ["id", olds, news]), { marker: "bin" });
            fs.rmSync(path.join(root, "bin"), { recursive: true });
            assert.throws(() => callInProviderProcess(text, root, "diff", ["id", olds, news]), /needs typescript \(npm ci in .*\) or .*bin\/components\/core\/docker\/image-ship\.js/);
        } finally {
            fs.rmSync(where, { recursive: true, force: true });
        }
    });

    it("ships the loader where an installed package's shim looks for it (bin/components/core, made by npm run build)", () => {
        const build = JSON.parse(fs.readFileSync(path.join(repoRoot, "tsconfig.build.json"), "utf8")) as { include: string[] };
        const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { files: string[] };
        assert.ok(build.include.includes("components/core/provider-loader.js"), "tsconfig.build.json must compile the loader into bin/");
        assert.ok(manifest.files.includes("bin/components"), "the package must ship bin/components");
    });

    it("says where it looked when no clusterlab package is found", async () => {
        const text = await serialized(shim);
        assert.throws(() => callInProviderProcess(text, os.tmpdir(), "diff", ["id", olds, news]), /no package named clusterlab above/);
    });
});

/** Every .ts file under a folder, as paths from the repository root. */
function sourceFiles(dir: string): string[] {
    return fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : entry.name.endsWith(".ts") ? [path.join(dir, entry.name)] : []);
}

describe("provider shims of every dynamic resource (unit: the source as written)", () => {
    const files = sourceFiles("components").map((file) => ({ file, text: fs.readFileSync(path.join(repoRoot, file), "utf8") }));

    it("every dynamic resource passes a shim to Pulumi, never its implementation", () => {
        const dynamic = files.filter((f) => f.text.includes("extends pulumi.dynamic.Resource"));
        // The image shipment: the last dynamic resource a component makes (the real-providers issue).
        assert.ok(dynamic.length >= 1, `found ${dynamic.length} files of dynamic resources`);
        for (const { file, text } of dynamic) {
            const shims = new Set([...text.matchAll(/const (\w+) = shimProvider\(/g)].map((m) => m[1]));
            const passed = [...text.matchAll(/super\((\w+), name,/g)].map((m) => m[1]);
            assert.ok(passed.length > 0, `${file}: no super(provider, name, …) found`);
            for (const provider of passed) {
                assert.ok(shims.has(provider), `${file}: ${provider} is passed to pulumi.dynamic.Resource but is not a shimProvider(…)`);
            }
        }
    });

    it("every shim names its own file and an export that is the implementation it was made from", () => {
        let count = 0;
        for (const { file, text } of files) {
            for (const [, module, exportName, implementation] of text.matchAll(/shimProvider\("([^"]+)", "([^"]+)", (\w+)\)/g)) {
                count++;
                // The (module, export) pair is written into states: a typo would only show at a delete.
                assert.strictEqual(`${module}.ts`, file, `${file}: the shim of ${exportName} names ${module}`);
                assert.strictEqual(exportName, implementation, `${file}: the shim names ${exportName} but is made from ${implementation}`);
                assert.strictEqual(loadProvider(module, exportName), require(path.join(repoRoot, file))[exportName]);
            }
        }
        assert.ok(count >= 1, `found ${count} shims`);
    });
});

