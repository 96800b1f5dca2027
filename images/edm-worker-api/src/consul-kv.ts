import { ConsulAnswer, consulRequest } from "./consul-http";
import { upstreamFailed } from "./errors";

/** The part of consul's KV store the worker uses. */
export interface KvStore {
    get(key: string): Promise<string | undefined>;
    put(key: string, value: string): Promise<void>;
    /** Deletes every key under a prefix. */
    deleteTree(prefix: string): Promise<void>;
}

/** A KV call; an agent that cannot be reached is the caller's 502. */
function request(base: string, method: string, path: string, body?: string): Promise<ConsulAnswer> {
    return consulRequest(base, method, path, body).catch((error: Error) => {
        throw upstreamFailed(error.message);
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
