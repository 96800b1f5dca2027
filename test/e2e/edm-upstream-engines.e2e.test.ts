import * as assert from "assert";
import * as crypto from "crypto";
import { nginxConfigProvider, NginxConfigInputs } from "../../components/edm/nginx-upstream";
import { borrowExtraHosts, dockerOn, ExtraHosts, labelledOn, testEngines } from "./support/extra-hosts";
import { e2eOptOut, prepareToolchain } from "./support/toolchain";

// EdmMaster's upstream file (NginxConfigFile) written, reloaded, refreshed and rewritten on host3's
// real engine over each way a stack reaches it: tcp:// with TLS, and ssh:// with its own key and
// known hosts. Only the connection is under test, so the container is debian:bookworm-slim (host3
// has it) with a STAND-IN `nginx` script that logs its calls and, for `-t`, accepts a file only if
// it holds an upstream block; the real nginx behind the load balancer is in edm.e2e.test.ts.
// A whole EDM master on host3 would build consul and gitea there (Go builds of several minutes).

const nginxStandin = [
    "#!/bin/sh",
    'echo "$*" >> /tmp/nginx-calls',
    'if [ "$1" = -t ]; then grep -q "^upstream " /etc/nginx/edm/workers.conf; fi',
].join("\n");

const describeE2e = e2eOptOut ? describe.skip : describe;

describeE2e("EDM upstream file on host3's real engine over TLS and over ssh:// (nginx a STAND-IN script: the connection is under test)", function () {
    this.timeout(10 * 60 * 1000);
    const stack = `e2e-upstream-${crypto.randomBytes(3).toString("hex")}`;
    const container = `${stack}-nginx`;
    const path = "/etc/nginx/edm/workers.conf";
    let extra: ExtraHosts;

    /** host3 as the test itself reaches it: its socket file, no TLS flags needed. */
    let host3 = "";
    const inContainer = (...args: string[]) => dockerOn(host3, "exec", container, ...args);
    let overTls: NginxConfigInputs;
    let overSsh: NginxConfigInputs;

    before(() => {
        prepareToolchain();
        extra = borrowExtraHosts();
        host3 = testEngines(extra).host3;
        dockerOn(host3, "run", "-d", "--init", "--name", container, "--label", `clusterlab.stack=${stack}`, "debian:bookworm-slim", "sleep", "infinity");
        inContainer("sh", "-c", `mkdir -p /etc/nginx/edm && printf '%s\\n' '${nginxStandin.replace(/'/g, `'\\''`)}' > /usr/local/bin/nginx && chmod +x /usr/local/bin/nginx`);
        const file = { container, path, triggers: [] as string[] };
        overTls = { ...file, content: "upstream edm_workers { server worker1:8833; }\n", dockerHost: extra.host3.tls.docker,
            dockerTls: { ca: extra.host3.tls.ca, cert: extra.host3.tls.cert, key: extra.host3.tls.key } };
        overSsh = { ...file, content: "upstream edm_workers { server worker2:8833; }\n", dockerHost: extra.host3.ssh,
            dockerSsh: { privateKey: extra.host3.privateKey, knownHosts: extra.host3.knownHosts } };
    });
    after(() => {
        if (host3 !== "") {
            if (labelledOn(host3, stack).length > 0) {
                dockerOn(host3, "rm", "-f", container);
            }
            assert.deepStrictEqual(labelledOn(host3, stack), []);
        }
    });

    it("with dockerHost alone, as before this fix, the TLS endpoint refuses the write (the bug)", async () => {
        const { dockerTls: _tls, ...bare } = overTls;
        void _tls;
        await assert.rejects(nginxConfigProvider.create!(bare), /Client sent an HTTP request to an HTTPS server/);
    });

    it("over TLS: create writes the file and reloads, refresh finds it unchanged, and a hand edit shows as drift", async () => {
        const t = Date.now();
        await nginxConfigProvider.create!(overTls);
        assert.strictEqual(`${inContainer("cat", path)}\n`, overTls.content);
        assert.deepStrictEqual(inContainer("cat", "/tmp/nginx-calls").split("\n"), ["-t -q", "-s reload"]);
        assert.deepStrictEqual(await nginxConfigProvider.read!("id", overTls), { id: "id", props: overTls });
        inContainer("sh", "-c", `echo 'upstream edited_by_hand {}' > ${path}`);
        const found = await nginxConfigProvider.read!("id", overTls);
        assert.strictEqual(found.props?.content, "upstream edited_by_hand {}");
        console.log(`      create + 2 refreshes over TLS: ${((Date.now() - t) / 1000).toFixed(1)}s`);
    });

    it("over ssh://: update rewrites and reloads; a file nginx -t refuses is rolled back, and the update fails", async () => {
        const t = Date.now();
        await nginxConfigProvider.update!("id", overTls, overSsh);
        assert.strictEqual(`${inContainer("cat", path)}\n`, overSsh.content);
        assert.deepStrictEqual(await nginxConfigProvider.read!("id", overSsh), { id: "id", props: overSsh });
        await assert.rejects(nginxConfigProvider.update!("id", overSsh, { ...overSsh, content: "not an upstream\n" }), /failed \(exit 1\)/);
        assert.strictEqual(`${inContainer("cat", path)}\n`, overSsh.content, "the previous file is back");
        assert.deepStrictEqual(inContainer("cat", "/tmp/nginx-calls").split("\n"), ["-t -q", "-s reload", "-t -q", "-s reload", "-t -q"]);
        console.log(`      update + refresh + refused update over ssh://: ${((Date.now() - t) / 1000).toFixed(1)}s`);
    });

    it("refresh over TLS of a container removed by hand says the file went with it", async () => {
        dockerOn(host3, "rm", "-f", container);
        assert.deepStrictEqual(await nginxConfigProvider.read!("id", overTls), {});
    });
});
