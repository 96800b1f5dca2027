import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { z } from "zod";
import { describeIssues, formatPath, renderProblems } from "../../components/core/config";
import { buildContentTag } from "../../components/core/image";
import { dockerObjectName, renderLabels } from "../../components/core/labels";
import { imageSource, isPinnedImageReference } from "../../components/core/schema";
import { renderHealthcheck, shellJoin } from "../../components/core/service";

describe("core render and validation helpers", () => {
    it("accepts only pinned image references", () => {
        for (const ok of ["redis:7.0.15", "mesosphere/mesos-master:1.7.1", "host:5000/team/img:v2",
            `debian@sha256:${"a".repeat(64)}`]) {
            assert.ok(isPinnedImageReference(ok), ok);
        }
        for (const bad of ["redis", "redis:latest", "host:5000/team/img", "team/img:", `debian@sha256:${"a".repeat(10)}`]) {
            assert.ok(!isPinnedImageReference(bad), bad);
        }
    });

    it("never calls a reference pinned when its last segment has no tag (property)", () => {
        const segment = fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,10}[a-z0-9])?$/);
        fc.assert(fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.option(fc.integer({ min: 1, max: 65535 })),
            (parts, registryPort) => {
                const registry = registryPort === null ? "" : `registry:${registryPort}/`;
                const untagged = registry + parts.join("/");
                return !isPinnedImageReference(untagged) && isPinnedImageReference(`${untagged}:v1`) &&
                    !isPinnedImageReference(`${untagged}:latest`);
            }));
    });

    it("reads a bare string image as pinned, and rejects latest with a reason", () => {
        assert.deepStrictEqual(imageSource.parse("redis:7.0.15"), { pinned: "redis:7.0.15" });
        const result = imageSource.safeParse({ pinned: "redis:latest" });
        assert.ok(!result.success);
        assert.match(result.error.issues[0].message, /must be pinned/);
    });

    it("names Docker objects <stack>-<cluster>-<role> and labels them in a fixed order", () => {
        const scope = { stack: "dev", cluster: "wraxl", role: "master" };
        assert.strictEqual(dockerObjectName(scope), "dev-wraxl-master");
        assert.deepStrictEqual(renderLabels(scope), { "clusterlab.stack": "dev", "clusterlab.cluster": "wraxl", "clusterlab.role": "master" });
    });

    it("tags an image build by its folder's content and base image", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterlab-tag-"));
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM x\n");
        const first = buildContentTag(dir, "debian:bookworm-slim");
        assert.match(first, /^[0-9a-f]{12}$/);
        assert.strictEqual(buildContentTag(dir, "debian:bookworm-slim"), first);
        assert.notStrictEqual(buildContentTag(dir, "mirror/debian:bookworm-slim"), first);
        fs.writeFileSync(path.join(dir, "README.md"), "# what this image is\n");
        assert.strictEqual(buildContentTag(dir, "debian:bookworm-slim"), first, "the folder's README is not part of the image");
        fs.writeFileSync(path.join(dir, "entrypoint.sh"), "#!/bin/sh\n");
        assert.notStrictEqual(buildContentTag(dir, "debian:bookworm-slim"), first);
    });

    it("builds no image with its folder's README.md in it, which the content tag leaves out", () => {
        const images = path.join(__dirname, "..", "..", "images");
        for (const name of fs.readdirSync(images).filter((entry) => fs.existsSync(path.join(images, entry, "Dockerfile")))) {
            const copies = fs.readFileSync(path.join(images, name, "Dockerfile"), "utf8").split("\n")
                .filter((line) => /^\s*(COPY|ADD)\s/i.test(line) && !/--from=/.test(line));
            for (const line of copies) {
                // The sources: every word but the instruction, its flags and the destination.
                const sources = line.trim().split(/\s+/).slice(1).filter((word) => !word.startsWith("--")).slice(0, -1);
                assert.ok(!sources.some((source) => [".", "./", "*", "README.md"].includes(source)), `images/${name}/Dockerfile: ${line.trim()}`);
            }
        }
    });

    it("renders a healthcheck as a shell line with short intervals", () => {
        assert.deepStrictEqual(renderHealthcheck({ test: ["sh", "-c", "redis-cli ping | grep -q PONG"], startPeriodSeconds: 30 }), {
            shellCommand: "sh -c 'redis-cli ping | grep -q PONG'", intervalSeconds: 2, timeoutSeconds: 5, retries: 5, startPeriodSeconds: 30,
        });
    });

    it("quotes every argv word that the shell would otherwise split or expand", () => {
        assert.strictEqual(shellJoin(["/usr/local/bin/healthcheck"]), "/usr/local/bin/healthcheck");
        assert.strictEqual(shellJoin(["echo", "it's", "$HOME", "a b"]), `echo 'it'\\''s' '$HOME' 'a b'`);
        // The property a healthcheck relies on: sh reads the joined line back as the same argv.
        const word = fc.string({ unit: fc.constantFrom("a", " ", "'", '"', "$", "\\", "*", ";", "|", "\n", "é") });
        fc.assert(fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), (argv) => {
            const echoed = execFileSync("sh", ["-c", `printf '%s\\0' ${shellJoin(argv)}`], { encoding: "utf8" });
            assert.deepStrictEqual(echoed.split("\0").slice(0, -1), argv);
        }), { numRuns: 60 });
    });

    it("formats paths as a user reads them in YAML", () => {
        assert.strictEqual(formatPath("clusterlab:clusters", ["wraxl", "agents", 0, "name"]), "clusterlab:clusters.wraxl.agents[0].name");
        assert.strictEqual(formatPath("", ["agents", 2]), "agents[2]");
        assert.strictEqual(formatPath("", []), "(root)");
    });

    it("describes every issue with its path, what was expected and what was given", () => {
        const schema = z.strictObject({ count: z.number().int().min(1, "must be at least 1"), name: z.string() });
        const input = { count: 0, name: 5, extra: true };
        const result = schema.safeParse(input);
        assert.ok(!result.success);
        assert.strictEqual(renderProblems("invalid thing:", describeIssues("x", input, result.error)), [
            "invalid thing:",
            "  x.count: must be at least 1, got 0",
            "  x.name: Invalid input: expected string, received number, got 5",
            "  x.extra: is not a known setting",
        ].join("\n"));
    });
});
