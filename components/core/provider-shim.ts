/* eslint-disable @typescript-eslint/no-require-imports */
import type * as pulumi from "@pulumi/pulumi";

// Pulumi keeps a dynamic resource's provider in its state as `__provider`, in the inputs and
// again in the outputs: the provider's functions serialized with everything they reference. Its
// serializer inlines local modules (only node_modules packages become `require()`), so each of
// clusterlab's resources carried 9-19 KB of the same code twice, 83% of a stack's state, and
// Pulumi writes the whole state after every step (quadratic in resources). The shim below is what
// gets serialized instead: a few lines that `require()` the implementation from the clusterlab
// package at run time and delegate to it.
//
// Where the implementation is found, in the dynamic-provider process (plain Node, cwd = the
// program's folder):
// - in a checkout of this repository (any folder: a CI clone, a moved checkout), the nearest
//   package.json named `clusterlab` above the cwd, and the TypeScript source there, transpiled
//   on load by the checkout's own `typescript` (cached by content under
//   node_modules/.cache/clusterlab-providers, so a later run does not load the compiler; the
//   cache file is written by rename, as several provider processes may load at once, and a cache
//   that cannot be written, a read-only node_modules, only costs the transpile);
// - in a user's program that installed the package, `clusterlab` resolved from the cwd, and its
//   compiled `bin/<module>.js` (what `npm run build` makes and the package ships).
// No absolute path is stored, so a state keeps working when the checkout moves.
//
// The contract this makes: a (module, export) pair once written into states must keep naming a
// provider that handles every state earlier versions produced. Resources created before the
// shim keep their old self-contained code in their outputs, which `delete` uses: they need
// nothing from here.

type Method = "check" | "diff" | "create" | "read" | "update" | "delete";
const methods: Method[] = ["check", "diff", "create", "read", "update", "delete"];

/**
 * A provider that delegates to `exportName` of `module` (a path from the package root, without
 * extension, e.g. `components/core/docker/resources`). `implementation` is that same export as
 * the program sees it: only which methods it has is read (Pulumi's provider process treats a
 * missing `read` or `update` differently from one that exists), it is not serialized.
 */
export function shimProvider(module: string, exportName: string, implementation: pulumi.dynamic.ResourceProvider): pulumi.dynamic.ResourceProvider {
    const shim: Record<string, unknown> = {};
    for (const method of methods) {
        if (typeof implementation[method] === "function") {
            shim[method] = delegate(module, exportName, method);
        }
    }
    return shim as unknown as pulumi.dynamic.ResourceProvider;
}

function delegate(module: string, exportName: string, method: Method) {
    return (...args: unknown[]) => {
        const provider = loadProvider(module, exportName) as unknown as Record<Method, (...a: unknown[]) => unknown>;
        return provider[method](...args);
    };
}

/**
 * The implementation named by a shim, loaded as the provider process does: the TypeScript source
 * when this is a checkout with its compiler, otherwise what `npm run build` made (an installed
 * package, or a checkout installed without devDependencies). The transpile cache's key covers
 * what makes its output: the transpile settings' version (`transpile-1`: bump it when they
 * change), the compiler's version, the file and its text. No comments inside: this function's
 * text is serialized into every resource's state.
 */
export function loadProvider(module: string, exportName: string): pulumi.dynamic.ResourceProvider {
    const fs = require("fs") as typeof import("fs");
    const path = require("path") as typeof import("path");
    const crypto = require("crypto") as typeof import("crypto");
    const cwd = process.cwd();
    let root: string | undefined;
    for (let dir = cwd; root === undefined; dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string }).name === "clusterlab") {
            root = dir;
        } else if (path.dirname(dir) === dir) {
            break;
        }
    }
    if (root === undefined) {
        try {
            root = path.dirname(require.resolve("clusterlab/package.json", { paths: [cwd] }));
        } catch {
            throw new Error(`clusterlab's dynamic provider ${exportName} cannot be loaded: no package named clusterlab above ${cwd} or installed there`);
        }
    }
    const source = path.join(root, `${module}.ts`);
    const compiled = path.join(root, "bin", `${module}.js`);
    let typescript: string | undefined;
    try {
        typescript = require.resolve("typescript/package.json", { paths: [root] });
    } catch {
        typescript = undefined;
    }
    let file = compiled;
    if (fs.existsSync(source) && typescript !== undefined) {
        file = source;
        if (require.extensions[".ts"] === undefined) {
            const cacheDir = path.join(root, "node_modules", ".cache", "clusterlab-providers");
            const compiler = `transpile-1 typescript@${(JSON.parse(fs.readFileSync(typescript, "utf8")) as { version: string }).version}`;
            let ts: typeof import("typescript") | undefined;
            require.extensions[".ts"] = (loaded: NodeJS.Module, filename: string) => {
                const text = fs.readFileSync(filename, "utf8");
                const cached = path.join(cacheDir, `${crypto.createHash("sha256").update(`${compiler}\n${filename}\n${text}`).digest("hex")}.js`);
                let js: string;
                if (fs.existsSync(cached)) {
                    js = fs.readFileSync(cached, "utf8");
                } else {
                    ts ??= require(path.dirname(typescript!)) as typeof import("typescript");
                    js = ts.transpileModule(text, {
                        fileName: filename,
                        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
                    }).outputText;
                    try {
                        fs.mkdirSync(cacheDir, { recursive: true });
                        const temporary = `${cached}.${process.pid}`;
                        fs.writeFileSync(temporary, js);
                        fs.renameSync(temporary, cached);
                    } catch {
                        // best effort
                    }
                }
                (loaded as unknown as { _compile(code: string, filename: string): void })._compile(js, filename);
            };
        }
    } else if (!fs.existsSync(compiled) && fs.existsSync(source)) {
        throw new Error(`clusterlab's dynamic provider ${exportName} cannot be loaded: ${source} needs typescript (npm ci in ${root}) or ${compiled} (npm run build)`);
    }
    const provider = (require(file) as Record<string, pulumi.dynamic.ResourceProvider | undefined>)[exportName];
    if (provider === undefined) {
        throw new Error(`clusterlab's dynamic provider ${exportName} is not exported by ${file}`);
    }
    return provider;
}
