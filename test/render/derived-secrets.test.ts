import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { derivedPassword, derivedSshKeyPair, newSecretSeed } from "../../components/core/derived-secrets";

describe("generated secrets derived from a stack's seed", () => {
    const seed = "a stack's seed";

    it("the same seed and purpose give the same password; another purpose or seed, another one", () => {
        const password = derivedPassword(seed, "stack/oar/db-password");
        assert.match(password, /^[A-HJ-NP-Za-km-z2-9]{24}$/);
        assert.strictEqual(derivedPassword(seed, "stack/oar/db-password"), password);
        assert.notStrictEqual(derivedPassword(seed, "stack/oar/db-ro-password"), password);
        assert.notStrictEqual(derivedPassword(seed, "other-stack/oar/db-password"), password);
        assert.notStrictEqual(derivedPassword("another seed", "stack/oar/db-password"), password);
        assert.strictEqual(derivedPassword(seed, "stack/oar/db-password", 40).length, 40);
    });

    it("derives ed25519 key pairs that ssh-keygen reads, with the matching public key, the same on every run", () => {
        const pair = derivedSshKeyPair(seed, "stack/oar/oar-key", "oar@stack-oar");
        assert.deepStrictEqual(derivedSshKeyPair(seed, "stack/oar/oar-key", "oar@stack-oar"), pair);
        assert.notStrictEqual(derivedSshKeyPair(seed, "stack/oar/host-key", "oar@stack-oar").publicKey, pair.publicKey);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterlab-derived-key-"));
        const file = path.join(dir, "id_ed25519");
        fs.writeFileSync(file, pair.privateKey, { mode: 0o600 });
        assert.strictEqual(execFileSync("ssh-keygen", ["-y", "-f", file], { encoding: "utf8" }).trim(), pair.publicKey);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("a new seed is 32 random bytes, base64", () => {
        const a = newSecretSeed();
        assert.strictEqual(Buffer.from(a, "base64").length, 32);
        assert.notStrictEqual(newSecretSeed(), a);
    });
});
