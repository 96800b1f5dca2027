import { EnforcementLevel, ResourceValidationPolicy } from "@pulumi/policy";
import { isPinnedImageReference } from "../../components/core/schema";
import { describe, imageOf } from "../shapes";

/** No image without a pinned tag or digest: `latest` or no tag means a different image tomorrow. */
export function pinnedImages(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name: "pinned-images",
        description: "Every image is pinned to a tag other than latest, or to a digest.",
        enforcementLevel,
        validateResource: (args, reportViolation) => {
            const props = imageOf(args);
            if (props === undefined) {
                return;
            }
            if (typeof props.name === "string" && !isPinnedImageReference(props.name)) {
                reportViolation(`image ${describe(args.name, props)} is "${props.name}", which is not pinned: ` +
                    "give it a tag other than latest (repo:1.2.3) or a digest (repo@sha256:…)");
            }
        },
    };
}
