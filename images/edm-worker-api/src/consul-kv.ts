import * as http from "http";
import { upstreamFailed } from "./errors";

/** The part of consul's KV store the worker uses. */
export interface KvStore {
    get(key: string): Promise<string | undefined>;
    put(key: string, value: string): Promise<void>;
    /** Deletes every key under a prefix. */
    deleteTree(prefix: string): Promise<void>;
}

function request(base: string, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = http.request(new URL(path, base), { method, timeout: 10000 }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        });
        req.on("timeout", () => req.destroy(upstreamFailed(`consul at ${base} did not answer within 10s`)));
        req.on("error", (error) => reject(upstreamFailed(`consul at ${base} could not be reached: ${error.message}`)));
        req.end(body);
    });
}

/** Consul's KV over its HTTP API, through the worker's own consul agent. */
export function consulKv(base: string): KvStore {
    const ok = (what: string, answer: { status: number; body: string }) => {
        if (answer.status !== 200) {
            throw upstreamFailed(`consul ${what} answered ${answer.status}: ${answer.body}`);
        }
    };
    return {
        async get(key) {
            const answer = await request(base, "GET", `/v1/kv/${key}?raw`);
            if (answer.status === 404) {
                return undefined;
            }
            ok(`GET ${key}`, answer);
            return answer.body;
        },
        async put(key, value) {
            ok(`PUT ${key}`, await request(base, "PUT", `/v1/kv/${key}`, value));
        },
        async deleteTree(prefix) {
            ok(`DELETE ${prefix}`, await request(base, "DELETE", `/v1/kv/${prefix}?recurse`));
        },
    };
}
