import * as crypto from "crypto";
import { ed25519Raw, openSshPrivateKey, openSshPublicKey } from "./ssh-key-format";

// A stack's generated secrets (database passwords, ssh keys, admin passwords), derived from one
// random secret per stack (its `clusterlab:secretSeed`) instead of made by a resource: the same
// seed and purpose give the same value on every run, on every machine, in a preview too, and no
// provider of clusterlab's own is needed to keep them. Pure functions: seed and purpose in.

/** `length` bytes for one purpose: HKDF-SHA256 of the seed, the purpose as its info. */
export function derivedBytes(seed: string, purpose: string, length: number): Buffer {
    return Buffer.from(crypto.hkdfSync("sha256", seed, "clusterlab derived secrets", purpose, length));
}

/** Letters and digits only, without look-alikes: it goes into config files and command lines unquoted. */
const passwordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/** A password of `length` characters (57 symbols each: 24 give 139 bits). */
export function derivedPassword(seed: string, purpose: string, length = 24): string {
    return Array.from(derivedBytes(seed, `${purpose}/password`, length), (b) => passwordAlphabet[b % passwordAlphabet.length]).join("");
}

/** PKCS#8 DER of an ed25519 private key, before its 32-byte seed (RFC 8410). */
const ed25519Pkcs8Prefix = Buffer.from("302e020100300506032b657004220420", "hex");

/** An ed25519 key pair in OpenSSH's formats, the same for the same seed, purpose and comment. */
export function derivedSshKeyPair(seed: string, purpose: string, comment: string): { privateKey: string; publicKey: string } {
    const bytes = derivedBytes(seed, `${purpose}/ed25519`, 36);
    const key = crypto.createPrivateKey({ key: Buffer.concat([ed25519Pkcs8Prefix, bytes.subarray(0, 32)]), format: "der", type: "pkcs8" });
    const { seed: keySeed, publicKey } = ed25519Raw(key);
    return {
        privateKey: openSshPrivateKey(keySeed, publicKey, comment, bytes.readUInt32BE(32)),
        publicKey: openSshPublicKey(publicKey, comment),
    };
}

/** A new seed, as `npm run up` makes one for a stack that has none. */
export function newSecretSeed(): string {
    return crypto.randomBytes(32).toString("base64");
}
