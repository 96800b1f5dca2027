import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { KvStore } from "../../images/edm-worker-api/src/consul-kv";
import { ConsulAgent, KeptRegistration, ServiceRegistration } from "../../images/edm-worker-api/src/consul-registration";
import { endpointsOf, Instances, readiness, renderRegistrationOverride, viewContainers } from "../../images/edm-worker-api/src/instances";
import { CommandResult, Runner } from "../../images/edm-worker-api/src/runner";
import { createServer, route } from "../../images/edm-worker-api/src/server";

/** Consul's KV as a map, shared by the workers of a test like the real one. */
function memoryKv(): KvStore & { data: Map<string, string> } {
    const data = new Map<string, string>();
    return {
        data,
        async get(key) { return data.get(key); },
        async put(key, value) { data.set(key, value); },
        async deleteTree(prefix) { [...data.keys()].filter((k) => k.startsWith(prefix)).forEach((k) => data.delete(k)); },
    };
}

const ok = (stdout = ""): CommandResult => ({ code: 0, stdout, stderr: "" });
const inspectJson = (health: string | undefined, status = "running") => JSON.stringify([{
    Config: { Labels: { "com.docker.compose.service": "web" } },
    State: { Running: status === "running", Status: status, ...(health === undefined ? {} : { Health: { Status: health } }) },
    NetworkSettings: { Ports: { "8080/tcp": [{ HostIp: "0.0.0.0", HostPort: "49153" }], "9000/tcp": null } },
}]);

/** A docker/git/compose stand-in for the tests: records every command and answers like the tools. */
function fakeTools(options: { missingRepo?: boolean; gogsDown?: boolean; buildFails?: boolean; healthSequence?: (string | undefined)[]; exited?: boolean; buildGate?: Promise<void> } = {}) {
    const calls: string[] = [];
    const health = [...(options.healthSequence ?? ["healthy"])];
    const run: Runner = async (file, args) => {
        calls.push([file, ...args].join(" "));
        if (file === "git" && args[0] === "clone") {
            const target = args[args.length - 1];
            fs.mkdirSync(target, { recursive: true });
            fs.writeFileSync(path.join(target, "docker-compose.yml"), "services: {web: {build: .}}\n");
            return ok();
        }
        if (file === "docker-compose") {
            if (args.includes("build") && options.buildGate) {
                await options.buildGate;
            }
            if (args.includes("build") && options.buildFails) {
                return { code: 1, stdout: "", stderr: "Step 2/3 : RUN make\nmake: *** No targets.  Stop." };
            }
            if (args.includes("config") && args.includes("--services")) {
                return ok("web\n");
            }
            return ok(args.includes("ps") ? "c0ffee\n" : "");
        }
        if (file === "docker" && args[0] === "inspect") {
            return ok(inspectJson(health.length > 1 ? health.shift() : health[0], options.exited ? "exited" : "running"));
        }
        if (file === "docker" && args[0] === "network" && args[1] === "ls") {
            return ok("edm-app1_default\tedm-app1\nedm-busy_default\tedm-busy\nsomeone-else_default\tsomeone-else\n");
        }
        if (file === "docker" && args[0] === "network" && args[1] === "rm") {
            return args[2] === "edm-busy_default" ? { code: 1, stdout: "", stderr: "network has active endpoints" } : ok();
        }
        return { code: 99, stdout: "", stderr: `unexpected command ${file} ${args.join(" ")}` };
    };
    const httpStatus = async (url: string) => {
        calls.push(`GET ${url}`);
        if (options.gogsDown) {
            throw new Error("connect ECONNREFUSED 172.18.0.3:3000");
        }
        return options.missingRepo ? 404 : 200;
    };
    return { run, httpStatus, calls };
}

interface Running { url: string; close(): Promise<void>; dataDir: string }

async function startWorker(name: string, kv: KvStore, tools: ReturnType<typeof fakeTools>, registration = () => "passing"): Promise<Running> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "edm-api-test-"));
    const worker = { name, advertiseAddress: `10.0.0.${name.slice(-1)}`, apiUrl: "" };
    const instances = new Instances({ run: tools.run, httpStatus: tools.httpStatus, kv, worker, gogsUrl: "http://gogs:3000", dataDir, readyTimeoutMs: 5000, pollMs: 5 });
    const server = createServer({ instances, kv, worker, registration });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    worker.apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
        url: worker.apiUrl,
        dataDir,
        close: () => new Promise((resolve) => server.close(() => {
            fs.rmSync(dataDir, { recursive: true, force: true });
            resolve();
        })),
    };
}

function call(base: string, method: string, urlPath: string, body?: string): Promise<{ status: number; json: any; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
        const req = http.request(new URL(urlPath, base), { method }, (res) => {
            let text = "";
            res.on("data", (chunk) => (text += chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text), headers: res.headers }));
        });
        req.on("error", reject);
        req.end(body);
    });
}

describe("EDM worker API (unit: real HTTP server, faked docker, git and consul)", () => {
    let kv: ReturnType<typeof memoryKv>;
    let workers: Running[] = [];
    beforeEach(() => {
        kv = memoryKv();
        workers = [];
    });
    afterEach(async () => {
        await Promise.all(workers.map((w) => w.close()));
    });
    const worker = async (name: string, tools = fakeTools()) => {
        const running = await startWorker(name, kv, tools);
        workers.push(running);
        return running;
    };
    const build = (w: Running, id = "app1") => call(w.url, "POST", `/instances/${id}/build`, JSON.stringify({ repository: "alice/app1" }));

    it("answers /ready with 200 only while its consul registration's check passes, saying where it stands", async () => {
        let state = "not registered yet";
        const w = await startWorker("worker1", kv, fakeTools(), () => state);
        workers.push(w);
        assert.deepStrictEqual([(await call(w.url, "GET", "/ready")).status, (await call(w.url, "GET", "/ready")).json],
            [503, { registration: "not registered yet", worker: "worker1" }]);
        state = "passing";
        assert.strictEqual((await call(w.url, "GET", "/ready")).status, 200);
        assert.strictEqual((await call(w.url, "GET", "/health")).status, 200, "/health stays liveness: consul's check asks it");
    });

    it("answers /health with its worker's name, and unknown paths and methods with 404 and 405", async () => {
        const w = await worker("worker1");
        assert.deepStrictEqual((await call(w.url, "GET", "/health")).json, { status: "ok", worker: "worker1" });
        assert.strictEqual((await call(w.url, "GET", "/nope")).status, 404);
        const wrong = await call(w.url, "GET", "/instances/app1/start");
        assert.strictEqual(wrong.status, 405);
        assert.strictEqual(wrong.headers.allow, "POST");
    });

    it("refuses bad requests with 400 and says what was expected", async () => {
        const w = await worker("worker1");
        const cases: [string, string | undefined, RegExp][] = [
            ["/instances/App_1/build", JSON.stringify({ repository: "a/b" }), /instance id must be lowercase/],
            ["/instances/app1/build", undefined, /body must be \{"repository": "<owner>\/<name>"\}, got no body/],
            ["/instances/app1/build", "{not json", /request body must be JSON/],
            ["/instances/app1/build", "[1]", /must be a JSON object/],
            ["/instances/app1/build", JSON.stringify({ repository: "no-owner" }), /"repository" must be "<owner>\/<name>"/],
        ];
        for (const [urlPath, body, expected] of cases) {
            const answer = await call(w.url, "POST", urlPath, body);
            assert.strictEqual(answer.status, 400, urlPath);
            assert.match(answer.json.error, expected);
        }
    });

    it("answers 404 for a repository gogs does not have, and records nothing", async () => {
        const tools = fakeTools({ missingRepo: true });
        const w = await worker("worker1", tools);
        const answer = await build(w);
        assert.strictEqual(answer.status, 404);
        assert.strictEqual(answer.json.error, "repository alice/app1 not found on gogs (http://gogs:3000/alice/app1.git)");
        assert.deepStrictEqual(tools.calls, ["GET http://gogs:3000/api/v1/repos/alice/app1"]);
        assert.strictEqual(kv.data.size, 0);
    });

    it("answers 502 when gogs cannot be reached: the request was fine, a dependency was not", async () => {
        const w = await worker("worker1", fakeTools({ gogsDown: true }));
        const answer = await build(w);
        assert.strictEqual(answer.status, 502);
        assert.strictEqual(answer.json.error, "gogs could not be reached at http://gogs:3000: connect ECONNREFUSED 172.18.0.3:3000");
    });

    it("answers 404 for a start, stop, status or delete of an instance nobody built", async () => {
        const w = await worker("worker1");
        for (const [method, suffix] of [["POST", "/start"], ["POST", "/stop"], ["GET", ""], ["DELETE", ""]]) {
            const answer = await call(w.url, method, `/instances/ghost${suffix}`);
            assert.strictEqual(answer.status, 404, `${method} ${suffix}`);
            assert.match(answer.json.error, /unknown instance ghost/);
        }
    });

    it("builds from gogs: clones, builds with compose under the instance's project, and records instance/<id>/ip in KV", async () => {
        const tools = fakeTools();
        const w = await worker("worker1", tools);
        const answer = await build(w);
        assert.strictEqual(answer.status, 201, JSON.stringify(answer.json));
        assert.strictEqual(answer.json.worker, "worker1");
        assert.strictEqual(answer.json.state, "built");
        const src = path.join(w.dataDir, "instances", "app1", "src");
        assert.deepStrictEqual(tools.calls, [
            "GET http://gogs:3000/api/v1/repos/alice/app1",
            `git clone --quiet --depth 1 http://gogs:3000/alice/app1.git ${src}`,
            `docker-compose --project-name edm-app1 --file ${src}/docker-compose.yml config --services`,
            `docker-compose --project-name edm-app1 --file ${src}/docker-compose.yml --file ${path.dirname(src)}/registration.compose.json build --quiet`,
        ]);
        // Every service named for registrator, which registers only containers so named.
        assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(path.dirname(src), "registration.compose.json"), "utf8")),
            { services: { web: { labels: { SERVICE_NAME: "edm-app1-web" } } } });
        assert.deepStrictEqual(Object.fromEntries(kv.data), {
            "instance/app1/ip": "10.0.0.1", "instance/app1/worker": "worker1", "instance/app1/api": w.url,
        });
    });

    it("starts with compose and answers only once the containers are healthy, with the endpoints at the worker's address", async () => {
        const tools = fakeTools({ healthSequence: ["starting", "starting", "healthy"] });
        const w = await worker("worker1", tools);
        await build(w);
        const answer = await call(w.url, "POST", "/instances/app1/start");
        assert.strictEqual(answer.status, 200, JSON.stringify(answer.json));
        assert.deepStrictEqual(answer.json.endpoints, { "web:8080/tcp": "10.0.0.1:49153" });
        assert.strictEqual(tools.calls.filter((c) => c.startsWith("docker inspect")).length, 3, "polled until healthy, no fixed sleep");
        assert.strictEqual(kv.data.get("instance/app1/endpoints"), JSON.stringify({ "web:8080/tcp": "10.0.0.1:49153" }));
        assert.strictEqual((await call(w.url, "GET", "/instances/app1")).json.state, "running");
    });

    it("reports an instance whose container exits at start as 422, not as started", async () => {
        const w = await worker("worker1", fakeTools({ exited: true, healthSequence: [undefined] }));
        await build(w);
        const answer = await call(w.url, "POST", "/instances/app1/start");
        assert.strictEqual(answer.status, 422);
        assert.strictEqual(answer.json.error, "instance app1 did not start: service web exited");
    });

    it("refuses a start before a successful build with 409, after saying why the build failed (422)", async () => {
        const w = await worker("worker1", fakeTools({ buildFails: true }));
        const failed = await build(w);
        assert.strictEqual(failed.status, 422);
        assert.match(failed.json.error, /^instance app1: docker-compose build failed:\nStep 2\/3 : RUN make\nmake: \*\*\* No targets/);
        assert.strictEqual(kv.data.size, 0, "only a built instance is recorded in KV");
        const start = await call(w.url, "POST", "/instances/app1/start");
        assert.strictEqual(start.status, 409);
        assert.strictEqual(start.json.error, "instance app1 is not built: its last build failed or did not finish (POST /instances/app1/build)");
    });

    it("refuses a start while the instance is still being built with 409", async () => {
        let release = () => {};
        const gate = new Promise<void>((resolve) => (release = resolve));
        const w = await worker("worker1", fakeTools({ buildGate: gate }));
        const building = build(w);
        await new Promise((resolve) => setTimeout(resolve, 50));
        const refused = await call(w.url, "POST", "/instances/app1/start");
        release();
        assert.strictEqual(refused.status, 409);
        assert.strictEqual(refused.json.error, "instance app1 is busy: build in progress");
        assert.strictEqual((await building).status, 201);
    });

    it("forwards a request for an instance to the worker that built it, as KV records", async () => {
        const w1 = await worker("worker1");
        const w2 = await worker("worker2");
        assert.strictEqual((await build(w2)).json.worker, "worker2");
        const answer = await call(w1.url, "POST", "/instances/app1/start");
        assert.strictEqual(answer.status, 200);
        assert.strictEqual(answer.json.worker, "worker2");
        assert.strictEqual(answer.headers["x-edm-forwarded-by"], "worker1");
        assert.strictEqual((await call(w1.url, "POST", "/instances/app1/build", JSON.stringify({ repository: "alice/app1" }))).json.worker, "worker2",
            "a rebuild happens where the instance lives");
    });

    it("stops (containers and networks go, images stay) and deletes with images, clone, KV entries and EDM's unused networks", async () => {
        const tools = fakeTools();
        const w = await worker("worker1", tools);
        await build(w);
        await call(w.url, "POST", "/instances/app1/start");
        const stopped = await call(w.url, "POST", "/instances/app1/stop");
        assert.strictEqual(stopped.json.state, "stopped");
        assert.ok(tools.calls[tools.calls.length - 1].endsWith("down --remove-orphans"));
        assert.strictEqual(kv.data.has("instance/app1/endpoints"), false);
        const deleted = await call(w.url, "DELETE", "/instances/app1");
        assert.strictEqual(deleted.status, 200);
        assert.ok(tools.calls.some((c) => c.endsWith("down --rmi local --volumes --remove-orphans")));
        assert.deepStrictEqual(deleted.json.networksRemoved, ["edm-app1_default"], "in-use and other projects' networks are left");
        assert.ok(!tools.calls.includes("docker network rm someone-else_default"));
        assert.strictEqual(kv.data.size, 0);
        assert.strictEqual(fs.existsSync(path.join(w.dataDir, "instances", "app1")), false);
        assert.strictEqual((await call(w.url, "GET", "/instances/app1")).status, 404);
    });
});

describe("EDM worker API pure helpers", () => {
    it("routes paths and decodes ids", () => {
        assert.deepStrictEqual(route("/instances/a1/start"), { kind: "instance", id: "a1", action: "start" });
        assert.deepStrictEqual(route("/instances/a1"), { kind: "instance", id: "a1", action: undefined });
        assert.strictEqual(route("/instances/a/b/c"), undefined);
    });

    it("is ready only when every container runs and each healthcheck says healthy", () => {
        const view = (health?: string, status = "running") => viewContainers(inspectJson(health, status));
        assert.strictEqual(readiness(view("starting")), "waiting");
        assert.strictEqual(readiness(view("healthy")), "ready");
        assert.strictEqual(readiness(view(undefined)), "ready");
        assert.deepStrictEqual(readiness(view("unhealthy")), { failed: "service web is unhealthy" });
        assert.strictEqual(readiness([]), "waiting");
        assert.deepStrictEqual(endpointsOf(view("healthy"), "127.0.0.1"), { "web:8080/tcp": "127.0.0.1:49153" });
    });
});

describe("EDM worker API: its own consul registration, kept (unit: a consul agent played in memory)", () => {
    const registration: ServiceRegistration = { ID: "edm-worker-api-worker1", Name: "edm-worker-api", Check: { HTTP: "http://worker1-api:8833/health" } };

    /** An agent that keeps registrations in a map; `verdict` is the check's answer, `down` makes every call fail. */
    function memoryAgent() {
        const services = new Map<string, ServiceRegistration>();
        const agent = {
            services, verdict: 200, down: false, calls: [] as string[],
            async serviceHealth(id: string) {
                agent.calls.push(`health ${id}`);
                if (agent.down) {
                    throw new Error("connect ECONNREFUSED 172.18.0.4:8500");
                }
                return services.has(id) ? agent.verdict : 404;
            },
            async register(service: ServiceRegistration) {
                agent.calls.push(`register ${service.ID}`);
                services.set(service.ID, service);
            },
            async deregister(id: string) {
                agent.calls.push(`deregister ${id}`);
                if (agent.down) {
                    throw new Error("connect ECONNREFUSED 172.18.0.4:8500");
                }
                services.delete(id);
            },
        };
        return agent satisfies ConsulAgent;
    }

    it("registers where the agent has none, then only looks; registers again when an agent made anew has forgotten it", async () => {
        const agent = memoryAgent();
        const kept = new KeptRegistration(agent, registration, () => {});
        assert.strictEqual(kept.state, "not registered yet");
        assert.strictEqual(await kept.check(), "passing");
        assert.deepStrictEqual(agent.services.get(registration.ID), registration);
        agent.calls.length = 0;
        assert.strictEqual(await kept.check(), "passing");
        assert.deepStrictEqual(agent.calls, [`health ${registration.ID}`], "a registered service is only looked at");
        agent.services.clear();
        assert.strictEqual(await kept.check(), "passing");
        assert.ok(agent.services.has(registration.ID), "registered again in the new agent");
    });

    it("reports consul's verdict (critical, warning) and an unreachable agent, and is ready again once the agent answers", async () => {
        const agent = memoryAgent();
        const kept = new KeptRegistration(agent, registration, () => {});
        agent.verdict = 503;
        assert.strictEqual(await kept.check(), "critical");
        agent.verdict = 429;
        assert.strictEqual(await kept.check(), "warning");
        agent.down = true;
        assert.strictEqual(await kept.check(), "agent unreachable");
        agent.down = false;
        agent.verdict = 200;
        assert.strictEqual(await kept.check(), "passing");
    });

    it("deregisters on stop and looks no more; an agent already gone is no error", async () => {
        const agent = memoryAgent();
        const lines: string[] = [];
        const kept = new KeptRegistration(agent, registration, (line) => lines.push(line));
        kept.start(5);
        await new Promise((resolve) => setTimeout(resolve, 30));
        assert.ok(agent.services.has(registration.ID));
        await kept.stop();
        assert.ok(!agent.services.has(registration.ID));
        const looked = agent.calls.length;
        await new Promise((resolve) => setTimeout(resolve, 30));
        assert.strictEqual(agent.calls.length, looked, "no look after stop");
        agent.down = true;
        await new KeptRegistration(agent, registration, (line) => lines.push(line)).stop();
        assert.match(lines[lines.length - 1], /deregistering edm-worker-api-worker1: connect ECONNREFUSED/);
    });
});

describe("EDM worker API: the compose file that names an instance's services for registrator", () => {
    it("names every service edm-<id>-<service>, and declares the instance file's version (compose 1.29 refuses mixed versions)", () => {
        const override = JSON.parse(renderRegistrationOverride("shop", ["web", "db"], 'version: "3.7"\nservices:\n  web:\n    build: .\n'));
        assert.deepStrictEqual(override, {
            version: "3.7",
            services: { web: { labels: { SERVICE_NAME: "edm-shop-web" } }, db: { labels: { SERVICE_NAME: "edm-shop-db" } } },
        });
    });

    it("declares no version for a file without one (the compose specification's form)", () => {
        assert.deepStrictEqual(JSON.parse(renderRegistrationOverride("a1", ["app"], "services:\n  app: {image: x}\n")),
            { services: { app: { labels: { SERVICE_NAME: "edm-a1-app" } } } });
    });
});
