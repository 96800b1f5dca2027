import { ContainerView, viewContainer } from "../../components/core/docker/container-view";

/** One resource of `pulumi stack export --show-secrets`, as far as the benchmarks read it. */
interface ExportedResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    dependencies?: string[];
}

/** A container's inputs in clusterlab's words, its network by name, as a peer tool is given them. */
export type DeployedContainerInputs = ContainerView & { waitTimeoutSeconds: number };

/** A container as clusterlab created it, with the containers it waited for. */
export interface DeployedContainer {
    urn: string;
    inputs: DeployedContainerInputs;
    /** URNs of the containers it depends on (directly), which must be ready before it starts. */
    after: string[];
}

/** What a stack's state says was deployed: the input a peer tool is given to do the same. */
export interface DeployedGraph {
    containers: DeployedContainer[];
}

// How the CLI marks a secret in an export (sdk/go/common/resource/properties.go: SecretSig).
const secretSignature = "4dabf18193072939515e22adb298388d";

/** Inputs with secrets revealed: `--show-secrets` exports them as `{sig, plaintext: <JSON>}`. */
function reveal(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(reveal);
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (secretSignature in record) {
            if (typeof record.plaintext !== "string") {
                throw new Error("the export holds an encrypted secret: export it with --show-secrets");
            }
            return reveal(JSON.parse(record.plaintext));
        }
        return Object.fromEntries(Object.entries(record).filter(([key]) => key !== "__provider").map(([key, inner]) => [key, reveal(inner)]));
    }
    return value;
}

const dockerContainer = "docker:index/container:Container";
const dockerNetwork = "docker:index/network:Network";

/** A `docker.Container`'s inputs through the view, with its network (given by id) named, as a peer tool takes it. */
function containerInputs(resource: ExportedResource, networkNames: Map<string, string>): DeployedContainerInputs {
    const view = viewContainer(reveal(resource.inputs) as Record<string, unknown>);
    return { ...view, network: networkNames.get(view.network) ?? view.network, waitTimeoutSeconds: view.waitTimeoutSeconds ?? 0 };
}

/** The containers of an exported deployment, and which containers each waited for. */
export function deployedGraph(exported: { deployment: { resources?: ExportedResource[] } }): DeployedGraph {
    const resources = exported.deployment.resources ?? [];
    const containerUrns = new Set(resources.filter((r) => r.type === dockerContainer).map((r) => r.urn));
    const networkNames = new Map(resources.filter((r) => r.type === dockerNetwork).map((r) => [r.id ?? "", String(r.inputs?.name)]));
    const after = (r: ExportedResource) => (r.dependencies ?? []).filter((urn) => containerUrns.has(urn));
    return {
        containers: resources.filter((r) => containerUrns.has(r.urn)).map((r) => ({
            urn: r.urn, inputs: containerInputs(r, networkNames), after: after(r),
        })),
    };
}
