import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PreviewEvent, renderReview, summarizePreview } from "../../review/render";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "fixtures", name), "utf8");
const golden = (name: string) => fs.readFileSync(path.join(__dirname, "golden", name), "utf8");

/** A preview recorded from the real engine: agent2 removed, agent3 added, agent1's resources and the bind address edited. */
const recorded: PreviewEvent[] = fixture("preview-events-mixed.jsonl").trim().split("\n").map((line) => JSON.parse(line));

/**
 * clusterlab's Docker resources replace rather than update, so no recorded preview has an
 * update step; this one is written by hand in the engine's shape, to cover the renderer's row.
 */
const handWrittenUpdate: PreviewEvent = {
    resourcePreEvent: {
        metadata: {
            op: "update", type: "clusterlab:core:Service", diffs: ["description"],
            urn: "urn:pulumi:review-demo::clusterlab::clusterlab:mesos:MesosCluster$clusterlab:core:Service::wraxl-redis",
            new: { parent: "urn:pulumi:review-demo::clusterlab::clusterlab:mesos:MesosCluster::wraxl" },
        },
    },
};

describe("review renderer", () => {
    it("renders a recorded preview: counts, each change with its reason, the violations (golden)", () => {
        const review = summarizePreview("review-demo", [...recorded, handWrittenUpdate]);
        assert.strictEqual(renderReview(review, { fullDiff: "  ± replace wraxl-master\n" }), golden("review-mixed.md"));
        assert.strictEqual(review.failed, true);
    });

    it("says why each replacement happens and warns where data goes", () => {
        const rows = summarizePreview("review-demo", recorded).clusters.get("wraxl (MesosCluster)") ?? [];
        assert.deepStrictEqual(rows.filter((r) => r.op === "replace").map((r) => [r.name, r.why.split(":")[0]]).sort(),
            [["wraxl-agent1", "env changed"], ["wraxl-master", "ports changed"]]);
        assert.ok(rows.some((r) => r.op === "delete" && r.type === "Volume" && r.why === "removed, with its data"));
    });

    it("leaves out the stack and the default provider, which change with every output and config edit", () => {
        const step = (type: string, urn: string): PreviewEvent => ({ resourcePreEvent: { metadata: { op: "update", type, urn } } });
        const review = summarizePreview("local", [
            step("pulumi:pulumi:Stack", "urn:pulumi:local::clusterlab::pulumi:pulumi:Stack::clusterlab-local"),
            step("pulumi:providers:pulumi-nodejs", "urn:pulumi:local::clusterlab::pulumi:providers:pulumi-nodejs::default"),
        ]);
        assert.strictEqual(review.clusters.size, 0);
    });

    it("says what the preview is against: the deployed stack's state, or none (a new stack)", () => {
        const review = summarizePreview("team", [{ summaryEvent: { resourceChanges: { create: 2, same: 9 }, result: "succeeded" } }]);
        const deployed = renderReview(review, { backend: "s3://bucket/state" }).split("\n");
        assert.deepStrictEqual(deployed.slice(0, 4), [
            "<!-- clusterlab-review stack=team -->", "## `pulumi preview` of stack `team`: ✅ policies pass", "",
            "Against the deployed stack's state in `s3://bucket/state`.",
        ]);
        const fresh = renderReview(review, { backend: "file:///tmp/state", newStack: true }).split("\n");
        assert.strictEqual(fresh[3], "A new stack: `file:///tmp/state` holds no state of it, so every resource shows as created.");
    });

    it("passes a preview with no violations and says when nothing changes", () => {
        const review = summarizePreview("local", [{ summaryEvent: { resourceChanges: { same: 21 }, result: "succeeded" } }]);
        assert.strictEqual(review.failed, false);
        assert.strictEqual(renderReview(review), [
            "<!-- clusterlab-review stack=local -->",
            "## `pulumi preview` of stack `local`: ✅ policies pass", "",
            "| same |", "| ---: |", "| 21 |", "",
            "No resource changes.", "",
        ].join("\n"));
    });
});
