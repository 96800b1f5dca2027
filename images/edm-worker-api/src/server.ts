import * as http from "http";
import { KvStore } from "./consul-kv";
import { badRequest, HttpError } from "./errors";
import { checkInstanceId, Instances, kvKeys, WorkerIdentity } from "./instances";

/** Set on a request one worker forwards to another, so a forwarded request is never forwarded again. */
export const forwardedHeader = "x-edm-forwarded-by";
const maxBodyBytes = 64 * 1024;

export interface ServerDeps {
    instances: Instances;
    kv: KvStore;
    worker: WorkerIdentity;
    /** Where the API's own consul registration stands: `/ready` answers 200 only when it is passing. */
    registration: () => string;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBodyBytes) {
                reject(badRequest(`request body larger than ${maxBodyBytes} bytes`));
                req.destroy();
            } else {
                chunks.push(chunk);
            }
        });
        req.on("end", () => resolve(Buffer.concat(chunks)));
        req.on("error", reject);
    });
}

/** The JSON object of a request body; an empty body is `{}`. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
    if (body.length === 0) {
        return {};
    }
    let value: unknown;
    try {
        value = JSON.parse(body.toString("utf8"));
    } catch {
        throw badRequest("request body must be JSON");
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw badRequest("request body must be a JSON object");
    }
    return value as Record<string, unknown>;
}

type Route = { kind: "health" } | { kind: "ready" } | { kind: "list" } | { kind: "instance"; id: string; action?: string };

/** `/instances/<id>[/<action>]`, `/health`, `/ready`, `/`; undefined for any other path. Pure. */
export function route(pathname: string): Route | undefined {
    if (pathname === "/health") {
        return { kind: "health" };
    }
    if (pathname === "/ready") {
        return { kind: "ready" };
    }
    if (pathname === "/" || pathname === "/instances") {
        return { kind: "list" };
    }
    const match = /^\/instances\/([^/]+)(?:\/([^/]+))?\/?$/.exec(pathname);
    return match === null ? undefined : { kind: "instance", id: decodeURIComponent(match[1]), action: match[2] };
}

const allowed: Record<string, string> = { "": "GET, DELETE", build: "POST", start: "POST", stop: "POST" };

/** Replays a request on the worker that owns the instance and relays its answer. */
function forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, target: string, self: string): Promise<void> {
    return new Promise((resolve, reject) => {
        const upstream = http.request(new URL(req.url ?? "/", target), {
            method: req.method,
            headers: { "content-type": "application/json", [forwardedHeader]: self },
        }, (answer) => {
            res.writeHead(answer.statusCode ?? 502, { ...answer.headers, [forwardedHeader]: self });
            answer.pipe(res);
            answer.on("end", () => resolve());
        });
        upstream.on("error", (error) => reject(new HttpError(502, `the owning worker at ${target} could not be reached: ${error.message}`)));
        upstream.end(body);
    });
}

async function handle(deps: ServerDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://worker");
    const where = route(url.pathname);
    const method = req.method ?? "GET";
    const send = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json", "x-edm-worker": deps.worker.name });
        res.end(`${JSON.stringify(value)}\n`);
    };
    if (where === undefined) {
        throw new HttpError(404, `no such path: ${url.pathname} (try /health, /ready, /instances, /instances/<id>/{build,start,stop})`);
    }
    if (where.kind === "health") {
        return send(200, { status: "ok", worker: deps.worker.name });
    }
    if (where.kind === "ready") {
        // Ready = serving (this answer) and in consul with a passing check: what load balancing needs.
        const registration = deps.registration();
        return send(registration === "passing" ? 200 : 503, { registration, worker: deps.worker.name });
    }
    if (where.kind === "list") {
        return send(200, { worker: deps.worker.name, instances: await deps.instances.list() });
    }
    checkInstanceId(where.id);
    const action = where.action ?? "";
    if (!(action in allowed)) {
        throw new HttpError(404, `no such operation on an instance: ${action} (build, start, stop)`);
    }
    if (!allowed[action].split(", ").includes(method)) {
        res.setHeader("allow", allowed[action]);
        throw new HttpError(405, `${method} is not allowed on /instances/<id>${action ? `/${action}` : ""} (${allowed[action]})`);
    }
    const body = await readBody(req);
    const parsed = parseJsonObject(body);
    // The load balancer picks any worker; an instance lives where it was built, as KV records.
    if (req.headers[forwardedHeader] === undefined) {
        const owner = await deps.kv.get(kvKeys(where.id).worker);
        if (owner !== undefined && owner !== deps.worker.name) {
            const target = await deps.kv.get(kvKeys(where.id).api);
            if (target !== undefined) {
                return forward(req, res, body, target, deps.worker.name);
            }
        }
    }
    switch (action) {
        case "build": {
            if (typeof parsed.repository !== "string") {
                throw badRequest(`body must be {"repository": "<owner>/<name>"}, got ${body.length === 0 ? "no body" : body.toString("utf8").slice(0, 80)}`);
            }
            return send(201, await deps.instances.build(where.id, parsed.repository));
        }
        case "start":
            return send(200, await deps.instances.start(where.id));
        case "stop":
            return send(200, await deps.instances.stop(where.id));
        default: {
            if (method === "DELETE") {
                return send(200, await deps.instances.delete(where.id));
            }
            const record = await deps.instances.record(where.id);
            if (record === undefined) {
                throw new HttpError(404, `unknown instance ${where.id}`);
            }
            return send(200, { ...record, worker: deps.worker.name });
        }
    }
}

/** The worker API: every error is a JSON `{error}` with its own status; only a bug is a 500. */
export function createServer(deps: ServerDeps): http.Server {
    return http.createServer((req, res) => {
        handle(deps, req, res).catch((error: unknown) => {
            const status = error instanceof HttpError ? error.status : 500;
            if (status === 500) {
                console.error(error);
            }
            if (!res.headersSent) {
                res.writeHead(status, { "content-type": "application/json", "x-edm-worker": deps.worker.name });
            }
            res.end(`${JSON.stringify({ error: (error as Error).message, worker: deps.worker.name })}\n`);
        });
    });
}
