// @ts-check
/* eslint-disable @typescript-eslint/no-require-imports */
/* global require, process, exports */
"use strict";
// Loads the implementation a provider shim names (provider-shim.ts), in Pulumi's dynamic-provider
// process: plain Node, no ts-node. Plain JavaScript because it is what makes the TypeScript
// loadable: a checkout runs its source without a build. Only the shim's few-line bootstrap is
// serialized into every resource's state; this file is found beside the package's sources (a
// checkout) or in its `bin/` (an installed package, where `npm run build` copies it), so its size
// and comments cost nothing per resource.

const fs = require("fs");
const path = require("path");
const crypto = require("crypto");

/**
 * The settings the transpile cache's key covers besides the compiler's version, the file and
 * its text: bump it when the options below change.
 */
const transpileSettings = "transpile-1";

/**
 * Makes `require()` of a `.ts` file transpile it with the checkout's own `typescript`, cached by
 * content under node_modules/.cache/clusterlab-providers, so a later provider process does not
 * load the compiler. Several provider processes may load at once: a cache file is written by
 * rename; a cache that cannot be written (a read-only node_modules) only costs the transpile.
 * @param {string} root the checkout
 * @param {string} typescriptManifest the compiler's package.json
 */
function registerTypeScript(root, typescriptManifest) {
    const cacheDir = path.join(root, "node_modules", ".cache", "clusterlab-providers");
    const compiler = `${transpileSettings} typescript@${JSON.parse(fs.readFileSync(typescriptManifest, "utf8")).version}`;
    /** @type {typeof import("typescript") | undefined} */
    let ts;
    require.extensions[".ts"] = (loaded, filename) => {
        const text = fs.readFileSync(filename, "utf8");
        const cached = path.join(cacheDir, `${crypto.createHash("sha256").update(`${compiler}\n${filename}\n${text}`).digest("hex")}.js`);
        let js;
        if (fs.existsSync(cached)) {
            js = fs.readFileSync(cached, "utf8");
        } else {
            ts ??= /** @type {typeof import("typescript")} */ (require(path.dirname(typescriptManifest)));
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
                // best effort: the transpiled text is in hand
            }
        }
        /** @type {{ _compile(code: string, filename: string): void }} */ (/** @type {unknown} */ (loaded))._compile(js, filename);
    };
}

/**
 * Providers that states of older versions name and this version no longer has, by module, with
 * what makes those objects now. A state holding one was made by an older clusterlab (before
 * commit ecfce7e for the Docker objects).
 * @type {Record<string, { exports: string[], now: string }>}
 */
const retiredProviders = {
    "components/core/docker/resources": {
        exports: ["containerProvider", "networkProvider", "volumeProvider", "imageProvider"],
        now: "Docker objects, which this version makes with @pulumi/docker",
    },
    "components/edm/consul-registration": {
        exports: ["consulServiceProvider"],
        now: "an EDM worker API's consul registration, which the worker API now makes itself",
    },
    "components/core/secrets": {
        exports: ["sshKeyPairProvider", "passwordProvider"],
        now: "a generated ssh key or password, which this version derives from the stack's clusterlab:secretSeed",
    },
    "components/edm/nginx-upstream": {
        exports: ["nginxConfigProvider"],
        now: "EDM's nginx upstream file, which this version installs with a one-shot container on a volume",
    },
};

/**
 * The implementation named by a shim: the TypeScript source when `root` is a checkout with its
 * compiler, otherwise what `npm run build` made (an installed package, or a checkout installed
 * without devDependencies). Where ts-node already registered `.ts` (the program, tests), its
 * loader is used.
 * @param {string} root the clusterlab package: a checkout, or an installed package
 * @param {string} module a path from the package root without extension, e.g. `components/core/docker/resources`
 * @param {string} exportName
 * @returns {import("@pulumi/pulumi").dynamic.ResourceProvider}
 */
function loadProvider(root, module, exportName) {
    const retired = retiredProviders[module];
    if (retired !== undefined && retired.exports.includes(exportName)) {
        throw new Error(`this stack's state holds ${retired.now} (${exportName} of ${module}): ` +
            "destroy the stack with the clusterlab version that deployed it, then `up` with this one; " +
            "or remove the objects by their clusterlab.stack label and `pulumi state delete` their resources");
    }
    const source = path.join(root, `${module}.ts`);
    const compiled = path.join(root, "bin", `${module}.js`);
    /** @type {string | undefined} */
    let typescript;
    try {
        typescript = require.resolve("typescript/package.json", { paths: [root] });
    } catch {
        typescript = undefined;
    }
    let file = compiled;
    if (fs.existsSync(source) && typescript !== undefined) {
        file = source;
        if (require.extensions[".ts"] === undefined) {
            registerTypeScript(root, typescript);
        }
    } else if (!fs.existsSync(compiled) && fs.existsSync(source)) {
        throw new Error(`clusterlab's dynamic provider ${exportName} cannot be loaded: ${source} needs typescript (npm ci in ${root}) or ${compiled} (npm run build)`);
    }
    const provider = require(file)[exportName];
    if (provider === undefined) {
        throw new Error(`clusterlab's dynamic provider ${exportName} is not exported by ${file}`);
    }
    return provider;
}

exports.loadProvider = loadProvider;
