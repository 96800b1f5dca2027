import { EnforcementLevel, ResourceValidationPolicy } from "@pulumi/policy";
import { containerOf, describe } from "../shapes";

const loopback = new Set(["127.0.0.1", "::1"]);

/**
 * On a stack marked local, published ports bind to loopback: the seeds' setups opened consul,
 * gogs and nginx on every interface of a laptop.
 */
export function loopbackPorts(localByDefault = true, enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "loopback-ports-on-local-stacks",
        description: "On local stacks, every published port binds to 127.0.0.1 or ::1.",
        enforcementLevel,
        // Stacks are local unless their policy config says otherwise (a multi-server stack does).
        configSchema: { properties: { localStack: { type: "boolean" } } },
        validateResource: (args, reportViolation) => {
            const isLocalStack = args.getConfig<{ localStack?: boolean }>().localStack ?? localByDefault;
            const props = containerOf(args);
            if (!isLocalStack || props === undefined) {
                return;
            }
            for (const port of props.ports ?? []) {
                if (!loopback.has(port.ip)) {
                    reportViolation(`container ${describe(args.name, props)} publishes port ${port.external} on ${port.ip || "every interface"}: ` +
                        "on a local stack bind it to 127.0.0.1 (the host's bindAddress)");
                }
            }
        },
    };
}
