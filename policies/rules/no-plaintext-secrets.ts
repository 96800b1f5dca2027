import { EnforcementLevel, ResourceValidationPolicy } from "@pulumi/policy";
import { containerOf, describe } from "../shapes";

/** Env var names that say their value is a credential. */
const secretName = /(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential)/i;
/** Contents that are credentials whatever they are called. */
const secretContent = /-----BEGIN [A-Z ]*PRIVATE KEY-----|^(ghp|gho|glpat|xox[abp])[-_][A-Za-z0-9_-]{10,}/m;

/**
 * Values that look like keys, passwords or tokens come from Pulumi secrets. Policies see secrets
 * unwrapped, so the container's `secretInputs` (filled from pulumi.isSecret) says which did.
 */
export function noPlaintextSecrets(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "no-plaintext-secrets",
        description: "Env vars and files that hold keys, passwords or tokens come from Pulumi secrets.",
        enforcementLevel,
        validateResource: (args, reportViolation) => {
            const props = containerOf(args);
            if (props === undefined) {
                return;
            }
            const fromSecrets = new Set(props.secretInputs ?? []);
            for (const entry of props.env ?? []) {
                const name = entry.slice(0, entry.indexOf("="));
                const value = entry.slice(entry.indexOf("=") + 1);
                // Docker's `*_FILE` convention: the var holds the path of a file the container gets,
                // and that file came from a Pulumi secret; the path itself is no credential.
                const pathOfSecretFile = name.endsWith("_FILE") && fromSecrets.has(`file:${value}`);
                if (value !== "" && !pathOfSecretFile && (secretName.test(name) || secretContent.test(value)) && !fromSecrets.has(`env:${name}`)) {
                    reportViolation(`container ${describe(args.name, props)} has ${name} in plain text: ` +
                        "pass it as a Pulumi secret (pulumi.secret, config --secret, or a generated password)");
                }
            }
            for (const file of props.files ?? []) {
                if (secretContent.test(file.content) && !fromSecrets.has(`file:${file.path}`)) {
                    reportViolation(`container ${describe(args.name, props)} gets a key in plain text at ${file.path}: ` +
                        "generate it per stack and pass it as a Pulumi secret");
                }
            }
        },
    };
}
