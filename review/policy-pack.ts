import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

// Which policy pack an update or a preview runs, and with which config: one answer for
// `npm run review`, the e2e lifecycle and (in bash) scripts/up.sh.

const root = path.resolve(__dirname, "..");
let built: string | undefined;

/**
 * The project's policy pack, as `--policy-pack` takes it: compiled by scripts/policy-pack.sh
 * (once per process, and only when a source changed), as `npm run up` runs it.
 */
export function compiledPolicyPack(): string {
    built ??= execFileSync("bash", [path.join(root, "scripts", "policy-pack.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
    return built;
}

/** A stack's pack config (policies/config/<stack>.json), as `--policy-pack-config` takes it, where it has one. */
export function policyPackConfigOf(stack: string): string | undefined {
    const config = path.join(root, "policies", "config", `${stack}.json`);
    return fs.existsSync(config) ? config : undefined;
}

/** The CLI flags for both. */
export function policyArgs(stack: string): string[] {
    const config = policyPackConfigOf(stack);
    return ["--policy-pack", compiledPolicyPack(), ...(config === undefined ? [] : ["--policy-pack-config", config])];
}
