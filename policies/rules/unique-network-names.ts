import { EnforcementLevel, StackValidationPolicy } from "@pulumi/policy";
import { dockerTypes, engineOf, NetworkProps } from "../shapes";

/** No two clusters share a network name on one engine: they would see each other's roles by alias. */
export function uniqueNetworkNames(enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "unique-network-names",
        description: "No two networks on the same host share a name.",
        enforcementLevel,
        validateStack: (args, reportViolation) => {
            const owners = new Map<string, string>();
            for (const resource of args.resources.filter((r) => r.type === dockerTypes.network)) {
                const props = resource.props as NetworkProps;
                const key = `network "${props.name}" on ${engineOf(props)}`;
                const first = owners.get(key);
                if (first !== undefined) {
                    reportViolation(`"${resource.name}" and "${first}" both create ${key}: rename one of the clusters`, resource.urn);
                } else {
                    owners.set(key, resource.name);
                }
            }
        },
    };
}
