import { EnforcementLevel, ResourceValidationPolicy } from "@pulumi/policy";
import { containerOf, describe } from "../shapes";

/** Every container has a memory limit: one runaway job must not take down a laptop or a shared host. */
export function memoryLimit(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "memory-limit",
        description: "Every container has a memory limit.",
        enforcementLevel,
        validateResource: (args, reportViolation) => {
            const props = containerOf(args);
            if (props === undefined) {
                return;
            }
            if (typeof props.memoryMb !== "number" || props.memoryMb <= 0) {
                reportViolation(`container ${describe(args.name, props)} has no memory limit: set the role's memoryMb`);
            }
        },
    };
}
