import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** A stack file's `config:` block in the form `pulumi.runtime.allConfig()` returns: JSON-encoded values. */
export function stackConfigAsPulumiGivesIt(config: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(config).map(([key, value]) =>
        [key, typeof value === "string" ? value : JSON.stringify(value)]));
}

export function readStackFile(stack: string): Record<string, string> {
    const file = path.join(__dirname, "..", "..", "stacks", `Pulumi.${stack}.yaml`);
    const document = parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    return stackConfigAsPulumiGivesIt(document.config);
}
