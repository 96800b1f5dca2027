import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { newOpenSshKeyPair, openSshPrivateKey, openSshPublicKey } from "../../components/core/ssh-key-format";

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

    it("makes key pairs that ssh-keygen itself reads, with the matching public key", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterlab-key-"));
        const pair = newOpenSshKeyPair("oar@test");
        const file = path.join(dir, "id_ed25519");
        fs.writeFileSync(file, pair.privateKey, { mode: 0o600 });
        const derived = execFileSync("ssh-keygen", ["-y", "-f", file], { encoding: "utf8" }).trim();
        assert.strictEqual(derived, pair.publicKey);
        assert.notStrictEqual(newOpenSshKeyPair("oar@test").privateKey, pair.privateKey);
    });
});
