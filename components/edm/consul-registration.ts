/* eslint-disable @typescript-eslint/no-require-imports */
import * as pulumi from "@pulumi/pulumi";
import { shimProvider } from "../core/provider-shim";
import { Inputs } from "../core/docker/resources";
import { ServiceRegistration } from "./render";

// A service registered through a consul agent's HTTP API, as a Pulumi dynamic resource.
// Why not @pulumi/consul: its provider plugin can be neither downloaded nor built here. Why the
// agent endpoint and not the catalog: a catalog registration on a node that runs an agent is
// removed by the agent's anti-entropy within a minute; one made through the agent is the agent's
// own, kept in its data dir, and its health check runs there.

export interface ConsulServiceInputs {
    /** The agent's HTTP API as this program reaches it: `http://127.0.0.1:8511`. */
    agentUrl: string;
    registration: ServiceRegistration;
    /** Values whose change registers again, such as the agent container's id (a new agent has forgotten it). */
    triggers: string[];
    /** Seconds to wait for the service's check to pass after registering. */
    passingTimeoutSeconds: number;
}

/** One HTTP call to consul; resolves with the status and body, rejects only when consul cannot be reached. */
function consulCall(agentUrl: string, method: string, path: string, body?: string, timeoutMs = 10000): Promise<{ status: number; body: string; index: string }> {
    const http = require("http") as typeof import("http");
    return new Promise((resolve, reject) => {
        const req = http.request(new URL(path, agentUrl), { method, timeout: timeoutMs }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () => resolve({
                status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), index: String(res.headers["x-consul-index"] ?? "0"),
            }));
        });
        req.on("timeout", () => req.destroy(new Error(`consul agent at ${agentUrl} did not answer within ${timeoutMs / 1000}s`)));
        req.on("error", reject);
        req.end(body);
    });
}

async function register(inputs: ConsulServiceInputs): Promise<void> {
    const { agentUrl, registration } = inputs;
    const answer = await consulCall(agentUrl, "PUT", "/v1/agent/service/register", JSON.stringify(registration));
    if (answer.status !== 200) {
        throw new Error(`consul agent at ${agentUrl} refused the registration of ${registration.ID}: ${answer.status} ${answer.body}`);
    }
    // Ready means passing: dependents (and `up`'s caller) get a service consul already routes to.
    // Consul's blocking query answers when the service's checks change (or `wait` ends), so this
    // waits on consul itself, not on a timer.
    const deadline = Date.now() + inputs.passingTimeoutSeconds * 1000;
    let index = "0";
    let last = "no check yet";
    while (Date.now() < deadline) {
        const waitSeconds = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
        const path = `/v1/health/checks/${encodeURIComponent(registration.Name)}?index=${index}&wait=${waitSeconds}s`;
        const health = await consulCall(agentUrl, "GET", path, undefined, (waitSeconds + 10) * 1000);
        if (health.status !== 200) {
            throw new Error(`consul agent at ${agentUrl} could not report the checks of ${registration.ID}: ${health.status} ${health.body}`);
        }
        const checks = (JSON.parse(health.body) as { ServiceID: string; Status: string }[]).filter((c) => c.ServiceID === registration.ID);
        last = checks.length === 0 ? "no check yet" : checks.map((c) => c.Status).join(", ");
        if (checks.length > 0 && checks.every((c) => c.Status === "passing")) {
            return;
        }
        index = health.index;
    }
    throw new Error(`service ${registration.ID} was registered but its check was not passing within ${inputs.passingTimeoutSeconds}s (last: ${last})`);
}

/** Exported for the shim (its module and name are in states: keep them). */
export const consulServiceProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: ConsulServiceInputs) {
        await register(inputs);
        return { id: inputs.registration.ID, outs: inputs };
    },
    async read(id: string, props: ConsulServiceInputs) {
        let answer: { status: number; body: string };
        try {
            answer = await consulCall(props.agentUrl, "GET", `/v1/agent/service/${encodeURIComponent(id)}`);
        } catch {
            return { id, props }; // the agent is down: nothing to conclude about the registration
        }
        return answer.status === 404 ? {} : { id, props };
    },
    async diff(_id: string, olds: ConsulServiceInputs, news: ConsulServiceInputs) {
        const changed = (key: keyof ConsulServiceInputs) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]);
        const replaces = olds.agentUrl !== news.agentUrl || olds.registration?.ID !== news.registration?.ID ? ["registration"] : [];
        const changes = replaces.length > 0 || changed("registration") || changed("triggers");
        return { changes, replaces, deleteBeforeReplace: true };
    },
    async update(_id: string, _olds: ConsulServiceInputs, news: ConsulServiceInputs) {
        // Registering the same ID again replaces the agent's entry in place.
        await register(news);
        return { outs: news };
    },
    async delete(id: string, props: ConsulServiceInputs) {
        try {
            const answer = await consulCall(props.agentUrl, "PUT", `/v1/agent/service/deregister/${encodeURIComponent(id)}`);
            if (answer.status !== 200 && answer.status !== 404) {
                throw new Error(`consul agent at ${props.agentUrl} refused to deregister ${id}: ${answer.status} ${answer.body}`);
            }
        } catch (error) {
            // An agent that is gone has taken its registrations with it (leave_on_terminate).
            if (!/ECONNREFUSED|ECONNRESET|did not answer/.test((error as Error).message)) {
                throw error;
            }
        }
    },
};

const consulServiceShim = shimProvider("components/edm/consul-registration", "consulServiceProvider", consulServiceProvider);

/** A service registered in a consul agent, with its health check; deleting it deregisters it. */
export class ConsulAgentService extends pulumi.dynamic.Resource {
    declare public readonly registration: pulumi.Output<ServiceRegistration>;
    constructor(name: string, args: Inputs<ConsulServiceInputs>, opts?: pulumi.CustomResourceOptions) {
        super(consulServiceShim, name, { ...args }, opts, "consul", "AgentService");
    }
}
