// The benchmarks of issue #11, from one command: `npm run bench` (options: --nodes 10,50
// --runs 3 --preview-sizes 10,100,1000 --out <file>|none). Prints tables and writes
// bench/results/<date>.json, or the --out file, or nothing with `--out none` (a busy machine's run).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TestStack } from "../test/e2e/support/lifecycle";
import { prepareToolchain, repoRoot } from "../test/e2e/support/toolchain";
import { previewEnv } from "../review/preview-env";
import { ClusterlabSide } from "./lib/clusterlab-side";
import { OarLifecycle, OarRun } from "./lib/oar-lifecycle";
import { mockEvalOnce, previewOnce } from "./lib/preview-scaling";
import { Figure, figureOf, growthPer10x, ratioOf, renderTable, seconds } from "./lib/stats";

function option(name: string, fallback: string): string {
    const at = process.argv.indexOf(`--${name}`);
    return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}
const sizes = (value: string) => value.split(",").map(Number).filter((n) => Number.isInteger(n) && n > 0);

const runs = Number(option("runs", "3"));
const clusterSizes = sizes(option("nodes", "10"));
const previewSizes = sizes(option("preview-sizes", "10,100,1000"));

const figure = (rows: OarRun[], key: keyof OarRun) => figureOf(rows.map((row) => row[key] as number));
const cell = (f: Figure) => `${seconds(f.median)} (${seconds(f.min)}–${seconds(f.max)})`;
const coresCell = (f: Figure) => `${f.median.toFixed(2)} (${f.min.toFixed(2)}–${f.max.toFixed(2)})`;

async function lifecycle(composeBin: string, nodes: number) {
    const side = new ClusterlabSide();
    // Untimed warm-up: builds the images (content-hash tags) if missing, so no run pays for it.
    await side.init(1);
    await side.up();
    await side.destroy();
    const bench = new OarLifecycle(side, nodes, composeBin);
    const rows: OarRun[] = [];
    try {
        for (let i = 0; i < runs; i++) {
            rows.push(await bench.run());
            console.error(`bench: ${nodes} nodes, run ${i + 1}/${runs}: ${JSON.stringify(rows[i])}`);
        }
    } finally {
        await bench.dispose();
        await side.dispose();
    }
    const f = {
        clusterlabReady: figure(rows, "clusterlabReadyMs"), composeReady: figure(rows, "composeReadyMs"),
        floorHealthy: figure(rows, "floorHealthyMs"), floorStarted: figure(rows, "floorStartedMs"),
        clusterlabDestroy: figure(rows, "clusterlabDestroyMs"),
        emptyDestroy: figure(rows, "emptyDestroyMs"), objectsGoneDestroy: figure(rows, "objectsGoneDestroyMs"),
        pulumiAloneDestroy: figure(rows, "pulumiAloneDestroyMs"),
        // What a destroy run by Pulumi takes at least: Pulumi's own steps with nothing to do, plus
        // the engine's removal of the same objects (the floor's), per run.
        destroyBound: figureOf(rows.map((row) => row.pulumiAloneDestroyMs + row.floorDownMs)),
        composeDown: figure(rows, "composeDownMs"), floorDown: figure(rows, "floorDownMs"),
        scaleOut: figure(rows, "scaleOutMs"), noopUp: figure(rows, "noopUpMs"),
        clusterlabIdleCores: figure(rows, "clusterlabIdleCores"), composeIdleCores: figure(rows, "composeIdleCores"),
    };
    return {
        nodes, runs: rows, figures: f,
        timeToReadyRatio: ratioOf(f.clusterlabReady, f.composeReady),
        destroyRatio: ratioOf(f.clusterlabDestroy, f.composeDown),
        readyVsFloorRatio: ratioOf(f.clusterlabReady, f.floorHealthy),
        destroyVsFloorRatio: ratioOf(f.clusterlabDestroy, f.floorDown),
        scaleOutChanges: rows.map((row) => row.scaleOutChanges),
        noopChanges: rows.map((row) => row.noopChanges),
    };
}

async function previewScaling() {
    const stack = new TestStack("oar", "bench-preview");
    const points = [];
    try {
        await stack.init({});
        for (const nodes of previewSizes) {
            const previews = [];
            const stepless = [];
            const mocks = [];
            for (let i = 0; i < runs; i++) {
                previews.push(await previewOnce(stack, nodes));
                stepless.push(await previewOnce(stack, nodes, previewEnv));
                mocks.push(await mockEvalOnce(nodes));
            }
            points.push({
                nodes,
                preview: figureOf(previews.map((p) => p.ms)), previewMaxRssKb: figureOf(previews.map((p) => p.maxRssKb)),
                // The same preview without a snapshot after every step (review/preview-env.ts): Pulumi 3.274's share removed.
                previewNoStepSnapshots: figureOf(stepless.map((p) => p.ms)),
                mocks: figureOf(mocks.map((m) => m.ms)), mocksMaxRssKb: figureOf(mocks.map((m) => m.maxRssKb)),
                resources: mocks[0].resources,
            });
            console.error(`bench: preview scaling, ${nodes} nodes done`);
        }
    } finally {
        await stack.dispose();
    }
    return {
        points,
        previewGrowth: growthPer10x(points.map((p) => ({ size: p.nodes, cost: p.preview.median }))),
        previewNoStepSnapshotsGrowth: growthPer10x(points.map((p) => ({ size: p.nodes, cost: p.previewNoStepSnapshots.median }))),
        mocksGrowth: growthPer10x(points.map((p) => ({ size: p.nodes, cost: p.mocks.median }))),
    };
}

async function main() {
    prepareToolchain();
    const composeBin = execFileSync("bash", [path.join(repoRoot, "scripts", "compose-toolchain.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
    const composeVersion = execFileSync(composeBin, ["version", "--short"], { encoding: "utf8" }).trim();
    const started = new Date();
    const oar = [];
    for (const nodes of clusterSizes) {
        oar.push(await lifecycle(composeBin, nodes));
    }
    const preview = previewSizes.length > 0 ? await previewScaling() : undefined;

    for (const result of oar) {
        const f = result.figures;
        console.log(`\nOarCluster, ${result.nodes} nodes — seconds, median (min–max) of ${runs} runs`);
        console.log(renderTable(["", "clusterlab", "docker compose", "ratio", "floor (parallel API)", "ratio to floor"], [
            ["time to job-ready", cell(f.clusterlabReady), cell(f.composeReady), String(result.timeToReadyRatio), cell(f.floorHealthy), String(result.readyVsFloorRatio)],
            ["destroy", cell(f.clusterlabDestroy), cell(f.composeDown), String(result.destroyRatio), cell(f.floorDown), String(result.destroyVsFloorRatio)],
            ["  destroy of the empty stack (the CLI alone)", cell(f.emptyDestroy), "", String(ratioOf(f.emptyDestroy, f.composeDown)), "", ""],
            ["  destroy, objects already gone (no engine work)", cell(f.objectsGoneDestroy), "", String(ratioOf(f.objectsGoneDestroy, f.composeDown)), "", ""],
            ["  Pulumi alone: as many no-op dynamic resources", cell(f.pulumiAloneDestroy), "", String(ratioOf(f.pulumiAloneDestroy, f.composeDown)), "", ""],
            ["  bound: Pulumi alone + the floor's removal", cell(f.destroyBound), "", String(ratioOf(f.destroyBound, f.composeDown)), "", String(ratioOf(f.destroyBound, f.floorDown))],
            [`scale out ${result.nodes} → ${result.nodes + 1}`, cell(f.scaleOut), "", "", "", ""],
            ["no-op up", cell(f.noopUp), "", "", "", ""],
            ["cores busy while the ready cluster idles (10 s)", coresCell(f.clusterlabIdleCores), coresCell(f.composeIdleCores), String(ratioOf(f.clusterlabIdleCores, f.composeIdleCores)), "", ""],
        ]));
        console.log(`state after up: ${(figure(result.runs, "stateBytes").median / 1024).toFixed(0)} KB (pulumi stack export)`);
        console.log(`scale-out changes: ${JSON.stringify(result.scaleOutChanges)}; no-op changes: ${JSON.stringify(result.noopChanges)}`);
    }
    if (preview !== undefined) {
        console.log(`\nPreview scaling — seconds and peak RSS (MB), median of ${runs} runs`);
        console.log(renderTable(["nodes", "resources", "pulumi preview", "preview peak MB", "no step snapshots", "mocks eval", "mocks peak MB"],
            preview.points.map((p) => [String(p.nodes), String(p.resources), cell(p.preview), (p.previewMaxRssKb.median / 1024).toFixed(0),
                cell(p.previewNoStepSnapshots), cell(p.mocks), (p.mocksMaxRssKb.median / 1024).toFixed(0)])));
        console.log(`growth per 10× nodes: preview ${JSON.stringify(preview.previewGrowth)}, `
            + `without step snapshots ${JSON.stringify(preview.previewNoStepSnapshotsGrowth)}, mocks ${JSON.stringify(preview.mocksGrowth)}`);
    }

    const ten = oar.find((r) => r.nodes === 10) ?? oar[0];
    const report = {
        date: started.toISOString(), machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30) },
        composeVersion, runs,
        timeToReadyRatio: ten?.timeToReadyRatio, destroyRatio: ten?.destroyRatio,
        oar, preview,
    };
    const out = option("out", "");
    if (out === "none") {
        return;
    }
    const file = out !== "" ? path.resolve(out) : path.join(repoRoot, "bench", "results", `${started.toISOString().slice(0, 10)}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nresults: ${path.relative(repoRoot, file)}`);
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
