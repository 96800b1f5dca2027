import { EnforcementLevel, StackValidationPolicy } from "@pulumi/policy";
import { containerOf, engineOf, reportClashes } from "../shapes";

/**
 * No two containers publish one host port on one engine: the second `docker start` would fail
 * mid-`up`. A port is a number and a protocol: consul's serf publishes 8301 on TCP and on UDP,
 * which is no clash.
 */
export function uniqueHostPorts(enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return {
        name: "unique-host-ports",
        description: "No two containers publish the same host port on the same host.",
        enforcementLevel,
        validateStack: (args, reportViolation) => {
            const published = args.resources.flatMap((resource) => {
                const props = containerOf(resource);
                return props === undefined ? [] : (props.ports ?? []).map((port) => ({
                    key: `${engineOf(props)} port ${port.external}${port.protocol === "udp" ? "/udp" : ""}`, name: resource.name, urn: resource.urn,
                }));
            });
            reportClashes(published, reportViolation,
                (name, first, key) => `"${name}" and "${first}" both publish ${key}: give one of them another host port`);
        },
    };
}
