import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

/** One bad input: where it is and what was wrong with it. */
export interface ConfigProblem {
    propertyPath: string;
    reason: string;
}

/** `agents[0].resources.cpus`: the path as a user reads it in YAML or TypeScript. */
export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
    let out = prefix;
    for (const part of path) {
        if (typeof part === "number") {
            out += `[${part}]`;
        } else {
            out += out === "" || out.endsWith(":") ? String(part) : `.${String(part)}`;
        }
    }
    return out === "" ? "(root)" : out;
}

function describeGiven(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    const text = JSON.stringify(value);
    if (text === undefined) {
        return String(value);
    }
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
    let current: unknown = input;
    for (const part of path) {
        if (current === null || typeof current !== "object") {
            return undefined;
        }
        current = (current as Record<PropertyKey, unknown>)[part];
    }
    return current;
}

/** Every zod issue as a path, what was expected, and what was given. */
export function describeIssues(prefix: string, input: unknown, error: z.ZodError): ConfigProblem[] {
    return error.issues.map((issue) => {
        if (issue.code === "unrecognized_keys") {
            return issue.keys.map((key) => ({
                propertyPath: formatPath(prefix, [...issue.path, key]),
                // zod's own text only repeats the key; a schema's custom text says what is allowed.
                reason: issue.message.startsWith("Unrecognized key")
                    ? "is not a known setting"
                    : `is not a known setting: ${issue.message}`,
            }));
        }
        const given = valueAt(input, issue.path);
        return [{
            propertyPath: formatPath(prefix, issue.path),
            reason: `${issue.message}, got ${describeGiven(given)}`,
        }];
    }).flat();
}

/** One message listing every problem, one per line, as the CLI prints it. */
export function renderProblems(title: string, problems: readonly ConfigProblem[]): string {
    return [title, ...problems.map((p) => `  ${p.propertyPath}: ${p.reason}`)].join("\n");
}

/**
 * Parses `input` with `schema`, or throws one `InputPropertiesError` that names every bad path.
 * Called before any resource is registered, so bad input never leaves a half-built stack.
 */
export function parseOrThrow<S extends z.ZodType>(
    schema: S,
    input: unknown,
    what: string,
    pathPrefix = "",
): z.output<S> {
    const result = schema.safeParse(input);
    if (result.success) {
        return result.data;
    }
    const problems = describeIssues(pathPrefix, input, result.error);
    throw new pulumi.InputPropertiesError({
        message: renderProblems(`invalid ${what}:`, problems),
        errors: problems,
    });
}
