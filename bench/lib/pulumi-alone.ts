import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as automation from "@pulumi/pulumi/automation";
import { timedPulumi } from "./timed-cli";

const program = path.join(__dirname, "..", "pulumi-alone");

/**
 * Pulumi's own cost, the yardstick for clusterlab's: a stack of the given number of dynamic
 * resources that do nothing (bench/pulumi-alone), deployed untimed and destroyed with the CLI
 * as a user types it. What clusterlab's destroy takes beyond it is clusterlab's and the engine's.
 */
export class PulumiAlone {
    private readonly name = `bench-alone-${crypto.randomBytes(3).toString("hex")}`;
    private readonly backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterlab-bench-alone-"));
    private readonly env = { PULUMI_BACKEND_URL: `file://${this.backendDir}`, PULUMI_CONFIG_PASSPHRASE: crypto.randomBytes(16).toString("hex") };
    private stack?: automation.Stack;

    /** `pulumi destroy --yes --skip-preview` of `resources` no-op resources, in ms (their `up` untimed). */
    async destroyMs(resources: number): Promise<number> {
        this.stack ??= await automation.LocalWorkspace.createOrSelectStack({ stackName: this.name, workDir: program }, { envVars: this.env });
        await this.stack.setConfig("resources", { value: String(resources) });
        await this.cli(["up", "--yes", "--skip-preview"]);
        return this.cli(["destroy", "--yes", "--skip-preview"]);
    }

    private cli(args: string[]): Promise<number> {
        return timedPulumi([...args, "--stack", this.name], { cwd: program, env: this.env, what: "bench/pulumi-alone" });
    }

    async dispose(): Promise<void> {
        try {
            await this.stack?.workspace.removeStack(this.name, { force: true });
        } finally {
            fs.rmSync(this.backendDir, { recursive: true, force: true });
        }
    }
}
