import { ConsulAnswer, consulRequest } from "./consul-http";

// The worker API registers itself in its own consul agent, keeps the registration there, and
// takes it out when it stops. Through the agent, not the catalog: a catalog registration on a
// node that runs an agent is removed by the agent's anti-entropy within a minute; the agent's own
// is kept in its data dir, and its health check runs there. Kept: an agent made anew (a lost
// container) has forgotten it, so the API looks every few seconds and registers again.

/** A service as the agent's `/v1/agent/service/register` takes it, in consul's own field names. */
export type ServiceRegistration = Record<string, unknown> & { ID: string; Name: string };

/** Where the registration stands, as the API's `/ready` reports it. */
export type RegistrationState = "not registered yet" | "passing" | "warning" | "critical" | "agent unreachable";

/** The agent calls the keeper makes; an interface so that unit tests can play the agent. */
export interface ConsulAgent {
    /** The HTTP status of `/v1/agent/health/service/id/<id>`: 200 passing, 429 warning, 503 critical, 404 unknown. */
    serviceHealth(id: string): Promise<number>;
    register(registration: ServiceRegistration): Promise<void>;
    deregister(id: string): Promise<void>;
}

/** An agent call, with a shorter bound than KV's: the keeper looks again within seconds anyway. */
function call(base: string, method: string, path: string, body?: string): Promise<ConsulAnswer> {
    return consulRequest(base, method, path, body, 5000);
}

/** The worker's consul agent over its HTTP API. */
export function consulAgent(base: string): ConsulAgent {
    const ok = async (what: string, answer: Promise<{ status: number; body: string }>) => {
        const { status, body } = await answer;
        if (status !== 200) {
            throw new Error(`consul agent at ${base} refused to ${what}: ${status} ${body.trim()}`);
        }
    };
    return {
        async serviceHealth(id) {
            return (await call(base, "GET", `/v1/agent/health/service/id/${encodeURIComponent(id)}`)).status;
        },
        register: (registration) => ok(`register ${registration.ID}`, call(base, "PUT", "/v1/agent/service/register", JSON.stringify(registration))),
        deregister: (id) => ok(`deregister ${id}`, call(base, "PUT", `/v1/agent/service/deregister/${encodeURIComponent(id)}`)),
    };
}

const stateOfStatus: Record<number, RegistrationState> = { 200: "passing", 429: "warning", 503: "critical" };

/** Keeps one service registered in an agent: `check()` looks once and registers when the agent does not know it. */
export class KeptRegistration {
    private current: RegistrationState = "not registered yet";
    private timer: NodeJS.Timeout | undefined;
    private stopped = false;

    constructor(private readonly agent: ConsulAgent, readonly registration: ServiceRegistration, private readonly log: (line: string) => void) {}

    get state(): RegistrationState {
        return this.current;
    }

    /** One look: the agent's verdict on the service, after registering it where the agent has none. */
    async check(): Promise<RegistrationState> {
        const id = this.registration.ID;
        try {
            let status = await this.agent.serviceHealth(id);
            if (status === 404) {
                await this.agent.register(this.registration);
                this.log(`registered ${id} in the consul agent`);
                status = await this.agent.serviceHealth(id);
            }
            this.current = stateOfStatus[status] ?? "critical";
        } catch (error) {
            if (this.current !== "agent unreachable") {
                this.log(`consul agent: ${(error as Error).message}`);
            }
            this.current = "agent unreachable";
        }
        return this.current;
    }

    /** Looks now and then every `intervalMs` until `stop`. */
    start(intervalMs: number): void {
        const loop = async () => {
            await this.check();
            if (!this.stopped) {
                this.timer = setTimeout(loop, intervalMs);
            }
        };
        void loop();
    }

    /** Stops looking and takes the service out of the agent; an agent already gone took it with it. */
    async stop(): Promise<void> {
        this.stopped = true;
        clearTimeout(this.timer);
        try {
            await this.agent.deregister(this.registration.ID);
            this.log(`deregistered ${this.registration.ID}`);
        } catch (error) {
            this.log(`deregistering ${this.registration.ID}: ${(error as Error).message}`);
        }
    }
}
