import * as http from "http";
import { consulKv } from "./consul-kv";
import { consulAgent, KeptRegistration, ServiceRegistration } from "./consul-registration";
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
const registration = new KeptRegistration(consulAgent(required("CONSUL_HTTP_ADDR")),
    JSON.parse(required("CONSUL_SERVICE")) as ServiceRegistration, (line) => console.log(`edm-worker-api: ${line}`));
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
const server = createServer({ instances, kv, worker, registration: () => registration.state });
server.listen(port, () => {
    console.log(`edm-worker-api ${worker.name} listening on ${port}`);
    // Registered once it serves: consul's check asks /health at once.
    registration.start(Number(process.env.CONSUL_RECHECK_SECONDS ?? "5") * 1000);
});
// PID 1 in its container: out of consul, then gone, within a second or two of SIGTERM (rule 16).
for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
        const deadline = setTimeout(() => process.exit(0), 2000);
        void registration.stop().finally(() => {
            clearTimeout(deadline);
            process.exit(0);
        });
    });
}
