import * as assert from "assert";
import { dockerProviders, dockerTypes, installMocks, named, recordingOptions, resetRecorded, settle } from "../support/mocks";

installMocks("test");
const { EdmMaster, EdmWorker } = require("../../components/edm") as typeof import("../../components/edm");
const { Host } = require("../../components/core/host") as typeof import("../../components/core/host");

// An EDM master on a TLS (tcp:// + tls) or ssh:// engine: the step that installs the load
// balancer's upstream runs on that same engine, through the host's provider, as nginx does.

const pemOf = (what: string) => `-----BEGIN ${what}-----\nAAAA\n-----END ${what}-----\n`;
const tls = { ca: pemOf("CERTIFICATE"), cert: pemOf("CERTIFICATE"), key: pemOf("PRIVATE KEY") };
const ssh = { privateKey: pemOf("OPENSSH PRIVATE KEY"), knownHosts: "10.0.0.3 ssh-ed25519 AAAA", options: { ConnectTimeout: "5" } };

describe("EdmMaster.balance on a TLS or ssh:// engine (unit, mocked engine)", () => {
    beforeEach(resetRecorded);

    it("runs the upstream step on the master host's provider, beside nginx, writing into nginx's upstream volume", async () => {
        // One worker beside its master (an upstream needs one); both on the master's engine.
        const worker = (master: InstanceType<typeof EdmMaster>) => new EdmWorker(`${master.platform.cluster}-worker1`, { name: "worker1", master }, recordingOptions());
        const onTls = new EdmMaster("tlsm", { host: new Host("h9", { docker: "tcp://10.0.0.9:2376", bindAddress: "10.0.0.9", tls }) }, recordingOptions());
        onTls.balance([worker(onTls)]);
        const onSsh = new EdmMaster("sshm", { host: new Host("h3", { docker: "ssh://root@10.0.0.3", bindAddress: "10.0.0.3", ssh }) }, recordingOptions());
        onSsh.balance([worker(onSsh)]);
        await settle();
        const step = named("tlsm-upstream", dockerTypes.container).inputs;
        assert.strictEqual(step.dockerHost, "tcp://10.0.0.9:2376");
        assert.strictEqual(named("tlsm-nginx", dockerTypes.container).inputs.dockerHost, "tcp://10.0.0.9:2376");
        const provider = dockerProviders()["docker-h9"];
        assert.deepStrictEqual([provider.caMaterial, provider.certMaterial, provider.keyMaterial], [tls.ca, tls.cert, tls.key]);
        const volume = "test-tlsm-nginx-upstream";
        assert.ok(step.mounts.some((m: { source: string; target: string }) => m.source === volume && m.target === "/etc/nginx/edm"), JSON.stringify(step.mounts));
        assert.ok(named("tlsm-nginx", dockerTypes.container).inputs.mounts.some((m: { source: string; target: string }) => m.source === volume && m.target === "/etc/nginx/edm"));
        assert.strictEqual(named("sshm-upstream", dockerTypes.container).inputs.dockerHost, "ssh://root@10.0.0.3");
    });
});
