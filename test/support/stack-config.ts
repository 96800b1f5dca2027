import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { mockSecretSeed } from "./mocks";

/**
 * A stack file's `config:` block in the form `pulumi.runtime.allConfig()` returns: JSON-encoded
 * values, with the `clusterlab:secretSeed` that `npm run up` adds to a stack (unless `withSeed` is false).
 */
export function stackConfigAsPulumiGivesIt(config: Record<string, unknown>, withSeed = true): Record<string, string> {
    return Object.fromEntries([...Object.entries(config), ...(withSeed ? [["clusterlab:secretSeed", mockSecretSeed]] : [])].map(([key, value]) =>
        [key, typeof value === "string" ? value : JSON.stringify(value)]));
}

/** The `config:` of a stack the project ships (stacks/presets/<stack>.yaml), as Pulumi hands it to the program once `npm run up` made the stack. */
export function readStackFile(stack: string): Record<string, string> {
    const file = path.join(__dirname, "..", "..", "stacks", "presets", `${stack}.yaml`);
    const document = parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    return stackConfigAsPulumiGivesIt(document.config);
}

/**
 * The problems the stack reports for a config, one per line (empty when it is valid). Requires
 * the stack's config module only when called, so the mocks are installed before it loads.
 */
export function configProblems(config: Record<string, string>): string[] {
    const { readStackConfig } = require("../../stacks/config") as typeof import("../../stacks/config");
    try {
        readStackConfig(config);
    } catch (error) {
        return (error as Error).message.split("\n").slice(1).map((line) => line.trim());
    }
    return [];
}
