// After `pulumi refresh --clear-pending-creates` (scripts/recover.sh): removes the containers and
// networks an `up` cut short left on the stack's engines. Pulumi forgot them with their pending
// creates, so the next `up` would make them again and fail on the container's name (or, for a
// network, make a second one of the same name, which Docker allows). They carry the stack's
// label and are in no resource of the state: that is how they are told from everything else.
// Volumes stay: `docker.Volume` takes an existing volume of its name as its own, and they may hold
// data.
//
//   node -r ts-node/register/transpile-only scripts/remove-leftovers.ts STACK EXPORTED_STATE_JSON
import { execFileSync } from "child_process";
import * as fs from "fs";
import { providerEngineEnv } from "../components/core/docker/cli";
import { labelKeys } from "../components/core/labels";

interface StateResource {
    urn: string;
    id?: string;
    type: string;
    inputs?: Record<string, unknown>;
}

/** How a docker.Provider of the state reaches its engine. */
export type EngineConfig = { host?: string; caMaterial?: string; certMaterial?: string; keyMaterial?: string; sshOpts?: string[] };

/**
 * The engines of an exported state (secrets shown), one per distinct docker.Provider config, and
 * the id of every resource it holds: a container or network whose id is among them is the
 * state's, whichever resource made it. Pure.
 */
export function enginesOfState(resources: StateResource[]): { engines: EngineConfig[]; held: Set<string> } {
    const engines = new Map<string, EngineConfig>();
    for (const resource of resources.filter((r) => r.type === "pulumi:providers:docker")) {
        const inputs = (resource.inputs ?? {}) as Record<string, string | undefined>;
        const config: EngineConfig = {
            host: inputs.host, caMaterial: inputs.caMaterial, certMaterial: inputs.certMaterial, keyMaterial: inputs.keyMaterial,
            sshOpts: inputs.sshOpts === undefined ? undefined : JSON.parse(inputs.sshOpts) as string[],
        };
        engines.set(JSON.stringify(config), config);
    }
    return { engines: [...engines.values()], held: new Set(resources.flatMap((r) => (r.id === undefined || r.id === "" ? [] : [r.id]))) };
}

/** Objects listed on an engine (`<full id> <name>` lines) whose id the state does not hold. Pure. */
export function leftovers(listed: string, held: Set<string>): { id: string; name: string }[] {
    return listed.split("\n").filter((line) => line.trim() !== "").map((line) => {
        const [id, name] = line.trim().split(/\s+/);
        return { id, name };
    }).filter((object) => !held.has(object.id));
}

function main(stack: string, stateFile: string): void {
    const exported = JSON.parse(fs.readFileSync(stateFile, "utf8")) as { deployment?: { resources?: StateResource[] } };
    const { engines, held } = enginesOfState(exported.deployment?.resources ?? []);
    for (const engine of engines) {
        const env = providerEngineEnv(engine);
        const docker = (...args: string[]) => execFileSync("docker", args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        const label = `label=${labelKeys.stack}=${stack}`;
        const where = engine.host ?? "the local engine";
        for (const container of leftovers(docker("ps", "--all", "--no-trunc", "--filter", label, "--format", "{{.ID}} {{.Names}}"), held)) {
            console.error(`recover: removing container ${container.name} on ${where}, left by the cut-short up (Pulumi has no record of it)`);
            docker("rm", "--force", container.id);
        }
        for (const network of leftovers(docker("network", "ls", "--no-trunc", "--filter", label, "--format", "{{.ID}} {{.Name}}"), held)) {
            console.error(`recover: removing network ${network.name} on ${where}, left by the cut-short up (Pulumi has no record of it)`);
            docker("network", "rm", network.id);
        }
    }
}

if (require.main === module) {
    const [stack, stateFile] = process.argv.slice(2);
    main(stack, stateFile);
}
