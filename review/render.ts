// Renders a `pulumi preview` event stream (PULUMI_ENABLE_STREAMING_JSON_PREVIEW, or the
// Automation API's onEvent) as the Markdown a reviewer reads: what each cluster will create,
// update, replace or delete, why each replacement happens, and the policy violations.
// Pure: events in, text out.

/** The parts of Pulumi's engine events this renderer reads. */
export interface PreviewEvent {
    resourcePreEvent?: { metadata: StepMetadata };
    policyEvent?: { resourceUrn?: string; message: string; policyName: string; policyPackName: string; enforcementLevel: string };
    summaryEvent?: { resourceChanges?: Record<string, number>; result?: string };
    diagnosticEvent?: { message: string; severity: string };
}

interface StepState {
    type?: string;
    urn?: string;
    parent?: string;
    inputs?: { labels?: Record<string, string> };
}

interface StepMetadata {
    op: string;
    urn: string;
    type: string;
    keys?: string[];
    diffs?: string[];
    old?: StepState;
    new?: StepState;
}

/** One row of a cluster's table. */
export interface ReviewRow {
    op: "create" | "update" | "replace" | "delete";
    name: string;
    type: string;
    why: string;
}

export interface Review {
    stack: string;
    counts: Record<string, number>;
    clusters: Map<string, ReviewRow[]>;
    violations: { level: string; policy: string; resource: string; message: string }[];
    failed: boolean;
}

/** The name part of a URN: what follows the last `::`. */
export function urnName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/** The short type of a URN's resource: `Container`, `Service`, `MesosCluster`. */
export function shortType(type: string): string {
    return type.slice(type.lastIndexOf(":") + 1);
}

const shownOps: Record<string, ReviewRow["op"] | undefined> = {
    "create": "create", "update": "update", "replace": "replace", "delete": "delete",
    // A replacement shows up as three steps; the `replace` step carries the reasons.
    "create-replacement": undefined, "delete-replaced": undefined, "same": undefined,
};

/** Why a step happens, in words a reviewer acts on. */
function reasonFor(op: ReviewRow["op"], meta: StepMetadata): string {
    const keys = meta.keys ?? meta.diffs ?? [];
    switch (op) {
        case "replace": {
            const changed = keys.length > 0 ? `${keys.join(", ")} changed` : "a change forces it";
            const loss = meta.type.endsWith(":Container") ? ": the container is recreated and loses what is not on its volumes"
                : meta.type.endsWith(":Volume") ? ": THE VOLUME AND ITS DATA ARE RECREATED" : "";
            return `${changed}${loss}`;
        }
        case "update":
            return keys.length > 0 ? `${keys.join(", ")} changed in place` : "changed in place";
        case "create":
            return "new";
        case "delete":
            return meta.type.endsWith(":Volume") ? "removed, with its data" : "removed";
    }
}

/** Cluster names are the names of the clusterlab components above a resource (not the core building blocks). */
function clusterOf(urn: string, parents: Map<string, string | undefined>): string {
    let current: string | undefined = urn;
    let cluster = "(stack)";
    while (current !== undefined) {
        const type = current.slice(current.indexOf("::", current.indexOf("::") + 2) + 2, current.lastIndexOf("::"));
        const own = type.slice(type.lastIndexOf("$") + 1);
        if (/^clusterlab:(?!core:)[a-z]+:[A-Za-z]+$/.test(own)) {
            cluster = `${urnName(current)} (${shortType(own)})`;
        }
        current = parents.get(current);
    }
    return cluster;
}

/** Collects what a reviewer needs from the events of one preview. */
export function summarizePreview(stack: string, events: readonly PreviewEvent[]): Review {
    const parents = new Map<string, string | undefined>();
    for (const event of events) {
        const meta = event.resourcePreEvent?.metadata;
        if (meta !== undefined) {
            parents.set(meta.urn, meta.new?.parent ?? meta.old?.parent);
        }
    }
    const clusters = new Map<string, ReviewRow[]>();
    for (const event of events) {
        const meta = event.resourcePreEvent?.metadata;
        const op = meta && shownOps[meta.op];
        // The stack "updates" whenever its outputs do, and the default dynamic provider whenever
        // the stack config does (it is handed the whole config); the resources say what changes.
        if (meta === undefined || op === undefined || meta.type === "pulumi:pulumi:Stack" || meta.type.startsWith("pulumi:providers:")) {
            continue;
        }
        const cluster = clusterOf(meta.urn, parents);
        const rows = clusters.get(cluster) ?? [];
        rows.push({ op, name: urnName(meta.urn), type: shortType(meta.type), why: reasonFor(op, meta) });
        clusters.set(cluster, rows);
    }
    const violations = events.flatMap((event) => {
        const policy = event.policyEvent;
        return policy === undefined ? [] : [{
            level: policy.enforcementLevel,
            policy: `${policy.policyPackName}/${policy.policyName}`,
            resource: policy.resourceUrn ? urnName(policy.resourceUrn) : "(stack)",
            // The engine prefixes the policy's description; the reviewer needs the finding.
            message: policy.message.trim().split("\n").slice(-1)[0],
        }];
    });
    const summary = events.map((e) => e.summaryEvent).find((s) => s !== undefined);
    const counts = Object.fromEntries(Object.entries(summary?.resourceChanges ?? {}).filter(([, n]) => n > 0));
    const failed = summary?.result === "failed" || violations.some((v) => v.level === "mandatory");
    return { stack, counts, clusters, violations, failed };
}

const opOrder: ReviewRow["op"][] = ["replace", "delete", "create", "update"];
const opMark: Record<ReviewRow["op"], string> = { create: "+ create", update: "~ update", replace: "± replace", delete: "- delete" };

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/**
 * The hidden first line of a stack's review: the pull-request comment that carries it is the one
 * to edit on the next push (scripts/pr-comment.sh), as Pulumi's GitHub Action keeps one comment.
 */
export function reviewMarker(stack: string): string {
    return `<!-- clusterlab-review stack=${stack} -->`;
}

/** Where the preview's "before" came from. */
export interface ReviewContext {
    /** The backend the state was read from, without credentials. */
    backend?: string;
    /** The backend held no state of the stack: every resource shows as created. */
    newStack?: boolean;
    /** `pulumi preview --diff`'s text, folded below the tables. */
    fullDiff?: string;
}

/** The Markdown for a pull request: the summary first, the full diff folded below it. */
export function renderReview(review: Review, context: ReviewContext = {}): string {
    const lines: string[] = [reviewMarker(review.stack)];
    const mandatory = review.violations.filter((v) => v.level === "mandatory").length;
    const verdict = mandatory > 0 ? `❌ ${mandatory} mandatory policy violation${mandatory > 1 ? "s" : ""}`
        : review.failed ? "❌ preview failed" : "✅ policies pass";
    lines.push(`## \`pulumi preview\` of stack \`${review.stack}\`: ${verdict}`, "");
    if (context.backend !== undefined) {
        lines.push(context.newStack
            ? `A new stack: \`${context.backend}\` holds no state of it, so every resource shows as created.`
            : `Against the deployed stack's state in \`${context.backend}\`.`, "");
    }
    const ops = ["create", "update", "replace", "delete", "same"].filter((op) => review.counts[op] !== undefined);
    if (ops.length > 0) {
        lines.push(`| ${ops.join(" | ")} |`, `| ${ops.map(() => "---:").join(" | ")} |`, `| ${ops.map((op) => review.counts[op]).join(" | ")} |`, "");
    }
    if (review.clusters.size === 0) {
        lines.push("No resource changes.", "");
    }
    for (const [cluster, rows] of [...review.clusters.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        lines.push(`### ${cluster}`, "", "| change | resource | type | why |", "| --- | --- | --- | --- |");
        const sorted = [...rows].sort((a, b) => opOrder.indexOf(a.op) - opOrder.indexOf(b.op) || a.name.localeCompare(b.name) || a.type.localeCompare(b.type));
        for (const row of sorted) {
            lines.push(`| ${opMark[row.op]} | \`${row.name}\` | ${row.type} | ${cell(row.why)} |`);
        }
        lines.push("");
    }
    if (review.violations.length > 0) {
        lines.push("### Policy violations", "", "| level | policy | resource | finding |", "| --- | --- | --- | --- |");
        for (const v of review.violations) {
            lines.push(`| ${v.level} | ${v.policy} | \`${v.resource}\` | ${cell(v.message)} |`);
        }
        lines.push("");
    }
    if (context.fullDiff !== undefined) {
        lines.push("<details><summary>Full diff (<code>pulumi preview --diff</code>)</summary>", "", "```diff", context.fullDiff.trimEnd(), "```", "</details>", "");
    }
    return lines.join("\n");
}
