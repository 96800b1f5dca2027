import * as assert from "assert";
import { providerTypes } from "../../policies/shapes";
import { clusterlabLabels } from "../../policies/rules/clusterlab-labels";
import { loopbackPorts } from "../../policies/rules/loopback-ports";
import { memoryLimit } from "../../policies/rules/memory-limit";
import { noPlaintextSecrets } from "../../policies/rules/no-plaintext-secrets";
import { noPrivilegedAccess, privilegedAccessExemptions } from "../../policies/rules/no-privileged-access";
import { pinnedImages } from "../../policies/rules/pinned-images";
import { uniqueHostPorts } from "../../policies/rules/unique-host-ports";
import { uniqueNetworkNames } from "../../policies/rules/unique-network-names";
import { Checked, container, goodContainer, RoleContainer, stackViolationsOf, violationsOf } from "./util";

const privateKey = ["-----BEGIN OPENSSH", "PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"].join(" ");
const agentWithSocket = () => goodContainer({
    labels: { "clusterlab.stack": "dev", "clusterlab.cluster": "wraxl", "clusterlab.role": "agent" },
    mounts: [{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock", readOnly: false }],
});

describe("policy rules", () => {
    describe("pinned-images", () => {
        const image = (name: string) => ({ type: providerTypes.image, name: "wraxl-redis-image", props: { name, keepLocally: true } });
        it("passes a tag and a content-hash build tag", () => {
            assert.deepStrictEqual(violationsOf(pinnedImages(), image("mesosphere/mesos-master:1.7.1")), []);
            assert.deepStrictEqual(violationsOf(pinnedImages(), image("clusterlab/redis:0a1b2c3d4e5f")), []);
        });
        it("fails latest and no tag, naming the image and the fix", () => {
            assert.deepStrictEqual(violationsOf(pinnedImages(), image("redis:latest")), [
                'image "wraxl-redis-image" is "redis:latest", which is not pinned: give it a tag other than latest (repo:1.2.3) or a digest (repo@sha256:…)',
            ]);
            assert.strictEqual(violationsOf(pinnedImages(), image("redis")).length, 1);
        });
    });

    describe("no-privileged-access and its exemptions", () => {
        it("passes a plain container", () => {
            assert.deepStrictEqual(violationsOf(noPrivilegedAccess(), container(goodContainer())), []);
            assert.deepStrictEqual(violationsOf(privilegedAccessExemptions(), container(goodContainer())), []);
        });
        it("fails privileged mode, the Docker socket, host network and host PID on a role that is not exempt", () => {
            const everything = container(goodContainer({ privileged: true,
                mounts: [{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock", readOnly: false }] }));
            everything.props = { ...everything.props, networkMode: "host", pidMode: "host" };
            assert.deepStrictEqual(violationsOf(noPrivilegedAccess(), everything), [
                'container "wraxl-redis" (role redis) gets privileged mode, the Docker socket (/var/run/docker.sock), the host network, ' +
                "the host PID namespace: remove it, or name the role in this policy's exemptRoles with the reason it needs it",
            ]);
        });
        it("lets an exempt role through, and says why in the advisory rule", () => {
            assert.deepStrictEqual(violationsOf(noPrivilegedAccess(), container(agentWithSocket(), "wraxl-agent1")), []);
            assert.deepStrictEqual(violationsOf(privilegedAccessExemptions(), container(agentWithSocket(), "wraxl-agent1")), [
                'container "wraxl-agent1" (role agent) gets the Docker socket (/var/run/docker.sock), allowed for role agent: ' +
                "a Mesos agent with the docker containerizer starts task containers through the host's Docker socket",
            ]);
            assert.strictEqual(privilegedAccessExemptions().enforcementLevel, "advisory");
        });
        it("takes the exempt roles from the stack's pack config", () => {
            assert.strictEqual(violationsOf(noPrivilegedAccess(), container(agentWithSocket()), { exemptRoles: {} }).length, 1);
        });
    });

    describe("loopback-ports-on-local-stacks", () => {
        const open = container(goodContainer({ ports: [{ ip: "0.0.0.0", internal: 5050, external: 5050 }] }), "wraxl-master");
        it("passes loopback, IPv4 and IPv6", () => {
            assert.deepStrictEqual(violationsOf(loopbackPorts(), container(goodContainer())), []);
            assert.deepStrictEqual(violationsOf(loopbackPorts(), container(goodContainer({ ports: [{ ip: "::1", internal: 1, external: 2 }] }))), []);
        });
        it("fails a port on every interface of a local stack", () => {
            assert.deepStrictEqual(violationsOf(loopbackPorts(), open), [
                'container "wraxl-master" (role redis) publishes port 5050 on 0.0.0.0: on a local stack bind it to 127.0.0.1 (the host\'s bindAddress)',
            ]);
        });
        it("does not apply to a stack whose pack config says it is not local", () => {
            assert.deepStrictEqual(violationsOf(loopbackPorts(), open, { localStack: false }), []);
        });
    });

    describe("clusterlab-labels", () => {
        it("passes a labelled container, network and volume", () => {
            const labels = container(goodContainer()).props.labels as unknown[];
            for (const type of [providerTypes.network, providerTypes.volume]) {
                assert.deepStrictEqual(violationsOf(clusterlabLabels(), { type, name: "x", props: { name: "x", labels } }), []);
            }
            assert.deepStrictEqual(violationsOf(clusterlabLabels(), container(goodContainer())), []);
        });
        it("fails a volume without the labels, naming the missing ones", () => {
            assert.deepStrictEqual(violationsOf(clusterlabLabels(),
                { type: providerTypes.volume, name: "scratch", props: { name: "scratch", labels: [{ label: "clusterlab.stack", value: "dev" }] } }), [
                '"scratch" lacks the labels clusterlab.cluster, clusterlab.role: create it through clusterlab\'s Service or createDockerNetwork, which set them',
            ]);
        });
    });

    describe("memory-limit", () => {
        it("passes a container with a limit and fails one without", () => {
            assert.deepStrictEqual(violationsOf(memoryLimit(), container(goodContainer())), []);
            assert.deepStrictEqual(violationsOf(memoryLimit(), container(goodContainer({ memoryMb: undefined }))), [
                'container "wraxl-redis" (role redis) has no memory limit: set the role\'s memoryMb',
            ]);
        });
    });

    describe("no-plaintext-secrets", () => {
        it("passes ordinary env and secrets that came from Pulumi secrets", () => {
            const props = goodContainer({
                env: ["APPENDONLY=yes", "DB_PASSWORD=s3cret"],
                files: [{ path: "/var/lib/oar/.ssh/id_rsa", content: privateKey }],
                secretInputs: ["env:DB_PASSWORD", "file:/var/lib/oar/.ssh/id_rsa"],
            });
            assert.deepStrictEqual(violationsOf(noPlaintextSecrets(), container(props)), []);
        });
        it("passes a *_FILE var naming a file that came from a secret, and fails one naming any other file", () => {
            const props = goodContainer({
                env: ["ADMIN_PASSWORD_FILE=/run/secrets/admin", "OTHER_PASSWORD_FILE=/etc/plain"],
                files: [{ path: "/run/secrets/admin", content: "s3cret" }, { path: "/etc/plain", content: "s3cret" }],
                secretInputs: ["file:/run/secrets/admin"],
            });
            assert.deepStrictEqual(violationsOf(noPlaintextSecrets(), container(props)), [
                'container "wraxl-redis" (role redis) has OTHER_PASSWORD_FILE in plain text: pass it as a Pulumi secret (pulumi.secret, config --secret, or a generated password)',
            ]);
        });
        it("fails a password in env and a private key in a file that are plain text", () => {
            const props = goodContainer({
                env: ["DB_PASSWORD=s3cret", "EMPTY_TOKEN="],
                files: [{ path: "/var/lib/oar/.ssh/id_rsa", content: privateKey }],
            });
            assert.deepStrictEqual(violationsOf(noPlaintextSecrets(), container(props)), [
                'container "wraxl-redis" (role redis) has DB_PASSWORD in plain text: pass it as a Pulumi secret (pulumi.secret, config --secret, or a generated password)',
                'container "wraxl-redis" (role redis) gets a key in plain text at /var/lib/oar/.ssh/id_rsa: generate it per stack and pass it as a Pulumi secret',
            ]);
        });
    });

    describe("unique-host-ports", () => {
        it("passes distinct ports, and one port on two engines", () => {
            assert.deepStrictEqual(stackViolationsOf(uniqueHostPorts(), [
                container(goodContainer(), "a"),
                container(goodContainer({ ports: [{ ip: "127.0.0.1", internal: 1, external: 5050 }] }), "b"),
                container(goodContainer({ dockerHost: "ssh://far" }), "c"),
            ]), []);
        });
        it("fails two containers on one engine publishing one port, whatever their bind address", () => {
            assert.deepStrictEqual(stackViolationsOf(uniqueHostPorts(), [
                container(goodContainer(), "wraxl-redis"),
                container(goodContainer({ ports: [{ ip: "0.0.0.0", internal: 6380, external: 6379 }] }), "other-redis"),
            ]), ['"other-redis" and "wraxl-redis" both publish the local engine port 6379: give one of them another host port']);
        });
        it("passes one port on TCP and on UDP (consul's serf), and fails two containers on one UDP port", () => {
            const serf = (protocol?: "udp") => ({ ip: "127.0.0.1", internal: 8301, external: 8301, ...(protocol === undefined ? {} : { protocol }) });
            assert.deepStrictEqual(stackViolationsOf(uniqueHostPorts(), [container(goodContainer({ ports: [serf(), serf("udp")] }), "edm-consul")]), []);
            assert.deepStrictEqual(stackViolationsOf(uniqueHostPorts(), [
                container(goodContainer({ ports: [serf("udp")] }), "a-consul"),
                container(goodContainer({ ports: [serf("udp")] }), "b-consul"),
            ]), ['"b-consul" and "a-consul" both publish the local engine port 8301/udp: give one of them another host port']);
        });
    });

    describe("unique-network-names", () => {
        const network = (name: string, networkName: string, dockerHost?: string): Checked =>
            ({ type: providerTypes.network, name, props: { name: networkName, labels: [] }, provider: { props: dockerHost === undefined ? {} : { host: dockerHost } } });
        it("passes distinct names, and one name on two engines", () => {
            assert.deepStrictEqual(stackViolationsOf(uniqueNetworkNames(), [
                network("a-network", "dev-a"), network("b-network", "dev-b"), network("c-network", "dev-a", "ssh://far"),
            ]), []);
        });
        it("fails two clusters sharing a network name on one engine", () => {
            assert.deepStrictEqual(stackViolationsOf(uniqueNetworkNames(), [network("a-network", "dev-a"), network("b-network", "dev-a")]),
                ['"b-network" and "a-network" both create network "dev-a" on the local engine: rename one of the clusters']);
        });
    });
});

describe("policy rules: the verdict on each kind of role container", () => {
    const cases: [string, RoleContainer][] = [
        ["a good container", goodContainer()],
        ["no memory limit", goodContainer({ memoryMb: undefined })],
        ["a port on every interface", goodContainer({ ports: [{ ip: "0.0.0.0", internal: 6379, external: 6379 }] })],
        ["a password in plain text", goodContainer({ env: ["DB_PASSWORD=hunter2"] })],
        ["a password from a secret", goodContainer({ env: ["DB_PASSWORD=hunter2"], secretInputs: ["env:DB_PASSWORD"] })],
        ["a key file in plain text", goodContainer({ files: [{ path: "/k", content: privateKey, mode: 0o600 }] })],
        ["privileged, with the Docker socket", goodContainer({ privileged: true, mounts: [{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock", readOnly: false }] })],
        ["no labels", goodContainer({ labels: {} })],
    ];
    const rules = [loopbackPorts(), memoryLimit(), noPlaintextSecrets(), noPrivilegedAccess(), privilegedAccessExemptions(), clusterlabLabels()];
    const clean = new Set(["a good container", "a password from a secret"]);
    for (const [what, role] of cases) {
        it(`${what}: ${clean.has(what) ? "no rule objects" : "some rule objects"}`, () => {
            const said = rules.flatMap((rule) => violationsOf(rule, container(role)));
            assert.strictEqual(said.length === 0, clean.has(what), said.join("\n"));
        });
    }

    it("a resource that `pulumi up --target` leaves out (a skipped create, handed to the pack without inputs) is judged by no rule", () => {
        const all = [...rules, pinnedImages()];
        for (const type of Object.values(providerTypes)) {
            const skipped: Checked = { type, name: "untargeted", props: {} };
            assert.deepStrictEqual(all.flatMap((rule) => violationsOf(rule, skipped)), [], type);
        }
        assert.deepStrictEqual(stackViolationsOf(uniqueHostPorts(), [{ type: providerTypes.container, name: "a", props: {} }, container(goodContainer(), "b")]), []);
        assert.deepStrictEqual(stackViolationsOf(uniqueNetworkNames(), [{ type: providerTypes.network, name: "a", props: {} }]), []);
    });

    it("a clash of host ports is found by the provider's endpoint", () => {
        const onHost2 = goodContainer({ dockerHost: "tcp://10.0.0.2:2375" });
        assert.strictEqual(stackViolationsOf(uniqueHostPorts(), [container(onHost2, "a"), container(onHost2, "b")]).length, 1);
        assert.deepStrictEqual(stackViolationsOf(uniqueHostPorts(), [container(goodContainer(), "a"), container(onHost2, "b")]), []);
    });
});
