import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { renderContainerArgs } from "../../components/core/docker/container-args";
import { ContainerView, secretInputsLabel } from "../../components/core/docker/container-view";
import { providerTypes } from "../../policies/shapes";

/** A role's container in clusterlab's words, and the engine it is on (absent: the ambient one). */
export type RoleContainer = Omit<ContainerView, "files"> & { files: { path: string; content: string; mode?: number }[]; dockerHost?: string };

/** A container as MesosCluster's redis role registers it: every rule passes on it. */
export function goodContainer(overrides: Partial<RoleContainer> = {}): RoleContainer {
    return {
        name: "dev-wraxl-redis", hostname: "redis", image: "sha256:0123", env: ["APPENDONLY=yes"],
        labels: { "clusterlab.stack": "dev", "clusterlab.cluster": "wraxl", "clusterlab.role": "redis", "clusterlab.instance": "redis" },
        network: "dev-wraxl", aliases: ["redis"],
        ports: [{ ip: "127.0.0.1", internal: 6379, external: 6379 }],
        mounts: [{ type: "volume", source: "dev-wraxl-redis-data", target: "/data", readOnly: false }],
        files: [], waitTimeoutSeconds: 180, init: false, privileged: false, memoryMb: 256, restart: "unless-stopped",
        secretInputs: [],
        ...overrides,
    };
}

export interface Checked {
    type: string;
    name: string;
    props: Record<string, any>;
    provider?: { props: Record<string, any> };
}

/** Runs one resource rule on one resource shape, with the pack config a stack would give, and returns its messages. */
export function violationsOf(policy: ResourceValidationPolicy, resource: Checked, config: Record<string, unknown> = {}): string[] {
    const messages: string[] = [];
    const validate = policy.validateResource;
    const validations = validate === undefined ? [] : Array.isArray(validate) ? validate : [validate];
    for (const validation of validations) {
        void validation({
            ...resource,
            urn: `urn:pulumi:dev::clusterlab::${resource.type}::${resource.name}`,
            opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: {}, additionalSecretOutputs: [] } as never,
            stackTags: new Map(),
            getConfig: <T>() => config as T,
            notApplicable: () => { throw new Error("not applicable"); },
        } as never, (message: string) => messages.push(message));
    }
    return messages;
}

/** Runs one stack rule over a list of resource shapes and returns its messages. */
export function stackViolationsOf(policy: StackValidationPolicy, resources: Checked[], config: Record<string, unknown> = {}): string[] {
    const messages: string[] = [];
    const shaped = resources.map((r) => ({
        ...r, urn: `urn:pulumi:dev::clusterlab::${r.type}::${r.name}`, dependencies: [], propertyDependencies: {},
        opts: {} as never,
    })) as unknown as PolicyResource[];
    void policy.validateStack({
        resources: shaped, stackTags: new Map(), getConfig: <T>() => config as T,
        notApplicable: () => { throw new Error("not applicable"); },
    } as never, (message: string) => messages.push(message));
    return messages;
}

/** The `docker.Container` that Service makes for such a role, on a provider for its engine, as the pack sees it. */
export function container(role: RoleContainer, name = "wraxl-redis"): Checked {
    const { secretInputs, extraHosts, dockerHost, files, ...spec } = role;
    const args = renderContainerArgs({
        ...spec,
        files: files.map((file) => ({ ...file, mode: file.mode ?? 0o644 })),
        labels: { ...spec.labels, ...(secretInputs.length === 0 ? {} : { [secretInputsLabel]: secretInputs.join(",") }) },
        extraHosts: Object.fromEntries((extraHosts ?? []).map((entry) => entry.split(":") as [string, string])),
    });
    return { type: providerTypes.container, name, props: args, provider: { props: dockerHost === undefined ? {} : { host: dockerHost } } };
}
