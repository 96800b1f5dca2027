import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { stringify } from "yaml";
import { isActiveEndpoints, retryDelays } from "./network-removal";
import { sleep } from "../../test/e2e/support/poll";
import { renderComposeProject } from "./compose-file";
import type { DeployedGraph } from "./deployment";

const run = promisify(execFile);

/** The peer: `docker compose` on a file generated from what clusterlab deployed. */
export class ComposeSide {
    private readonly dir: string;

    constructor(private readonly compose: string, private readonly project: string, graph: DeployedGraph) {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterlab-bench-compose-"));
        fs.writeFileSync(this.file, stringify(renderComposeProject(graph)));
    }

    get file(): string {
        return path.join(this.dir, "compose.yaml");
    }

    /** `up --wait`: every healthcheck passing. */
    async up(): Promise<void> {
        await this.compose_("up", "--detach", "--wait", "--wait-timeout", "300");
    }

    /**
     * `down --volumes`, run again (as a user would) while Docker 20.10 refuses the network for a
     * stale endpoint of a container just removed ("has active endpoints"; bench/stale-endpoint.ts):
     * once, on 2026-12-07, that stopped a 50-node bench. The retries count in its time, as
     * clusterlab's own network removal's do in its destroy.
     */
    async down(): Promise<void> {
        for (const delay of [...retryDelays(30_000), undefined]) {
            try {
                await this.compose_("down", "--volumes", "--timeout", "10");
                return;
            } catch (error) {
                if (delay === undefined || !isActiveEndpoints(error)) {
                    throw error;
                }
                await sleep(delay);
            }
        }
    }

    dispose(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    private async compose_(...args: string[]): Promise<void> {
        await run(this.compose, ["--project-name", this.project, "--file", this.file, ...args], { maxBuffer: 1 << 24 });
    }
}
