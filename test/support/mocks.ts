import * as pulumi from "@pulumi/pulumi";

/** One resource as the program registered it: its inputs, and its parent and dependsOn by name. */
export interface RecordedResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
    parent?: string;
    dependsOn: string[];
}

/** Every resource registered since the last `reset`, in order. */
export const recorded: RecordedResource[] = [];
const pendingOpts = new Map<string, { parent?: string; dependsOn: string[] }>();

function resourceName(resource: pulumi.Resource): string {
    // The URN is an Output; its name is known synchronously only through the SDK's own field.
    return (resource as unknown as { __name?: string }).__name ?? "?";
}

/**
 * Mocks that record every `newResource` and answer with the outputs a real provider computes
 * (image ids, names), after pulumi-awsx's fargateService.test.ts harness.
 */
export function installMocks(stack = "test"): void {
    void pulumi.runtime.setMocks({
        newResource(args: pulumi.runtime.MockResourceArgs) {
            const opts = pendingOpts.get(`${args.type}::${args.name}`) ?? { dependsOn: [] };
            recorded.push({ type: args.type, name: args.name, inputs: args.inputs, ...opts });
            const { __provider: _serializedProvider, ...inputs } = args.inputs;
            void _serializedProvider;
            recorded[recorded.length - 1].inputs = inputs;
            const state: Record<string, unknown> = { ...inputs };
            if (args.type === "pulumi-nodejs:dynamic/docker:Image") {
                state.imageId = `sha256:${args.name}`;
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

/** The resource of that name (and type, where a component and its container share a name). */
export function named(name: string, type?: string): RecordedResource {
    const found = recorded.find((r) => r.name === name && (type === undefined || r.type === type));
    if (found === undefined) {
        throw new Error(`no resource named ${name}; have ${recorded.map((r) => r.name).join(", ")}`);
    }
    return found;
}
