import { EnforcementLevel, StackValidationPolicy } from "@pulumi/policy";
import { engineOf, networkOf, reportClashes } from "../shapes";

/** No two clusters share a network name on one engine: they would see each other's roles by alias. */
export function uniqueNetworkNames(enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "unique-network-names",
        description: "No two networks on the same host share a name.",
        enforcementLevel,
        validateStack: (args, reportViolation) => {
            const networks = args.resources.flatMap((resource) => {
                const props = networkOf(resource);
                return props === undefined ? [] : { key: `network "${props.name}" on ${engineOf(props)}`, name: resource.name, urn: resource.urn };
            });
            reportClashes(networks, reportViolation,
                (name, first, key) => `"${name}" and "${first}" both create ${key}: rename one of the clusters`);
        },
    };
}
