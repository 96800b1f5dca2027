/**
 * The labels every container, network and volume carries, so that `destroy`, the policy pack
 * and leak checks can find a stack's Docker objects without Pulumi's state.
 */
export const labelKeys = {
    stack: "clusterlab.stack",
    cluster: "clusterlab.cluster",
    role: "clusterlab.role",
} as const;

/**
 * `true` on a one-shot step's container (`createOneShot`): it runs to its end and stays exited,
 * and is no role, so checks of "every role healthy" leave it out. Not one of `labelKeys`, which
 * every object must carry.
 */
export const oneShotLabel = "clusterlab.one-shot";

export interface LabelScope {
    stack: string;
    cluster: string;
    role: string;
}

/** The labels of a Docker object of a role. */
export function renderLabels(scope: LabelScope): Record<string, string> {
    return {
        [labelKeys.stack]: scope.stack,
        [labelKeys.cluster]: scope.cluster,
        [labelKeys.role]: scope.role,
    };
}

/**
 * The Docker object name for a role: `<stack>-<cluster>-<role>`. Docker names are global per
 * engine, so the stack is part of the name and two stacks can share one engine.
 */
export function dockerObjectName(scope: LabelScope): string {
    return `${scope.stack}-${scope.cluster}-${scope.role}`;
}

/** Labels as `@pulumi/docker` takes them: `{ label, value }` entries, sorted so order is never a diff. */
export function renderLabelList<V>(labels: Record<string, V>): { label: string; value: V }[] {
    return Object.keys(labels).sort().map((label) => ({ label, value: labels[label] }));
}
