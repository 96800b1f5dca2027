import { EnforcementLevel, ResourceValidationPolicy } from "@pulumi/policy";
import { labelKeys } from "../../components/core/labels";
import { labelsOf } from "../shapes";

/** Every container, network and volume carries the clusterlab.* labels that destroy and leak checks look for. */
export function clusterlabLabels(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "clusterlab-labels",
        description: "Every container, network and volume carries the clusterlab.stack, clusterlab.cluster and clusterlab.role labels.",
        enforcementLevel,
        validateResource: (args, reportViolation) => {
            const labels = labelsOf(args);
            if (labels === undefined) {
                return;
            }
            const missing = Object.values(labelKeys).filter((key) => !labels[key]);
            if (missing.length > 0) {
                reportViolation(`"${args.name}" lacks the label${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: ` +
                    "create it through clusterlab's Service or createDockerNetwork, which set them");
            }
        },
    };
}
