import * as assert from "assert";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { buildContentTag } from "../../components/core/image";
import { danglingVolumes, labelledLeftovers } from "./support/lifecycle";
import { eventually } from "./support/poll";
import { docker, e2eOptOut, prepareToolchain, repoRoot } from "./support/toolchain";

// The EDM platform's third-party images, each built once (as DockerImage would tag it, so a
// component's later build is a cache hit) and run with plain `docker run` on a throwaway network.
// Everything the suite creates carries `clusterlab.stack=<run>`, and is removed in `after`.
const baseImage = "debian:bookworm-slim";
const run = `e2e-edmimg-${crypto.randomBytes(3).toString("hex")}`;
const label = `clusterlab.stack=${run}`;
const network = run;

function build(name: string): string {
    const dir = path.join(repoRoot, "images", name);
    const tag = `clusterlab/${name}:${buildContentTag(dir, baseImage)}`;
    if (docker("images", "-q", tag) === "") {
        const started = Date.now();
        execFileSync("docker", ["build", "--quiet", "--force-rm", "--build-arg", `BASE_IMAGE=${baseImage}`, "--tag", tag, dir],
            { stdio: ["ignore", "ignore", "pipe"] });
        console.log(`      built ${tag} in ${((Date.now() - started) / 1000).toFixed(0)}s`);
    }
    return tag;
}

/** `docker run -d` with the suite's label and network; returns the container's name. */
function start(name: string, args: string[], image: string, command: string[] = []): string {
    const container = `${run}-${name}`;
    docker("run", "-d", "--name", container, "--label", label, "--network", network, "--network-alias", name,
        "--memory", "512m", ...args, image, ...command);
    return container;
}

async function healthy(container: string, seconds = 120): Promise<void> {
    await eventually(`${container} healthy`, seconds, () => {
        const status = docker("inspect", "-f", "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}", container);
        if (status.startsWith("exited")) {
            throw new Error(`${container} exited:\n${docker("logs", "--tail", "40", container)}`);
        }
        return status === "running healthy";
    });
}

function hostPort(container: string, port: number): number {
    return Number(/:(\d+)$/.exec(docker("port", container, `${port}/tcp`).split("\n")[0])![1]);
}

async function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const server = net.createServer().listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.name=e2e", "-c", "user.email=e2e@localhost", ...args],
        { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

const describeE2e = e2eOptOut ? describe.skip : describe;

describeE2e("EDM images end to end — consul 1.16.3, registrator stand-in, gitea 1.26.0 (in gogs's place) on the real engine", function () {
    this.timeout(45 * 60 * 1000);
    const images: Record<string, string> = {};
    let dangling = new Set<string>();

    before(() => {
        prepareToolchain();
        dangling = danglingVolumes();
        for (const name of ["consul", "registrator-standin", "gitea"]) {
            images[name] = build(name);
        }
        docker("network", "create", "--label", label, network);
    });

    after(() => {
        const containers = docker("ps", "-aq", "--filter", `label=${label}`).split("\n").filter((id) => id !== "");
        if (containers.length > 0) {
            docker("rm", "-f", "-v", ...containers);
        }
        const volumes = docker("volume", "ls", "-q", "--filter", `label=${label}`).split("\n").filter((v) => v !== "");
        if (volumes.length > 0) {
            docker("volume", "rm", ...volumes);
        }
        docker("network", "rm", network);
        assert.deepStrictEqual(labelledLeftovers(run), []);
        // Anonymous volumes (64 hex digits) only: other suites' named volumes may dangle for a
        // moment on this shared engine.
        const newDangling = [...danglingVolumes()].filter((v) => !dangling.has(v) && /^[0-9a-f]{64}$/.test(v));
        assert.deepStrictEqual(newDangling, [], "anonymous volumes left behind");
    });

    let server = "";
    let client = "";

    it("consul: a server and a client joined to it both become healthy, and `consul members` lists both alive", async () => {
        const consulVolume = docker("volume", "create", "--label", label, `${run}-consul-data`);
        server = start("consul-server", ["-v", `${consulVolume}:/consul/data`, "-p", "127.0.0.1::8500"], images.consul, [
            "agent", "-server", "-bootstrap-expect=1", "-ui", "-data-dir=/consul/data", "-client=0.0.0.0",
            "-bind=0.0.0.0", "-advertise={{ GetInterfaceIP \"eth0\" }}", "-node=consul-server"]);
        client = start("consul-client", [], images.consul, [
            "agent", "-data-dir=/consul/data", "-client=0.0.0.0", "-bind=0.0.0.0",
            "-advertise={{ GetInterfaceIP \"eth0\" }}", "-retry-join=consul-server", "-node=worker1"]);
        await healthy(server);
        await healthy(client);
        const members = docker("exec", server, "consul", "members");
        assert.match(members, /^consul-server\s+\S+:8301\s+alive\s+server\b/m);
        assert.match(members, /^worker1\s+\S+:8301\s+alive\s+client\b/m);
        const ui = await fetch(`http://127.0.0.1:${hostPort(server, 8500)}/ui/`);
        assert.strictEqual(ui.status, 200, "the consul UI answers");
        assert.match(await ui.text(), /consul/i);
    });

    it("registrator-standin: a container with a published port appears in the server's catalog through the client agent, and leaves it when removed", async () => {
        const registrator = start("registrator", ["-v", "/var/run/docker.sock:/tmp/docker.sock"], images["registrator-standin"],
            ["-ip", "127.0.0.1", "consul://consul-client:8500"]);
        await healthy(registrator, 60);
        const api = `http://127.0.0.1:${hostPort(server, 8500)}/v1`;
        const probe = start("worker-api-probe", ["-p", "127.0.0.1::8833", "--label", "SERVICE_NAME=edm-worker-api",
            "--label", "SERVICE_TAGS=edm,probe"], baseImage, ["sleep", "infinity"]);
        const published = hostPort(probe, 8833);
        let entries: { ServiceID: string; ServiceAddress: string; ServicePort: number; ServiceTags: string[]; Node: string }[] = [];
        await eventually("edm-worker-api in the server's catalog", 30, async () => {
            entries = await (await fetch(`${api}/catalog/service/edm-worker-api`)).json() as typeof entries;
            return entries.length === 1;
        });
        const services = await (await fetch(`${api}/catalog/services`)).json() as Record<string, string[]>;
        assert.ok("edm-worker-api" in services, "listed in /v1/catalog/services");
        assert.strictEqual(entries[0].Node, "worker1", "registered through the worker's client agent");
        assert.strictEqual(entries[0].ServiceAddress, "127.0.0.1");
        assert.strictEqual(entries[0].ServicePort, published);
        assert.deepStrictEqual(entries[0].ServiceTags, ["edm", "probe"]);
        assert.match(entries[0].ServiceID, new RegExp(`:${probe}:8833$`));
        docker("rm", "-f", probe);
        await eventually("edm-worker-api gone from the catalog", 30, async () =>
            ((await (await fetch(`${api}/catalog/service/edm-worker-api`)).json()) as unknown[]).length === 0);
    });

    it("gitea: healthy with no install wizard; the admin from the password file creates a repo by API, and git push / clone over HTTP round-trip", async () => {
        const password = crypto.randomBytes(12).toString("base64url");
        const port = await freePort();
        const external = `http://127.0.0.1:${port}/`;
        const giteaVolume = docker("volume", "create", "--label", label, `${run}-gitea-data`);
        const gitea = `${run}-gitea`;
        docker("create", "--name", gitea, "--label", label, "--network", network, "--network-alias", "gitea", "--memory", "512m",
            "-v", `${giteaVolume}:/data`, "-p", `127.0.0.1:${port}:3000`, "-e", `GOGS_EXTERNAL_URL=${external}`,
            "-e", "GOGS_ADMIN_USER=edmadmin", "-e", "GOGS_ADMIN_PASSWORD_FILE=/run/secrets/gogs-admin-password", images.gitea);
        // As a component ships the secret: a root-owned 0600 file copied in before the first start.
        const secretDir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterlab-edmimg-"));
        fs.writeFileSync(path.join(secretDir, "admin-password"), password, { mode: 0o600 });
        docker("cp", path.join(secretDir, "admin-password"), `${gitea}:/run/secrets/gogs-admin-password`);
        docker("start", gitea);
        await healthy(gitea, 180);

        const auth = { Authorization: `Basic ${Buffer.from(`edmadmin:${password}`).toString("base64")}` };
        const wizard = await fetch(`${external}install`, { redirect: "manual" });
        assert.notStrictEqual(wizard.status, 200, "the install wizard is locked");
        const denied = await fetch(`${external}api/v1/user`, { headers: { Authorization: `Basic ${Buffer.from("edmadmin:wrong").toString("base64")}` } });
        assert.strictEqual(denied.status, 401, "a wrong password is refused");
        const created = await fetch(`${external}api/v1/user/repos`, {
            method: "POST", headers: { ...auth, "Content-Type": "application/json" },
            body: JSON.stringify({ name: "instance-42", private: true }),
        });
        const body = await created.text();
        assert.strictEqual(created.status, 201, body);
        const repo = JSON.parse(body) as { clone_url: string };
        assert.strictEqual(repo.clone_url, `${external}edmadmin/instance-42.git`, "ROOT_URL comes from GOGS_EXTERNAL_URL");

        const work = fs.mkdtempSync(path.join(os.tmpdir(), "clusterlab-edmimg-git-"));
        const remote = repo.clone_url.replace("://", `://edmadmin:${password}@`);
        fs.mkdirSync(path.join(work, "push"));
        git(path.join(work, "push"), "init", "-q", "-b", "main");
        fs.writeFileSync(path.join(work, "push", "server.js"), "// generated server code\n");
        git(path.join(work, "push"), "add", "server.js");
        git(path.join(work, "push"), "commit", "-q", "-m", "generated code");
        git(path.join(work, "push"), "push", "-q", remote, "main");
        git(work, "clone", "-q", remote, "clone");
        assert.strictEqual(fs.readFileSync(path.join(work, "clone", "server.js"), "utf8"), "// generated server code\n");
        assert.strictEqual(git(path.join(work, "clone"), "rev-parse", "HEAD"), git(path.join(work, "push"), "rev-parse", "HEAD"));

        // A restart runs the first-start steps again: nothing is made twice, and nothing is lost.
        docker("restart", gitea);
        await healthy(gitea, 120);
        const repos = await (await fetch(`${external}api/v1/user/repos`, { headers: auth })).json() as { name: string }[];
        assert.deepStrictEqual(repos.map((r) => r.name), ["instance-42"]);
        const admins = docker("exec", "-u", "git", gitea, "gitea", "--config", "/data/gitea/conf/app.ini", "admin", "user", "list", "--admin");
        assert.strictEqual(admins.split("\n").filter((line) => /\bedmadmin\b/.test(line)).length, 1);
        fs.rmSync(work, { recursive: true, force: true });
        fs.rmSync(secretDir, { recursive: true, force: true });
    });
});
