/**
 * What clusterlab's own `pulumi preview` runs add to the CLI's environment: no snapshot after
 * every step.
 *
 * Why: Pulumi 3.274's file backend gives a preview a SnapshotManager (for `pulumi import
 * --preview-only`'s code generation) with a persister that discards every write, yet its default
 * loop still serializes and integrity-checks the whole snapshot after each step's begin and end
 * and after each component's outputs (`SnapshotManager.saveSnapshot`): a cost in steps × resources.
 * It made an OarCluster's preview take 288 s at 1000 nodes (3014 resources), 50 s with this set,
 * and 3013 no-op dynamic resources with no clusterlab code 192 s (issue #11, bench/README.md).
 *
 * `PULUMI_SKIP_CHECKPOINTS` makes the manager apply the same mutations and save once, at the end,
 * still integrity-checked: a preview writes nothing either way, so its output is the same. Never
 * set it for `up` or `destroy`: there it means a crash loses what the run did to the state.
 */
export const previewEnv: Readonly<Record<string, string>> = { PULUMI_SKIP_CHECKPOINTS: "true" };
