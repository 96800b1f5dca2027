import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { changesOf, danglingVolumes, labelledLeftovers, policyPack, suiteStack } from "./support/lifecycle";
import { aliveNodes, resourceIds, runJob } from "./support/oar";
import { reviewOf } from "./support/review";
import { docker, e2eOptOut, shell } from "./support/toolchain";

const sshPort = 22022;
const userKeyDir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterlab-oar-user-"));
execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(userKeyDir, "id")]);
const userPublicKey = fs.readFileSync(path.join(userKeyDir, "id.pub"), "utf8").trim();
const oar = (nodes: number) => ({ oar: { kind: "oar", nodes, frontend: { sshPort, authorizedKeys: [userPublicKey] } } });

const describeE2e = e2eOptOut ? describe.skip : describe;

describeE2e("OarCluster end to end — real OAR 2.5.9 from Debian: server with PostgreSQL, frontend, nodes", function () {
    this.timeout(20 * 60 * 1000);
    const { stack, danglingBefore } = suiteStack("OarCluster e2e", "oar", oar(3));
    let names: Record<string, string>;

    it("OarCluster: preview with the policy pack plans keys, passwords, server, frontend and three nodes, no violation", async () => {
        const preview = await stack.preview({ policyPacks: [policyPack()] });
        assert.deepStrictEqual(Object.keys(changesOf(preview.changeSummary)), ["create"]);
    });

    it("OarCluster: up ends with three nodes joined and Alive", async () => {
        const started = Date.now();
        await stack.up();
        console.log(`      up to a job-ready 3-node cluster: ${((Date.now() - started) / 1000).toFixed(1)}s`);
        names = (await stack.outputs()).clusters.oar.containerNames;
        assert.deepStrictEqual(aliveNodes(names.server), ["node1", "node2", "node3"]);
        // The three nodes joined at once: each must still have drawn its own cpu and core ids.
        const resources = resourceIds(names.server);
        assert.deepStrictEqual(resources.map((r) => r.host).sort(), ["node1", "node2", "node3"]);
        assert.strictEqual(new Set(resources.map((r) => r.cpu)).size, 3, JSON.stringify(resources));
        assert.strictEqual(new Set(resources.map((r) => r.core)).size, 3, JSON.stringify(resources));
    });

    it("OarCluster: the output's submit command, pasted, runs a job", async () => {
        const outputs = (await stack.outputs()).clusters.oar;
        const submitted = shell(outputs.submitCommand);
        assert.match(submitted, /OAR_JOB_ID=\d+/);
    });

    it("OarCluster: the user logs in to the frontend over ssh on 127.0.0.1 with their own key, and oarstat answers", async () => {
        const outputs = (await stack.outputs()).clusters.oar;
        assert.strictEqual(outputs.sshCommand, `ssh -p ${sshPort} user@127.0.0.1`);
        const session = execFileSync("ssh", ["-i", path.join(userKeyDir, "id"), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-p", String(sshPort), "user@127.0.0.1", "hostname; oarstat >/dev/null && echo oarstat-ok"],
        { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        assert.deepStrictEqual(session.trim().split("\n"), ["frontend", "oarstat-ok"]);
    });

    it("OarCluster: a two-node job runs on two different nodes and ends with exit code 0", async () => {
        // OAR runs a job's command on its first node; oarsh reaches the others, as a user's script would.
        docker("exec", "-u", "user", "-w", "/home/user", names.frontend, "sh", "-c",
            "printf '%s\\n' '#!/bin/sh' 'for h in $(sort -u \"$OAR_NODEFILE\"); do oarsh \"$h\" hostname; done' > hostnames.sh && chmod +x hostnames.sh");
        const job = await runJob(names.frontend, "nodes=2", "./hostnames.sh");
        assert.strictEqual(job.state, "Terminated", JSON.stringify(job));
        assert.strictEqual(job.exitCode, "0");
        const hosts = job.stdout.trim().split("\n").sort();
        assert.strictEqual(hosts.length, 2, job.stdout);
        assert.notStrictEqual(hosts[0], hosts[1]);
        assert.ok(hosts.every((h) => /^node\d$/.test(h)), job.stdout);
    });

    it("OarCluster: an interactive job, driven without a terminal through script(1), reaches its node", () => {
        const transcript = docker("exec", names.frontend, "su", "-", "user", "-c",
            "echo 'echo INTERACTIVE-ON-$(hostname); exit' | script -qec 'oarsub -I -l nodes=1' /dev/null");
        assert.match(transcript, /INTERACTIVE-ON-node\d/);
    });

    it("OarCluster: keys and database passwords are secrets — not in the state file nor in plain outputs", async () => {
        const state = fs.readFileSync(path.join(stack.backendDir, ".pulumi", "stacks", "clusterlab", `${stack.name}.json`), "utf8");
        const oarKey = docker("exec", names.server, "cat", "/var/lib/oar/.ssh/id_ed25519").split("\n")[2];
        const password = /DB_BASE_PASSWD="?([A-Za-z0-9]+)"?/.exec(docker("exec", names.server, "cat", "/etc/oar/oar.conf"))?.[1];
        assert.ok(oarKey && oarKey.length > 20 && password && password.length >= 20);
        assert.ok(!state.includes(oarKey), "the private key is in the state file in plain text");
        assert.ok(!state.includes(password!), "the database password is in the state file in plain text");
        assert.ok(!JSON.stringify(await stack.outputs()).includes(oarKey));
    });

    it("OarCluster: a second preview and a refresh report no changes", async () => {
        assert.deepStrictEqual(changesOf((await stack.preview({ expectNoChanges: true })).changeSummary), {});
        assert.deepStrictEqual(changesOf((await stack.refresh({ expectNoChanges: true })).summary.resourceChanges), {});
    });

    it("OarCluster: `npm run review` of a branch that adds node4, against the deployed stack's state (--require-state): node4's creates and nothing else", async () => {
        // What a pull request's review runs (.github/workflows/preview-review.yml), on this
        // stack's backend as the team's: the branch's stack file says 4 nodes where 3 run.
        const { status, stderr, markdown } = await reviewOf(stack.name, stack.env, () => stack.setClusters(oar(4)));
        assert.strictEqual(status, 0, stderr);
        assert.match(markdown, /^<!-- clusterlab-review stack=e2e-oar-\w+ -->\n## `pulumi preview` of stack `e2e-oar-\w+`: ✅ policies pass\n\nAgainst the deployed stack's state in `file:\/\//);
        const rows = markdown.split("\n").filter((line) => /^\| [+~±-] /.test(line));
        // node4's Service component and its container; it joins OAR by itself.
        assert.strictEqual(rows.length, 2, markdown);
        for (const row of rows) {
            assert.match(row, /^\| \+ create \| `[^`]*node4[^`]*` \|/, markdown);
        }
        const counts = markdown.split("\n").slice(5, 8);
        assert.deepStrictEqual([counts[0], counts[2].split("|")[1].trim()], ["| create | same |", "2"], markdown);
    });

    it("OarCluster: a review that must be against deployed state, given a backend without the stack (a wrong secret), fails naming it; it never shows everything as new", async () => {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "clusterlab-empty-backend-"));
        try {
            const { status, stderr, markdown } = await reviewOf(stack.name, { ...stack.env, PULUMI_BACKEND_URL: `file://${empty}` }, async () => {});
            assert.strictEqual(status, 2, stderr);
            assert.ok(stderr.includes(`stack "${stack.name}" has no state in file://${empty}`), stderr);
            assert.strictEqual(markdown, "");
        } finally {
            fs.rmSync(empty, { recursive: true, force: true });
        }
    });

    it("OarCluster: 3 → 4 nodes creates only node4 (its Service and container), which joins OAR by itself; 4 → 3 removes them, and node4 has left OAR", async () => {
        await stack.setClusters(oar(4));
        const grow = await stack.up();
        assert.deepStrictEqual(changesOf(grow.summary.resourceChanges), { create: 2 });
        assert.deepStrictEqual(aliveNodes(names.server), ["node1", "node2", "node3", "node4"]);
        assert.strictEqual(new Set(resourceIds(names.server).map((r) => r.cpu)).size, 4, "node4 draws a cpu id of its own");
        await stack.setClusters(oar(3));
        const shrink = await stack.up();
        assert.deepStrictEqual(changesOf(shrink.summary.resourceChanges), { delete: 2 });
        assert.deepStrictEqual(aliveNodes(names.server), ["node1", "node2", "node3"]);
        assert.ok(!docker("exec", names.server, "oarnodes", "-s").includes("node4"));
    });

    it("OarCluster: destroy leaves no container, network or volume with the stack's label", async () => {
        const started = Date.now();
        await stack.destroy();
        console.log(`      destroy: ${((Date.now() - started) / 1000).toFixed(1)}s`);
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
        assert.deepStrictEqual([...danglingVolumes()].filter((v) => !danglingBefore().has(v)), [], "no anonymous volume left behind");
    });
});
