import * as http from "http";

/** What consul's HTTP API answered: its status and body. */
export interface ConsulAnswer {
    status: number;
    body: string;
}

/**
 * One call to the worker's consul agent over its HTTP API (KV and the agent's own registrations
 * both go through it). Rejects with a plain Error, naming the agent, when it cannot be reached or
 * does not answer within `timeoutMs`; callers say what that means for them.
 */
export function consulRequest(base: string, method: string, path: string, body?: string, timeoutMs = 10000): Promise<ConsulAnswer> {
    return new Promise((resolve, reject) => {
        const req = http.request(new URL(path, base), { method, timeout: timeoutMs }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        });
        req.on("timeout", () => req.destroy(new Error(`consul at ${base} did not answer within ${timeoutMs / 1000}s`)));
        req.on("error", (error) => reject(error.message.startsWith("consul at ") ? error : new Error(`consul at ${base} could not be reached: ${error.message}`)));
        req.end(body);
    });
}
