import * as pulumi from "@pulumi/pulumi";
import { viewContainer, viewImage, viewNetwork, viewVolume } from "../../components/core/docker/container-view";

/** One resource as the program registered it: its inputs, and its parent and dependsOn by name. */
export interface RecordedResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
    /** For `@pulumi/docker` resources: the inputs as given; `inputs` is their view in clusterlab's words. */
    raw?: Record<string, any>;
    /** For `@pulumi/docker` resources: the inputs as the engine received them, secrets still wrapped (`isSecretOnWire`). */
    wire?: Record<string, any>;
    parent?: string;
    dependsOn: string[];
    /** Outputs the resource asks the engine to keep secret. */
    additionalSecretOutputs: string[];
    /** The resources whose replacement replaces this one too, by name. */
    replaceWith: string[];
}

/** The unit tests' `clusterlab:secretSeed`: their generated secrets are derived from it, as a stack's are. */
export const mockSecretSeed = "mock seed of the unit tests, not random";

// How Pulumi's wire format marks a secret value (sdk/nodejs/runtime/rpc.ts, specialSecretSig).
const secretSignature = "4dabf18193072939515e22adb298388d";
const secretSignatureValue = "1b47061264138c4ac30d75fd1eb44270";

/** Whether a value reached the engine as a secret, as a whole (not only some part of it). */
export function isSecretOnWire(value: unknown): boolean {
    return value !== null && typeof value === "object" && (value as Record<string, unknown>)[secretSignature] === secretSignatureValue;
}

/** Inputs as a test asserts on them: secret values in place of their wire-format wrappers. */
function revealSecrets(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(revealSecrets);
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[secretSignature] === secretSignatureValue) {
            return revealSecrets(record.value);
        }
        return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, revealSecrets(inner)]));
    }
    return value;
}

/** The `@pulumi/docker` resource types, as the kinds on `@pulumi/docker` register them. */
export const dockerTypes = {
    container: "docker:index/container:Container",
    network: "docker:index/network:Network",
    volume: "docker:index/volume:Volume",
    image: "docker:index/remoteImage:RemoteImage",
    provider: "pulumi:providers:docker",
} as const;

/** Inputs of a `@pulumi/docker` resource in clusterlab's words (`components/core/docker/container-view.ts`). */
const views: Record<string, (props: Record<string, any>) => object> = {
    [dockerTypes.container]: viewContainer,
    [dockerTypes.network]: viewNetwork,
    [dockerTypes.volume]: viewVolume,
    [dockerTypes.image]: viewImage,
};

/**
 * The endpoint of every docker.Provider registered, by its id: a resource's `dockerHost` in the
 * recorded view. Kept across `reset`: hosts share one provider per program, made once.
 */
const providerInputs = new Map<string, Record<string, any>>();

/** Every docker.Provider registered in this process, by name, with its inputs (providers are made once per host and kept). */
export function dockerProviders(): Record<string, Record<string, any>> {
    return Object.fromEntries([...providerInputs].map(([id, inputs]) => [id.replace(/-id$/, ""), inputs]));
}

/** Every resource registered since the last `reset`, in order. */
export const recorded: RecordedResource[] = [];
const pendingOpts = new Map<string, { parent?: string; dependsOn: string[]; additionalSecretOutputs: string[]; replaceWith: string[] }>();

function resourceName(resource: pulumi.Resource): string {
    // The URN is an Output; its name is known synchronously only through the SDK's own field.
    return (resource as unknown as { __name?: string }).__name ?? "?";
}

/**
 * Mocks that record every `newResource` and answer with the outputs a real provider computes
 * (image ids, names), after pulumi-awsx's fargateService.test.ts harness.
 */
export function installMocks(stack = "test"): void {
    // The seed the generated secrets derive from, as `npm run up` sets it for a stack.
    pulumi.runtime.setConfig("clusterlab:secretSeed", mockSecretSeed);
    void pulumi.runtime.setMocks({
        newResource(args: pulumi.runtime.MockResourceArgs) {
            const opts = pendingOpts.get(`${args.type}::${args.name}`) ?? { dependsOn: [], additionalSecretOutputs: [], replaceWith: [] };
            recorded.push({ type: args.type, name: args.name, inputs: args.inputs, ...opts });
            const { __provider: _serializedProvider, ...inputs } = revealSecrets(args.inputs) as Record<string, any>;
            void _serializedProvider;
            recorded[recorded.length - 1].inputs = inputs;
            const state: Record<string, unknown> = { ...inputs };
            if (args.type === dockerTypes.provider) {
                providerInputs.set(`${args.name}-id`, inputs);
            }
            const view = views[args.type];
            if (view !== undefined) {
                // The raw inputs stay in `raw`; `dockerHost` is the endpoint of the provider it was given.
                const providerId = args.provider?.slice(args.provider.lastIndexOf("::") + 2);
                recorded[recorded.length - 1].raw = inputs;
                recorded[recorded.length - 1].wire = args.inputs;
                recorded[recorded.length - 1].inputs = { ...view(inputs), dockerHost: providerId === undefined ? undefined : providerInputs.get(providerId)?.host };
            }
            if (args.type === dockerTypes.image) {
                state.imageId = `sha256:${args.name}`;
            }
            if (args.type === "pulumi-nodejs:dynamic/docker:ImageShipment") {
                state.imageId = inputs.sourceImageId; // save | load keeps the image's id
            }
            // The engine keeps these outputs secret; so do the mocks, so secrecy downstream is testable.
            for (const key of new Set(opts.additionalSecretOutputs)) {
                state[key] = { [secretSignature]: secretSignatureValue, value: state[key] };
            }
            return { id: `${args.name}-id`, state };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            return args.inputs;
        },
    }, "clusterlab", stack, false);
}

/**
 * Options for the component under test whose in-process hook sees each child's parent and
 * dependsOn, which the mocks alone do not receive.
 */
export function recordingOptions(): pulumi.ComponentResourceOptions {
    return {
        transformations: [(args) => {
            const dependsOn = ([] as pulumi.Resource[]).concat((args.opts.dependsOn as pulumi.Resource[] | undefined) ?? []);
            pendingOpts.set(`${args.type}::${args.name}`, {
                parent: args.opts.parent ? resourceName(args.opts.parent) : undefined,
                dependsOn: dependsOn.map(resourceName),
                additionalSecretOutputs: (args.opts as pulumi.CustomResourceOptions).additionalSecretOutputs ?? [],
                replaceWith: ((args.opts as pulumi.CustomResourceOptions).replaceWith ?? []).map(resourceName),
            });
            return undefined;
        }],
    };
}

export function resetRecorded(): void {
    recorded.length = 0;
}

/** The value of an Output, for assertions. */
export function valueOf<T>(output: pulumi.Output<T> | T): Promise<T> {
    return new Promise((resolve) => pulumi.output(output).apply((value) => {
        resolve(value as T);
        return value;
    }));
}

/** Waits until every resource registered so far has reached the mocks. */
export async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setImmediate(resolve));
}

export function byType(type: string): RecordedResource[] {
    return recorded.filter((r) => r.type === type);
}

/** Docker objects of a kind, read through the view. */
export function byKind(kind: "container" | "network" | "volume" | "image"): RecordedResource[] {
    return byType(dockerTypes[kind]);
}

/** The resource of that name (and type, where a component and its container share a name). */
export function named(name: string, type?: string): RecordedResource {
    const found = recorded.find((r) => r.name === name && (type === undefined || r.type === type));
    if (found === undefined) {
        throw new Error(`no resource named ${name}; have ${recorded.map((r) => r.name).join(", ")}`);
    }
    return found;
}

/** The container resource with that Docker name; fails the test when there is none. */
export function containerNamed(name: string): RecordedResource {
    const found = byType(dockerTypes.container).find((c) => c.inputs.name === name);
    if (found === undefined) {
        throw new Error(`no container ${name}`);
    }
    return found;
}

/** A container's env (as given to it, by Docker name), as a map. */
export function containerEnv(name: string): Record<string, string> {
    return Object.fromEntries((containerNamed(name).inputs.env as string[])
        .map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}
