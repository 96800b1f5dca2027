import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "./config";
import { buildHosts, deployStack } from "./program";
import { checkHostsReachable } from "./reachability";

// Validate everything first: a bad config registers no resource at all.
const config = readStackConfig(pulumi.runtime.allConfig());
// Then every host must answer, so that an unreachable one stops the run before anything is
// created or changed on the others.
const hosts = buildHosts(config);
checkHostsReachable(hosts.values());

/** Each cluster's outputs (URLs, connect commands), by cluster name. */
export const clusters = deployStack(config, hosts);
