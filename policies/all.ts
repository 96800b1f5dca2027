import { clusterlabLabels } from "./rules/clusterlab-labels";
import { loopbackPorts } from "./rules/loopback-ports";
import { memoryLimit } from "./rules/memory-limit";
import { noPlaintextSecrets } from "./rules/no-plaintext-secrets";
import { noPrivilegedAccess, privilegedAccessExemptions } from "./rules/no-privileged-access";
import { pinnedImages } from "./rules/pinned-images";
import { uniqueHostPorts } from "./rules/unique-host-ports";
import { uniqueNetworkNames } from "./rules/unique-network-names";

/** Every rule, mandatory unless a stack's pack config sets another enforcement level. */
export function allPolicies() {
    return {
        resource: [
            pinnedImages(),
            noPrivilegedAccess(),
            privilegedAccessExemptions(),
            loopbackPorts(),
            clusterlabLabels(),
            memoryLimit(),
            noPlaintextSecrets(),
        ],
        stack: [uniqueHostPorts(), uniqueNetworkNames()],
    };
}
