import * as pulumi from "@pulumi/pulumi";
import { shimProvider } from "./provider-shim";
import { newOpenSshKeyPair } from "./ssh-key-format";

// Secrets generated once per stack and kept in its state as Pulumi secrets: the next `up` reads
// them back instead of making new ones, and nothing of them is ever written to the repository.

/** Exported for the shim (its module and name are in states: keep them). */
export const sshKeyPairProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: { comment: string }) {
        const pair = newOpenSshKeyPair(inputs.comment);
        return { id: `${inputs.comment}-${pair.publicKey.split(" ")[1].slice(-12)}`, outs: { ...inputs, ...pair } };
    },
    async diff(_id: string, olds: { comment: string }, news: { comment: string }) {
        const changed = olds.comment !== news.comment;
        return { changes: changed, replaces: changed ? ["comment"] : [] };
    },
};

const sshKeyPairShim = shimProvider("components/core/secrets", "sshKeyPairProvider", sshKeyPairProvider);

/** An ed25519 key pair in OpenSSH's formats, made once; the private key is a secret. */
export class SshKeyPair extends pulumi.dynamic.Resource {
    declare public readonly privateKey: pulumi.Output<string>;
    declare public readonly publicKey: pulumi.Output<string>;
    constructor(name: string, args: { comment: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
        super(sshKeyPairShim, name, { ...args, privateKey: undefined, publicKey: undefined },
            { ...opts, additionalSecretOutputs: ["privateKey"] }, "clusterlab", "SshKeyPair");
    }
}

/** Exported for the shim (its module and name are in states: keep them). */
export const passwordProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: { length: number }) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { randomBytes } = require("crypto") as typeof import("crypto");
        // Letters and digits only: it goes into config files and command lines unquoted.
        const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        const bytes = randomBytes(inputs.length * 2);
        const value = Array.from(bytes.subarray(0, inputs.length), (b) => alphabet[b % alphabet.length]).join("");
        return { id: `password-${bytes.subarray(inputs.length).toString("hex").slice(0, 12)}`, outs: { ...inputs, value } };
    },
    async diff(_id: string, olds: { length: number }, news: { length: number }) {
        const changed = olds.length !== news.length;
        return { changes: changed, replaces: changed ? ["length"] : [] };
    },
};

const passwordShim = shimProvider("components/core/secrets", "passwordProvider", passwordProvider);

/** A random password made once, a secret. */
export class GeneratedPassword extends pulumi.dynamic.Resource {
    declare public readonly value: pulumi.Output<string>;
    constructor(name: string, args: { length?: number } = {}, opts?: pulumi.CustomResourceOptions) {
        super(passwordShim, name, { length: args.length ?? 24, value: undefined },
            { ...opts, additionalSecretOutputs: ["value"] }, "clusterlab", "GeneratedPassword");
    }
}
