// Run as its own process by the preview-scaling benchmark: evaluates an OarCluster of N nodes
// under Pulumi's mocks (no engine, no CLI) until every resource reached the mocks, and prints
// one JSON line: {nodes, resources, ms, maxRssKb}. Its own process, so peak memory is its own.
import { byType, dockerTypes, installMocks, recorded, settle } from "../../test/support/mocks";

async function main(nodes: number): Promise<void> {
    installMocks("bench");
    // Required after installMocks, as the unit tests do: the SDK reads the mocks at load time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { OarCluster } = require("../../components/oar") as typeof import("../../components/oar");
    // Timed from here: loading and compiling the modules is a fixed cost, not the program's.
    const started = Date.now();
    new OarCluster("bench", { nodes });
    // A container per node, the server's and the frontend's: done when the last one arrived.
    while (byType(dockerTypes.container).length < nodes + 2) {
        await settle();
    }
    const ms = Date.now() - started;
    console.log(JSON.stringify({ nodes, resources: recorded.length, ms, maxRssKb: process.resourceUsage().maxRSS }));
}

main(Number(process.argv[2])).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
