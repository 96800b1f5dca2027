import { EnforcementLevel, ResourceValidationPolicy } from "@pulumi/policy";
import { ContainerProps, describe, dockerTypes } from "../shapes";

/** Every container has a memory limit: one runaway job must not take down a laptop or a shared host. */
export function memoryLimit(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "memory-limit",
        description: "Every container has a memory limit.",
        enforcementLevel,
        validateResource: (args, reportViolation) => {
            if (args.type !== dockerTypes.container) {
                return;
            }
            const props = args.props as ContainerProps;
            if (typeof props.memoryMb !== "number" || props.memoryMb <= 0) {
                reportViolation(`container ${describe(args.name, props)} has no memory limit: set the role's memoryMb`);
            }
        },
    };
}
