import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { backendForReaders } from "../../review/main";

interface Step { name?: string; run?: string; env?: Record<string, string>; if?: string }

const workflow = parse(fs.readFileSync(path.join(__dirname, "..", "..", ".github", "workflows", "preview-review.yml"), "utf8")) as {
    jobs: { review: { env: Record<string, string>; steps: Step[] } };
};
const job = workflow.jobs.review;
const step = (name: RegExp) => job.steps.find((s) => s.name !== undefined && name.test(s.name));

describe("the pull-request review workflow: the branch against the team's deployed stack", () => {
    it("takes the backend and its credentials from repository secrets, and the stack from a variable", () => {
        assert.deepStrictEqual(
            [job.env.PULUMI_BACKEND_URL, job.env.PULUMI_ACCESS_TOKEN, job.env.PULUMI_CONFIG_PASSPHRASE],
            ["${{ secrets.PULUMI_BACKEND_URL }}", "${{ secrets.PULUMI_ACCESS_TOKEN }}", "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"]);
        assert.match(job.env.STACK, /^\$\{\{ vars\.CLUSTERLAB_REVIEW_STACK \|\| 'local' \}\}$/);
    });

    it("requires the stack's state when a backend is given, and falls back to a throwaway one only without", () => {
        const run = step(/^Review/)?.run ?? "";
        assert.match(run, /if \[ -n "\$PULUMI_BACKEND_URL" \] \|\| \[ -n "\$PULUMI_ACCESS_TOKEN" \]; then\n\s*#[^\n]*\n\s*#[^\n]*\n\s*state=\(--require-state\)/);
        assert.match(run, /npm run review -- --stack "\$STACK" --out review\.md "\$\{state\[@\]\}"/);
    });

    it("keeps one comment per pull request and stack (scripts/pr-comment.sh), and fails on a mandatory violation", () => {
        assert.match(step(/^Post it/)?.run ?? "", /^bash scripts\/pr-comment\.sh "\$\{\{ github\.event\.pull_request\.number \}\}" review\.md$/);
        assert.strictEqual(step(/^Fail/)?.if, "steps.review.outputs.status != '0'");
    });
});

describe("the review's backend line", () => {
    it("names the backend without credentials or query", () => {
        assert.strictEqual(backendForReaders("s3://KEY:SECRET@team-state/clusterlab?region=eu-west-1&awssdk=v2"), "s3://team-state/clusterlab");
        assert.strictEqual(backendForReaders("file:///tmp/state"), "file:///tmp/state");
    });
});
