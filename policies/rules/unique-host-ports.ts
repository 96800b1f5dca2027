import { EnforcementLevel, StackValidationPolicy } from "@pulumi/policy";
import { ContainerProps, dockerTypes, engineOf } from "../shapes";

/** No two containers publish one host port on one engine: the second `docker start` would fail mid-`up`. */
export function uniqueHostPorts(enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "unique-host-ports",
        description: "No two containers publish the same host port on the same host.",
        enforcementLevel,
        validateStack: (args, reportViolation) => {
            const owners = new Map<string, string>();
            for (const resource of args.resources.filter((r) => r.type === dockerTypes.container)) {
                const props = resource.props as ContainerProps;
                for (const port of props.ports ?? []) {
                    const key = `${engineOf(props)} port ${port.external}`;
                    const first = owners.get(key);
                    if (first !== undefined) {
                        reportViolation(`"${resource.name}" and "${first}" both publish ${key}: give one of them another host port`, resource.urn);
                    } else {
                        owners.set(key, resource.name);
                    }
                }
            }
        },
    };
}
