import { z } from "zod";
import { buildableImages } from "./images-dir";

/** The base every `images/` Dockerfile builds on unless a stack names another (a private mirror, say). */
export const defaultBaseImage = "debian:bookworm-slim";

/**
 * A DNS label: role, agent and cluster names become container names and network aliases, so
 * they must be lowercase letters, digits and dashes.
 */
export const dnsLabel = z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "must be a DNS label (lowercase letters, digits, inner dashes)");

/** A TCP port a container publishes on its host, or `false` to publish nothing. */
export const hostPort = z.union([z.literal(false), z.number().int().min(1).max(65535)]);

/**
 * True for references pinned to something that cannot move under us: a tag other than `latest`,
 * or a digest.
 */
export function isPinnedImageReference(reference: string): boolean {
    if (reference.includes("@")) {
        return /@sha256:[0-9a-f]{64}$/.test(reference);
    }
    const lastSegment = reference.slice(reference.lastIndexOf("/") + 1);
    const colon = lastSegment.indexOf(":");
    if (colon < 0) {
        return false;
    }
    const tag = lastSegment.slice(colon + 1);
    return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag) && tag !== "latest";
}

const pinnedReference = z
    .string()
    .refine(isPinnedImageReference, "must be pinned: a tag other than latest, or an @sha256 digest");

/**
 * Where a role's image comes from: a pinned upstream reference, or a build of `images/<build>`.
 * A bare string is shorthand for `{ pinned: string }`.
 */
export const imageSource = z.union([
    pinnedReference.transform((pinned) => ({ pinned })),
    z.strictObject({ pinned: pinnedReference }),
    z.strictObject({
        build: z.string().refine((name) => buildableImages().includes(name), {
            error: () => `must name a folder of images/ with a Dockerfile (${buildableImages().join(", ")})`,
        }),
    }),
]);

export type ImageSource = { pinned: string } | { build: string };
export type ImageSourceInput = z.input<typeof imageSource>;

/**
 * A collection of members (agents, nodes, datanodes, workers) keyed by stable names, so that
 * removing one never renames the others: a count `n` means members `<noun>1…<noun>n` with
 * their defaults; a list names each one; names must be unique.
 */
export function namedMembers<M extends z.ZodObject<{ name: z.ZodType<string> }>>(member: M, noun: string) {
    const list = z.array(member, {
        error: (issue) => (typeof issue.input === "number"
            ? `must be a whole number of ${noun}s >= 1, or a list of named ${noun}s`
            : `must be a count of ${noun}s or a list of named ${noun}s`),
    }).min(1, `must list at least one ${noun}`).check((ctx) => {
        const seen = new Map<string, number>();
        ctx.value.forEach((entry, index) => {
            const name = (entry as { name: string }).name;
            const first = seen.get(name);
            if (first !== undefined) {
                ctx.issues.push({
                    code: "custom", input: name, path: [index, "name"],
                    message: `must be unique: ${noun}s[${first}] is already named "${name}"`,
                });
            }
            seen.set(name, index);
        });
    });
    return z.preprocess(
        (value) => (typeof value === "number" && Number.isInteger(value) && value >= 1
            ? Array.from({ length: value }, (_, i) => ({ name: `${noun}${i + 1}` }))
            : value),
        list,
    );
}
