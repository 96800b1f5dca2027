import { EnforcementLevel, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { containerOf, ContainerProps, describe, roleOf } from "../shapes";

/** Roles that cannot work without host access, with the reason; configured per stack. */
export type ExemptRoles = Record<string, string>;

/** The roles the seeds need host access for, and why. */
export const defaultExemptRoles: ExemptRoles = {
    "agent": "a Mesos agent with the docker containerizer starts task containers through the host's Docker socket",
    "registrator": "registrator watches the host's Docker socket to register every container in consul",
    "worker-api": "the EDM worker API builds images and runs docker compose on its host",
};

/** What a container takes from its host beyond its own sandbox, in words. */
export function hostAccessOf(props: ContainerProps): string[] {
    const access: string[] = [];
    if (props.privileged === true) {
        access.push("privileged mode");
    }
    for (const mount of props.mounts ?? []) {
        if (mount.type === "bind" && /(^|\/)docker\.sock$/.test(mount.source)) {
            access.push(`the Docker socket (${mount.source})`);
        }
    }
    if (props.network === "host") {
        access.push("the host network");
    }
    if (props.pidMode === "host") {
        access.push("the host PID namespace");
    }
    return access;
}

/** A container that reaches into its host: what it takes, and the reason its role may, if it may. */
interface HostAccess {
    props: ContainerProps;
    access: string[];
    role?: string;
    exemptBecause?: string;
}

function hostAccessFor(args: ResourceValidationArgs, defaults: ExemptRoles): HostAccess | undefined {
    const props = containerOf(args);
    if (props === undefined) {
        return undefined;
    }
    const access = hostAccessOf(props);
    if (access.length === 0) {
        return undefined;
    }
    const exemptRoles = args.getConfig<{ exemptRoles?: ExemptRoles }>().exemptRoles ?? defaults;
    const role = roleOf(props);
    return { props, access, role, exemptBecause: role === undefined ? undefined : exemptRoles[role] };
}

/** The policies' config: the roles that may reach into their host, with the reason. */
export const exemptRolesSchema = {
    properties: {
        exemptRoles: { type: "object" as const, additionalProperties: { type: "string" as const } },
    },
};

/** No privileged container, Docker socket, host network or host PID, outside the exempt roles. */
export function noPrivilegedAccess(
    defaultRoles: ExemptRoles = defaultExemptRoles,
    enforcementLevel: EnforcementLevel = "mandatory",
): ResourceValidationPolicy {
    return {
        name: "no-privileged-access",
        description: "No container gets privileged mode, the Docker socket, the host network or host PID, unless its role needs it.",
        enforcementLevel,
        configSchema: exemptRolesSchema,
        validateResource: (args, reportViolation) => {
            const found = hostAccessFor(args, defaultRoles);
            if (found !== undefined && found.exemptBecause === undefined) {
                reportViolation(`container ${describe(args.name, found.props)} gets ${found.access.join(", ")}: ` +
                    "remove it, or name the role in this policy's exemptRoles with the reason it needs it");
            }
        },
    };
}

/** The exempt roles still get a note, so a reviewer sees every container that reaches into its host. */
export function privilegedAccessExemptions(
    defaultRoles: ExemptRoles = defaultExemptRoles,
    enforcementLevel: EnforcementLevel = "advisory",
): ResourceValidationPolicy {
    return {
        name: "privileged-access-exemptions",
        description: "Containers of exempt roles that reach into their host, with the reason they may.",
        enforcementLevel,
        configSchema: exemptRolesSchema,
        validateResource: (args, reportViolation) => {
            const found = hostAccessFor(args, defaultRoles);
            if (found?.exemptBecause !== undefined) {
                reportViolation(`container ${describe(args.name, found.props)} gets ${found.access.join(", ")}, ` +
                    `allowed for role ${found.role}: ${found.exemptBecause}`);
            }
        },
    };
}
