import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { fakeDockerOnPath } from "../support/fake-docker";
import { dockerProviders, dockerTypes, installMocks, named, recordingOptions, resetRecorded, settle } from "../support/mocks";

installMocks("test");
const { nginxConfigProvider } = require("../../components/edm/nginx-upstream") as typeof import("../../components/edm/nginx-upstream");
const { EdmMaster, EdmWorker } = require("../../components/edm") as typeof import("../../components/edm");
const { Host } = require("../../components/core/host") as typeof import("../../components/core/host");

type Inputs = import("../../components/edm/nginx-upstream").NginxConfigInputs;

// An EDM master on a TLS (tcp:// + tls) or ssh:// engine: the load balancer's upstream file must be
// written, and read back on refresh, over that same connection, as every container of the master is.

const pemOf = (what: string) => `-----BEGIN ${what}-----\nAAAA\n-----END ${what}-----\n`;
const tls = { ca: pemOf("CERTIFICATE"), cert: pemOf("CERTIFICATE"), key: pemOf("PRIVATE KEY") };
const ssh = { privateKey: pemOf("OPENSSH PRIVATE KEY"), knownHosts: "10.0.0.3 ssh-ed25519 AAAA", options: { ConnectTimeout: "5" } };

/**
 * Logs, per call, its first three words (the script after them has newlines) and how it was told
 * to reach the engine (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, the `ssh` first on PATH);
 * keeps what it was piped; says the container runs; and `cat`s back "upstream as found".
 */
const dockerScript = (dir: string) => [
    `printf 'args=%s\\thost=%s\\ttls=%s\\tcerts=%s\\tssh=%s\\n' "$1 $2 $3" "$DOCKER_HOST" "$DOCKER_TLS_VERIFY" "$DOCKER_CERT_PATH" "$(command -v ssh)" >> "${dir}/calls"`,
    `if [ "$1 $2" = "exec -i" ]; then cat > "${dir}/piped"; fi`,
    `if [ "$1 $2" = "container inspect" ]; then echo true; fi`,
    `if [ "$1" = exec ] && [ "$3" = cat ]; then echo "upstream as found"; fi`,
];

describe("EDM upstream file on a TLS or ssh:// engine (unit: a faked docker CLI)", () => {
    const fake = fakeDockerOnPath(dockerScript);
    const calls = () => fake.read("calls").trim().split("\n")
        .map((line) => Object.fromEntries(line.split("\t").map((field) => [field.slice(0, field.indexOf("=")), field.slice(field.indexOf("=") + 1)])));
    const file = { container: "s-edm-nginx", path: "/etc/nginx/edm/workers.conf", content: "upstream edm_workers { server worker1:8833; }\n", triggers: ["c1"] };

    it("writes and reloads, and refresh reads it back, with the TLS material handed to the docker CLI", async () => {
        const inputs: Inputs = { ...file, dockerHost: "tcp://10.0.0.9:2376", dockerTls: tls };
        await nginxConfigProvider.create!(inputs);
        const found = await nginxConfigProvider.read!("id", inputs);
        assert.strictEqual(fake.read("piped"), file.content);
        assert.strictEqual(found.props?.content, "upstream as found", "refresh reached the container");
        const made = calls();
        assert.deepStrictEqual(made.map((call) => call.args.split(" ").slice(0, 2).join(" ")), ["exec -i", "container inspect", "exec s-edm-nginx"]);
        for (const call of made) {
            assert.strictEqual(call.host, "tcp://10.0.0.9:2376", call.args);
            assert.strictEqual(call.tls, "1", call.args);
            assert.strictEqual(fs.readFileSync(path.join(call.certs, "ca.pem"), "utf8"), tls.ca, call.args);
            assert.strictEqual(fs.readFileSync(path.join(call.certs, "key.pem"), "utf8"), tls.key, call.args);
        }
    });

    it("applies an update over ssh:// with the key, known hosts and options in the ssh the CLI runs", async () => {
        const inputs: Inputs = { ...file, dockerHost: "ssh://root@10.0.0.3", dockerSsh: ssh };
        await nginxConfigProvider.update!("id", inputs, { ...inputs, content: "upstream edm_workers {}\n" });
        assert.strictEqual(fake.read("piped"), "upstream edm_workers {}\n");
        const [call] = calls();
        assert.strictEqual(call.host, "ssh://root@10.0.0.3");
        assert.strictEqual(call.tls, "");
        assert.match(call.ssh, /clusterlab-engine-/, "the wrapper, not the system's ssh");
        const wrapper = fs.readFileSync(call.ssh, "utf8");
        assert.match(wrapper, /'-i' '[^']+\/id' '-o' 'IdentitiesOnly=yes'/);
        assert.match(wrapper, /'-o' 'StrictHostKeyChecking=yes' '-o' 'ConnectTimeout=5' "\$@"/);
    });

    it("a plain engine gets no TLS and no wrapper: DOCKER_HOST only, as before", async () => {
        await nginxConfigProvider.create!({ ...file, dockerHost: "tcp://10.0.0.2:2375" });
        const [call] = calls();
        assert.deepStrictEqual([call.host, call.tls, call.certs, /clusterlab-engine-/.test(call.ssh)], ["tcp://10.0.0.2:2375", "", "", false]);
    });

    it("a rotated certificate or ssh key is how to connect, not what the file is: no diff; another engine still replaces it", async () => {
        const olds: Inputs = { ...file, dockerHost: "tcp://10.0.0.9:2376", dockerTls: tls, dockerSsh: undefined };
        const rotated = { ...olds, dockerTls: { ...tls, cert: pemOf("NEW CERTIFICATE") } };
        assert.deepStrictEqual(await nginxConfigProvider.diff!("id", olds, rotated), { changes: false, replaces: [] });
        assert.deepStrictEqual(await nginxConfigProvider.diff!("id", { ...file }, { ...file, dockerSsh: ssh }), { changes: false, replaces: [] });
        assert.deepStrictEqual(await nginxConfigProvider.diff!("id", olds, { ...olds, dockerHost: "tcp://10.0.0.8:2376" }),
            { changes: true, replaces: ["dockerHost"] });
    });
});

describe("EdmMaster.balance on a TLS or ssh:// engine (unit, mocked engine)", () => {
    beforeEach(resetRecorded);

    it("gives the upstream file the master host's whole engine block, as its containers get it", async () => {
        const upstreamType = "pulumi-nodejs:dynamic/nginx:ConfigFile";
        // One worker beside its master (an upstream needs one); both on the master's engine.
        const worker = (master: InstanceType<typeof EdmMaster>) => new EdmWorker(`${master.platform.cluster}-worker1`, { name: "worker1", master }, recordingOptions());
        const onTls = new EdmMaster("tlsm", { host: new Host("h9", { docker: "tcp://10.0.0.9:2376", bindAddress: "10.0.0.9", tls }) }, recordingOptions());
        onTls.balance([worker(onTls)]);
        const onSsh = new EdmMaster("sshm", { host: new Host("h3", { docker: "ssh://root@10.0.0.3", bindAddress: "10.0.0.3", ssh }) }, recordingOptions());
        onSsh.balance([worker(onSsh)]);
        await settle();
        const tlsInputs = named("tlsm-upstream", upstreamType).inputs;
        assert.deepStrictEqual([tlsInputs.dockerHost, tlsInputs.dockerTls, tlsInputs.dockerSsh], ["tcp://10.0.0.9:2376", tls, undefined]);
        // The nginx container it writes into reaches the same engine with the same material, through its host's provider.
        assert.strictEqual(named("tlsm-nginx", dockerTypes.container).inputs.dockerHost, "tcp://10.0.0.9:2376");
        const provider = dockerProviders()["docker-h9"];
        assert.deepStrictEqual([provider.caMaterial, provider.certMaterial, provider.keyMaterial], [tls.ca, tls.cert, tls.key]);
        const sshInputs = named("sshm-upstream", upstreamType).inputs;
        assert.deepStrictEqual([sshInputs.dockerHost, sshInputs.dockerTls, sshInputs.dockerSsh], ["ssh://root@10.0.0.3", undefined, ssh]);
    });
});
