import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./all";

// Run by `pulumi preview --policy-pack policies`; the rules live one per file in rules/.
const { resource, stack } = allPolicies();
new PolicyPack("clusterlab", { policies: [...resource, ...stack] });
