import * as http from "http";
import { consulKv } from "./consul-kv";
import { Instances } from "./instances";
import { runCommand } from "./runner";
import { createServer } from "./server";

function required(name: string): string {
    const value = process.env[name];
    if (value === undefined || value === "") {
        console.error(`edm-worker-api: ${name} must be set`);
        process.exit(2);
    }
    return value;
}

const worker = {
    name: required("WORKER_NAME"),
    advertiseAddress: required("WORKER_IP"),
    apiUrl: required("WORKER_API_URL"),
};
const kv = consulKv(required("CONSUL_HTTP_ADDR"));
const instances = new Instances({
    run: runCommand,
    httpStatus: (url) => new Promise((resolve, reject) => {
        const req = http.get(url, { timeout: 10000 }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
        });
        req.on("timeout", () => req.destroy(new Error("no answer within 10s")));
        req.on("error", reject);
    }),
    kv,
    worker,
    gogsUrl: required("GOGS_URL"),
    dataDir: process.env.EDM_DATA_DIR ?? "/var/lib/edm",
    readyTimeoutMs: Number(process.env.EDM_READY_TIMEOUT_SECONDS ?? "120") * 1000,
    pollMs: 250,
});
const port = Number(process.env.PORT ?? "8833");
const server = createServer({ instances, kv, worker });
server.listen(port, () => console.log(`edm-worker-api ${worker.name} listening on ${port}`));
// PID 1 in its container: stop at once on SIGTERM (rule 16).
for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => process.exit(0));
}
