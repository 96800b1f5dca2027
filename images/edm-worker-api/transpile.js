/* global require, process, console */
/* eslint-disable @typescript-eslint/no-require-imports -- plain Node.js run by Debian's node in the image build */
// Transpiles src/*.ts to plain JavaScript with Debian's TypeScript (node-typescript) inside the
// image build: no npm registry needed. Type checking is not done here but in the repository's
// own `npm run typecheck` (TypeScript 5.9, strict), which includes this folder's sources.
const fs = require("fs");
const path = require("path");
const ts = require("typescript");

const [from, to] = process.argv.slice(2);
fs.mkdirSync(to, { recursive: true });
for (const name of fs.readdirSync(from).filter((n) => n.endsWith(".ts")).sort()) {
    const source = fs.readFileSync(path.join(from, name), "utf8");
    const out = ts.transpileModule(source, {
        compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, esModuleInterop: true },
        reportDiagnostics: true,
        fileName: name,
    });
    if ((out.diagnostics || []).length > 0) {
        console.error(ts.formatDiagnostics(out.diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => from, getNewLine: () => "\n" }));
        process.exit(1);
    }
    fs.writeFileSync(path.join(to, name.replace(/\.ts$/, ".js")), out.outputText);
}
