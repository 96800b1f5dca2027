import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "./config";
import { deployStack } from "./program";

// Validate everything first: a bad config registers no resource at all.
const config = readStackConfig(pulumi.runtime.allConfig());

/** Each cluster's outputs (URLs, connect commands), by cluster name. */
export const clusters = deployStack(config);
