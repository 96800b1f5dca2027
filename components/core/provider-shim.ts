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
// program's folder): the nearest package.json named `clusterlab` above the cwd (a checkout of this
// repository in any folder: a CI clone, a moved checkout), else `clusterlab` resolved from the cwd
// (a user's program that installed the package). There `provider-loader.js` (beside this file in a
// checkout, in `bin/` in the package) loads the implementation: the TypeScript source transpiled
// by the checkout's own compiler, or the compiled `bin/<module>.js`. Only the bootstrap that finds
// the loader is serialized: about 3 KB per copy for a container, 5.4 KB when the whole loader was
// (and each resource keeps two copies, in its inputs and its outputs). No absolute path is stored, so a state keeps working when the checkout moves.
//
// The contract this makes: a (module, export) pair once written into states must keep naming a
// provider that handles every state earlier versions produced, and `provider-loader.js` must keep
// its place and its `loadProvider(root, module, exportName)`. Resources created before the shim
// keep their old self-contained code in their outputs, which `delete` uses; those created by the
// first shim (which carried the whole loader) need only the (module, export) pair.

type Method = "check" | "diff" | "create" | "read" | "update" | "delete";
const methods: Method[] = ["check", "diff", "create", "read", "update", "delete"];

/**
 * A provider that delegates to `exportName` of `module` (a path from the package root, without
 * extension, e.g. `components/core/docker/resources`). `implementation` is that same export as
 * the program sees it: only which methods it has is read (Pulumi's provider process treats a
 * missing `read` or `update` differently from one that exists), it is not serialized.
 */
export function shimProvider(module: string, exportName: string, implementation: pulumi.dynamic.ResourceProvider): pulumi.dynamic.ResourceProvider {
    // One `load` closure holds the names; each method's closure holds only `load` and its own name.
    const load = () => loadProvider(module, exportName) as unknown as Record<Method, (...a: unknown[]) => unknown>;
    const shim: Record<string, unknown> = {};
    for (const method of methods) {
        if (typeof implementation[method] === "function") {
            shim[method] = (...args: unknown[]) => load()[method](...args);
        }
    }
    return shim as unknown as pulumi.dynamic.ResourceProvider;
}

/**
 * The implementation named by a shim, as the provider process finds it: the package root, then
 * its provider-loader.js. No comments inside: this function's text is serialized into every
 * resource's state.
 */
export function loadProvider(module: string, exportName: string): pulumi.dynamic.ResourceProvider {
    const fs = require("fs") as typeof import("fs");
    const path = require("path") as typeof import("path");
    const cwd = process.cwd();
    let root = cwd;
    while (!(fs.existsSync(path.join(root, "package.json")) && (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { name?: string }).name === "clusterlab")) {
        if (path.dirname(root) === root) {
            try {
                root = path.dirname(require.resolve("clusterlab/package.json", { paths: [cwd] }));
            } catch {
                throw new Error(`clusterlab's dynamic provider ${exportName} cannot be loaded: no package named clusterlab above ${cwd} or installed there`);
            }
            break;
        }
        root = path.dirname(root);
    }
    const loader = ["", "bin"].map((dir) => path.join(root, dir, "components", "core", "provider-loader.js")).find((file) => fs.existsSync(file));
    if (loader === undefined) {
        throw new Error(`clusterlab's dynamic provider ${exportName} cannot be loaded: ${root} has no components/core/provider-loader.js`);
    }
    return (require(loader) as typeof import("./provider-loader")).loadProvider(root, module, exportName);
}
