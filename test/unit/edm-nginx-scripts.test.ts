import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// images/edm-nginx's two scripts, run for real with a stand-in `nginx` on PATH: `edm-apply-upstream`
// (the one-shot step that installs the upstream) and the entrypoint's reload watcher. The e2e
// suites run them in the image against real nginx.

const images = path.resolve(__dirname, "..", "..", "images", "edm-nginx");

/** A folder for the upstream, and a `nginx` that logs its argv and refuses `-t` while `refuse` exists. */
function sandbox() {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "edm-nginx-"));
    const dir = path.join(root, "edm");
    const bin = path.join(root, "bin");
    fs.mkdirSync(dir);
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "nginx"), [
        "#!/bin/sh",
        `echo "$*" >> "${root}/nginx-calls"`,
        `if [ "$1" = -t ] && [ -f "${root}/refuse" ]; then echo "nginx: [emerg] host not found in upstream" >&2; exit 1; fi`,
        // `-g 'daemon off;'`: the foreground server, until it is told to stop.
        `if [ "$1" = -g ]; then trap 'exit 0' TERM; while :; do sleep 0.1; done; fi`,
        "exit 0",
    ].join("\n"), { mode: 0o755 });
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, EDM_NGINX_DIR: dir };
    const staged = path.join(root, "workers.conf");
    return {
        root, dir, env, staged,
        nginxCalls: () => (fs.existsSync(path.join(root, "nginx-calls")) ? fs.readFileSync(path.join(root, "nginx-calls"), "utf8").trim().split("\n") : []),
        apply: (content: string) => {
            fs.writeFileSync(staged, content);
            return spawnSync("sh", [path.join(images, "apply-upstream"), staged], { env, encoding: "utf8", timeout: 60_000 });
        },
    };
}

describe("edm-nginx's upstream step and reload watcher (unit: the image's scripts, a stand-in nginx)", function () {
    this.timeout(60_000);

    it("installs an upstream nginx accepts, and ends once the watcher answered its reload request", async () => {
        const box = sandbox();
        const watcher = spawn("sh", [path.join(images, "entrypoint")], { env: box.env, stdio: "ignore" });
        try {
            const applied = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
                fs.writeFileSync(box.staged, "upstream edm_workers { server worker1-api:8833; }\n");
                const step = spawn("sh", [path.join(images, "apply-upstream"), box.staged], { env: box.env });
                let stdout = "";
                step.stdout.on("data", (chunk) => (stdout += chunk));
                step.on("close", (status) => resolve({ status, stdout }));
            });
            assert.strictEqual(applied.status, 0, applied.stdout);
            assert.match(applied.stdout, /nginx reloaded the upstream/);
            assert.strictEqual(fs.readFileSync(path.join(box.dir, "workers.conf"), "utf8"), "upstream edm_workers { server worker1-api:8833; }\n");
            assert.ok(box.nginxCalls().includes("-s reload"), box.nginxCalls().join("\n"));
            assert.strictEqual(fs.readFileSync(path.join(box.dir, ".reloaded"), "utf8"), fs.readFileSync(path.join(box.dir, ".reload-request"), "utf8"));
        } finally {
            watcher.kill("SIGTERM");
        }
        const stopped = Date.now();
        await new Promise((resolve) => watcher.once("exit", resolve));
        assert.ok(Date.now() - stopped < 2000, "the entrypoint stops within a second or two of SIGTERM");
    });

    it("starts nginx without an upstream it refuses (workers not started yet), and puts it back once nginx accepts it", async () => {
        const box = sandbox();
        fs.writeFileSync(path.join(box.dir, "workers.conf"), "upstream edm_workers { server worker1-api:8833; }\n");
        fs.writeFileSync(path.join(box.root, "refuse"), "");
        const watcher = spawn("sh", [path.join(images, "entrypoint")], { env: box.env, stdio: "ignore" });
        try {
            const exists = (name: string) => fs.existsSync(path.join(box.dir, name));
            const until = async (what: string, condition: () => boolean) => {
                for (const started = Date.now(); !condition(); await new Promise((resolve) => setTimeout(resolve, 50))) {
                    assert.ok(Date.now() - started < 10_000, what);
                }
            };
            await until("nginx started without the upstream", () => exists("workers.conf.pending") && box.nginxCalls().some((c) => c.startsWith("-g")));
            await new Promise((resolve) => setTimeout(resolve, 700));
            assert.ok(exists("workers.conf.pending") && !exists("workers.conf"), "still set aside while nginx refuses it");
            fs.rmSync(path.join(box.root, "refuse"));
            await until("the upstream put back", () => exists("workers.conf") && !exists("workers.conf.pending"));
            await until("and reloaded", () => box.nginxCalls().includes("-s reload"));
            assert.strictEqual(fs.readFileSync(path.join(box.dir, "workers.conf"), "utf8"), "upstream edm_workers { server worker1-api:8833; }\n");
        } finally {
            watcher.kill("SIGTERM");
        }
    });

    it("keeps the previous upstream and fails when nginx refuses the new one, asking no reload", () => {
        const box = sandbox();
        fs.writeFileSync(path.join(box.dir, "workers.conf"), "the previous upstream\n");
        fs.writeFileSync(path.join(box.root, "refuse"), "");
        const refused = box.apply("upstream edm_workers { server nowhere:8833; }\n");
        assert.strictEqual(refused.status, 1);
        assert.match(refused.stderr, /nginx refuses the new upstream; the previous one stays/);
        assert.strictEqual(fs.readFileSync(path.join(box.dir, "workers.conf"), "utf8"), "the previous upstream\n");
        assert.ok(!fs.existsSync(path.join(box.dir, ".reload-request")));
    });

    it("fails, saying so, when no nginx answers the reload (the nginx container is not running)", () => {
        const box = sandbox();
        box.env.EDM_RELOAD_WAIT_SECONDS = "1";
        const alone = box.apply("upstream edm_workers { server worker1-api:8833; }\n");
        assert.strictEqual(alone.status, 1);
        assert.match(alone.stderr, /nginx did not reload it within 1 s \(is the nginx container running\?\)/);
    });
});
