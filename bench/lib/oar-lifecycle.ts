import { aliveNodes } from "../../test/e2e/support/oar";
import { sleep } from "../../test/e2e/support/poll";
import { ClusterlabSide } from "./clusterlab-side";
import { ComposeSide } from "./compose-side";
import type { DeployedGraph } from "./deployment";
import { floorDown, floorUp } from "./floor";
import { idleCores } from "./idle-load";
import { PulumiAlone } from "./pulumi-alone";

/** Every timing of one run of the OAR lifecycle, in ms, and what the updates changed. */
export interface OarRun {
    clusterlabReadyMs: number;
    /** Cores the machine keeps busy over 10 s while clusterlab's ready cluster idles. */
    clusterlabIdleCores: number;
    /** The deployed stack's state, in bytes (`pulumi stack export`). */
    stateBytes: number;
    noopUpMs: number;
    noopChanges: Record<string, number>;
    scaleOutMs: number;
    scaleOutChanges: Record<string, number>;
    clusterlabDestroyMs: number;
    /** `pulumi destroy` of the stack once it is empty: the CLI's own start and stack load, no resource. */
    emptyDestroyMs: number;
    /** `pulumi destroy` of a deployed cluster whose Docker objects were already removed: every step but the engine's work. */
    objectsGoneDestroyMs: number;
    /** `pulumi destroy` of as many dynamic resources that do nothing (bench/pulumi-alone): Pulumi's own cost. */
    pulumiAloneDestroyMs: number;
    composeReadyMs: number;
    /** The same for compose's ready cluster. */
    composeIdleCores: number;
    composeDownMs: number;
    floorStartedMs: number;
    floorHealthyMs: number;
    floorDownMs: number;
}

/** Waits until OAR lists `count` nodes Alive: the moment a job can be submitted. */
async function jobReady(server: string, count: number): Promise<void> {
    const deadline = Date.now() + 300_000;
    for (;;) {
        let alive: string[] = [];
        try {
            alive = aliveNodes(server);
        } catch {
            // The server answers exec only once it runs; keep looking until the deadline.
        }
        if (alive.length >= count) {
            return;
        }
        if (Date.now() > deadline) {
            throw new Error(`${server}: ${alive.length} of ${count} nodes Alive after 300 s`);
        }
        await sleep(200);
    }
}

async function timed(action: () => Promise<unknown>): Promise<number> {
    const started = Date.now();
    await action();
    return Date.now() - started;
}

/**
 * The OAR lifecycle at one size, run again and again: clusterlab (up from nothing to job-ready,
 * no-op up, scale out by one, destroy), then docker compose on the file generated from
 * clusterlab's first deployment (up --wait to job-ready, down -v), then the
 * floor (parallel API calls to all healthy, rm). The three never overlap; each starts from nothing.
 */
export class OarLifecycle {
    /** What clusterlab's first deployment made: the compose file and the floor are made from it. */
    private graph?: DeployedGraph;
    private compose?: ComposeSide;
    private readonly alone = new PulumiAlone();

    constructor(private readonly side: ClusterlabSide, private readonly nodes: number, private readonly composeBin: string) {}

    async run(): Promise<OarRun> {
        const { side, nodes } = this;
        await side.setNodes(nodes);
        // Time to ready = the `up` command + the wait for every node Alive; the stack output read
        // between them (the server's container name) is the harness's, not the user's, so untimed.
        const upMs = await side.up();
        const server = side.serverContainer();
        const clusterlabReadyMs = upMs + await timed(() => jobReady(server, nodes));
        const state = side.state();
        this.graph ??= side.deployed();
        const clusterlabIdleCores = await idleCores();
        this.compose ??= new ComposeSide(this.composeBin, `${side.stack.name}-compose`, this.graph);
        const noopUpMs = await side.up();
        const noopChanges = side.lastChanges();
        await side.setNodes(nodes + 1);
        const scaleOutMs = await side.up() + await timed(() => jobReady(server, nodes + 1));
        const scaleOutChanges = side.lastChanges();
        // Back to `nodes`, untimed, so destroy is measured on the cluster compose tears down.
        await side.setNodes(nodes);
        await side.up();
        const clusterlabDestroyMs = await side.destroy();
        // Where destroy's time goes: the CLI on an empty stack, then every step with nothing for
        // the engine to do (the cluster deployed again, untimed, and its objects removed the
        // floor's way first).
        const emptyDestroyMs = await side.destroy();
        await side.up();
        await floorDown(this.graph);
        const objectsGoneDestroyMs = await side.destroy();
        const pulumiAloneDestroyMs = await this.alone.destroyMs(state.customResources);

        const compose = this.compose;
        const composeReadyMs = await timed(async () => {
            await compose.up();
            await jobReady(server, nodes);
        });
        const composeIdleCores = await idleCores();
        const composeDownMs = await timed(() => compose.down());

        const floor = await floorUp(this.graph);
        const floorDownMs = await floorDown(this.graph);
        return {
            clusterlabReadyMs, clusterlabIdleCores, composeIdleCores, stateBytes: state.bytes, noopUpMs, noopChanges, scaleOutMs, scaleOutChanges, clusterlabDestroyMs, emptyDestroyMs, objectsGoneDestroyMs, pulumiAloneDestroyMs,
            composeReadyMs, composeDownMs, floorStartedMs: floor.startedMs, floorHealthyMs: floor.healthyMs, floorDownMs,
        };
    }

    async dispose(): Promise<void> {
        this.compose?.dispose();
        await this.alone.dispose();
    }
}
