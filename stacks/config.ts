import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigProblem, describeIssues, formatPath, renderProblems } from "../components/core/config";
import { hostArgsSchema } from "../components/core/host";
import { portClashes, PublishedPort } from "../components/core/placement";
import { dnsLabel } from "../components/core/schema";
import { missingSeedReason, secretSeedKey } from "../components/core/stack-secrets";
import { clusterKinds } from "./kinds";

/** Config keys are `clusterlab:<key>`; these are the keys a stack may set. */
export const configNamespace = "clusterlab";

const clusterEntrySchema = z.looseObject({
    /** Which component: `mesos`. */
    kind: z.enum(Object.keys(clusterKinds) as [string, ...string[]], {
        error: `must be a cluster kind clusterlab knows (${Object.keys(clusterKinds).join(", ")})`,
    }),
    /** The name of the host (under `clusterlab:hosts`) the cluster runs on. Default `local`. */
    host: dnsLabel.default("local"),
});

const stackSettingsSchema = z.strictObject({
    /** Docker hosts by name. Default: one host `local`, the local engine, ports on 127.0.0.1. */
    hosts: z.record(dnsLabel, hostArgsSchema).prefault({ local: {} }),
    /** Clusters by name; each names its `kind` and the component's args. Default none. */
    clusters: z.record(dnsLabel, clusterEntrySchema).default({}),
    /**
     * The random secret the stack's generated passwords and keys derive from
     * (components/core/stack-secrets.ts); set as a secret, by `npm run up` on first use.
     */
    secretSeed: z.string().min(16, { error: "must be at least 16 characters of random text" }).optional(),
});

export interface ClusterConfig {
    name: string;
    kind: string;
    host: string;
    args: Record<string, unknown>;
    /** Every host the cluster's roles run on: its `host` and any a role is placed on. */
    hostsUsed?: string[];
}

export interface StackConfig {
    hosts: Record<string, z.input<typeof hostArgsSchema>>;
    clusters: ClusterConfig[];
}

/** Values in Pulumi config are strings; objects and numbers arrive as JSON text. */
function decode(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/**
 * The `clusterlab:` part of a stack's config, as the settings object the schema reads. Keys of
 * other namespaces (a provider's `docker:host`, say) are not ours to judge.
 */
export function clusterlabSettings(allConfig: Record<string, string>): Record<string, unknown> {
    const prefix = `${configNamespace}:`;
    return Object.fromEntries(Object.entries(allConfig)
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, value]) => [key.slice(prefix.length), decode(value)]));
}

/**
 * Validates a stack's whole config at once: the stack's own keys, then every cluster with its
 * component's schema. Throws one error that lists every bad path, before any resource exists.
 */
export function readStackConfig(allConfig: Record<string, string>): StackConfig {
    const settings = clusterlabSettings(allConfig);
    const problems: ConfigProblem[] = [];
    const parsed = stackSettingsSchema.safeParse(settings);
    if (!parsed.success) {
        problems.push(...describeIssues(`${configNamespace}:`, settings, parsed.error));
    }
    // Judge each cluster even when another part failed, so one run lists every problem.
    const hostNames = parsed.success ? Object.keys(parsed.data.hosts) : Object.keys(asRecord(settings.hosts) ?? { local: {} });
    const clusters: ClusterConfig[] = [];
    const published: PublishedPort[] = [];
    for (const [name, raw] of Object.entries(asRecord(settings.clusters) ?? {})) {
        const entry = clusterEntrySchema.safeParse(raw);
        if (!entry.success) {
            continue; // already reported by the stack schema
        }
        const { kind, host, ...args } = entry.data;
        const path = `${configNamespace}:clusters.${name}`;
        if (!hostNames.includes(host)) {
            problems.push({
                propertyPath: `${path}.host`,
                reason: `must name a host under ${configNamespace}:hosts (${hostNames.join(", ")}), got "${host}"`,
            });
        }
        const checked = clusterKinds[kind].schema.safeParse(args);
        if (!checked.success) {
            problems.push(...describeIssues(path, args, checked.error));
        }
        const placement = checked.success ? clusterKinds[kind].placement?.(checked.data, host) : undefined;
        for (const ref of placement?.hostRefs ?? []) {
            if (ref.host !== undefined && !hostNames.includes(ref.host)) {
                problems.push({
                    propertyPath: formatPath(path, ref.path),
                    reason: `must name a host under ${configNamespace}:hosts (${hostNames.join(", ")}), got "${ref.host}"`,
                });
            }
        }
        problems.push(...(placement?.problems ?? []).map((problem) => ({ ...problem, propertyPath: formatPath(path, [problem.propertyPath]) })));
        published.push(...(placement?.ports ?? []).map((port) => ({ ...port, path: [name, ...port.path] })));
        const placedOn = (placement?.hostRefs ?? []).flatMap((ref) => (ref.host === undefined ? [] : [ref.host]));
        clusters.push({ name, kind, host, args, ...(placedOn.length === 0 ? {} : { hostsUsed: [...new Set([host, ...placedOn])] }) });
    }
    problems.push(...crossClusterPortClashes(published));
    const deriving = clusters.filter((cluster) => clusterKinds[cluster.kind].derivesSecrets === true);
    if (deriving.length > 0 && settings.secretSeed === undefined) {
        problems.push({ propertyPath: secretSeedKey, reason: `${missingSeedReason}; ${deriving.map((c) => c.name).join(", ")} need it` });
    }
    if (!parsed.success || problems.length > 0) {
        throw new pulumi.RunError(renderProblems("invalid stack config:", problems));
    }
    return { hosts: parsed.data.hosts, clusters };
}

/**
 * Two clusters publishing one port on one host: the second cannot start, and Docker would say
 * so only halfway through an `up`. One problem per clash, at the later cluster's path, naming the
 * earlier's. A clash within one cluster is its component's to report (it already has). Each
 * port's path starts with its cluster's name. Pure.
 */
export function crossClusterPortClashes(ports: readonly PublishedPort[]): ConfigProblem[] {
    const prefix = `${configNamespace}:clusters`;
    return portClashes(ports, prefix)
        .filter((clash) => clash.earlier[0] !== clash.path[0])
        .map((clash) => ({ propertyPath: formatPath(prefix, clash.path), reason: `${clash.message}, got ${clash.port}` }));
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
}
