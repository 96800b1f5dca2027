import * as pulumi from "@pulumi/pulumi";
import { derivedPassword, derivedSshKeyPair } from "./derived-secrets";

/** The stack config key of the one random secret a stack's generated secrets derive from. */
export const secretSeedKey = "clusterlab:secretSeed";

/** What a stack without a seed is told, by the stack's config check and by a component. */
export const missingSeedReason = "must be set, as a secret: the stack's generated passwords and keys derive from it " +
    "(`npm run up` makes one; by hand: pulumi config set --secret clusterlab:secretSeed \"$(openssl rand -base64 32)\")";

/**
 * One cluster's generated secrets, derived from the stack's `clusterlab:secretSeed` with the
 * stack, the cluster and the purpose: stable across runs, secret in the state, outputs and
 * logs, and no resource of their own (a stack made before this kept them in
 * `clusterlab:*:GeneratedPassword`/`SshKeyPair` resources; see docs/design.md for the way over).
 */
export class ClusterSecrets {
    private readonly seed: pulumi.Output<string>;
    private readonly scope: string;

    constructor(cluster: string) {
        const seed = new pulumi.Config("clusterlab").getSecret("secretSeed");
        if (seed === undefined) {
            throw new Error(`${secretSeedKey} ${missingSeedReason}`);
        }
        this.seed = seed;
        this.scope = `${pulumi.getStack()}/${cluster}`;
    }

    /** A password of letters and digits, secret. */
    password(purpose: string, length?: number): pulumi.Output<string> {
        return pulumi.secret(this.seed.apply((seed) => derivedPassword(seed, `${this.scope}/${purpose}`, length)));
    }

    /** An ed25519 key pair in OpenSSH's formats: the private key secret, the public key plain. */
    sshKeyPair(purpose: string, comment: string): { privateKey: pulumi.Output<string>; publicKey: pulumi.Output<string> } {
        const pair = this.seed.apply((seed) => derivedSshKeyPair(seed, `${this.scope}/${purpose}`, comment));
        return { privateKey: pulumi.secret(pair.privateKey), publicKey: pulumi.unsecret(pair.publicKey) };
    }
}
