import { EnforcementLevel, StackValidationPolicy } from "@pulumi/policy";
import { dockerTypes, engineOf, NetworkProps, reportClashes } from "../shapes";

/** No two clusters share a network name on one engine: they would see each other's roles by alias. */
export function uniqueNetworkNames(enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "unique-network-names",
        description: "No two networks on the same host share a name.",
        enforcementLevel,
        validateStack: (args, reportViolation) => {
            const networks = args.resources.filter((r) => r.type === dockerTypes.network).map((resource) => {
                const props = resource.props as NetworkProps;
                return { key: `network "${props.name}" on ${engineOf(props)}`, name: resource.name, urn: resource.urn };
            });
            reportClashes(networks, reportViolation,
                (name, first, key) => `"${name}" and "${first}" both create ${key}: rename one of the clusters`);
        },
    };
}
