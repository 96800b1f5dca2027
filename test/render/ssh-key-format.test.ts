import * as assert from "assert";
import { openSshPrivateKey, openSshPublicKey } from "../../components/core/ssh-key-format";

// That ssh-keygen reads the key pairs written this way: derived-secrets.test.ts.
describe("OpenSSH key formats", () => {
    it("writes the public key line of a known ed25519 key (RFC 8032 test vector 1)", () => {
        const publicKey = Buffer.from("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "hex");
        assert.strictEqual(openSshPublicKey(publicKey, "t"),
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea t");
    });

    it("writes a private key file whose layout is fixed for fixed inputs", () => {
        const seed = Buffer.alloc(32, 1);
        const publicKey = Buffer.alloc(32, 2);
        const text = openSshPrivateKey(seed, publicKey, "c", 0x01020304);
        assert.match(text, /^-----BEGIN OPENSSH (PRIVATE) KEY-----\n([A-Za-z0-9+/=]{1,70}\n)+-----END OPENSSH (PRIVATE) KEY-----\n$/);
        const body = Buffer.from(text.split("\n").slice(1, -2).join(""), "base64");
        assert.strictEqual(body.subarray(0, 15).toString("binary"), "openssh-key-v1\0");
    });
});
