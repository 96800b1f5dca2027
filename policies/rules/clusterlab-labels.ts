import { EnforcementLevel, ResourceValidationPolicy } from "@pulumi/policy";
import { labelKeys } from "../../components/core/labels";
import { dockerTypes } from "../shapes";

const labelled = new Set<string>([dockerTypes.container, dockerTypes.network, dockerTypes.volume]);

/** Every container, network and volume carries the clusterlab.* labels that destroy and leak checks look for. */
export function clusterlabLabels(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "clusterlab-labels",
        description: "Every container, network and volume carries the clusterlab.stack, clusterlab.cluster and clusterlab.role labels.",
        enforcementLevel,
        validateResource: (args, reportViolation) => {
            if (!labelled.has(args.type)) {
                return;
            }
            const labels = (args.props.labels ?? {}) as Record<string, string>;
            const missing = Object.values(labelKeys).filter((key) => !labels[key]);
            if (missing.length > 0) {
                reportViolation(`"${args.name}" lacks the label${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: ` +
                    "create it through clusterlab's Service, ClusterNetwork or ClusterImage, which set them");
            }
        },
    };
}
