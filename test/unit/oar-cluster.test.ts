import * as assert from "assert";
import { derivedPassword, derivedSshKeyPair } from "../../components/core/derived-secrets";
import { byType, dockerTypes, installMocks, isSecretOnWire, mockSecretSeed, named, recorded, recordingOptions, resetRecorded, valueOf } from "../support/mocks";

installMocks("test");
const { OarCluster } = require("../../components/oar") as typeof import("../../components/oar");

const container = dockerTypes.container;

async function deploy(args: ConstructorParameters<typeof OarCluster>[1] = {}) {
    resetRecorded();
    const cluster = new OarCluster("oar", args, recordingOptions());
    const outputs = {
        containerNames: await valueOf(cluster.containerNames),
        frontendCommand: await valueOf(cluster.frontendCommand),
        nodeCommands: await valueOf(cluster.nodeCommands),
        submitCommand: await valueOf(cluster.submitCommand),
        nodeNames: await valueOf(cluster.nodeNames),
    };
    return { cluster, outputs };
}

const env = (name: string): Record<string, string> => Object.fromEntries((named(name, container).inputs.env as string[])
    .map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));

describe("OarCluster (unit, mocked engine)", () => {
    it("creates server, frontend and one container per node, each with its role", async () => {
        const { outputs } = await deploy({ nodes: 3 });
        assert.deepStrictEqual(byType(container).map((c) => c.inputs.name).sort(),
            ["test-oar-frontend", "test-oar-node1", "test-oar-node2", "test-oar-node3", "test-oar-server"]);
        assert.deepStrictEqual(outputs.nodeNames, ["node1", "node2", "node3"]);
        assert.strictEqual(env("oar-server").OAR_ROLE, "server");
        assert.strictEqual(env("oar-node2").OAR_ROLE, "node");
        assert.strictEqual(env("oar-frontend").OAR_SERVER_HOST, "server");
        for (const c of byType(container)) {
            assert.strictEqual(c.inputs.labels["clusterlab.cluster"], "oar", c.name);
            assert.ok(c.inputs.memoryMb > 0, c.name);
        }
    });

    it("has each node join OAR by itself, as its name with its cores, with no step run from outside: no exec resource, no dynamic provider", async () => {
        await deploy({ nodes: [{ name: "n1", cores: 4 }, { name: "n2" }] });
        assert.deepStrictEqual([env("oar-n1").OAR_NODE_NAME, env("oar-n1").OAR_NODE_CORES], ["n1", "4"]);
        assert.deepStrictEqual([env("oar-n2").OAR_NODE_NAME, env("oar-n2").OAR_NODE_CORES], ["n2", "1"]);
        assert.strictEqual(env("oar-n1").OAR_DB_PORT, undefined, "a node on the server's host reaches PostgreSQL on 5432");
        assert.strictEqual(env("oar-server").OAR_NODE_NAME, undefined);
        assert.deepStrictEqual(recorded.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")).map((r) => r.name), []);
    });

    it("starts the nodes beside the server, not after it (a node needs nothing of it to start); the frontend waits for it", async () => {
        await deploy({ nodes: 2 });
        const waitsFor = (role: string) => byType(container).find((c) => c.inputs.name === `test-oar-${role}`)!.dependsOn ?? [];
        assert.ok(!waitsFor("node1").includes("oar-server") && !waitsFor("node2").includes("oar-server"), `node1 waits for ${JSON.stringify(waitsFor("node1"))}`);
        assert.ok(waitsFor("frontend").includes("oar-server"), `the frontend waits for ${JSON.stringify(waitsFor("frontend"))}`);
    });

    it("has Docker test the many nodes every 5 s and the server and frontend every 2 s; all with the same check", async () => {
        await deploy({ nodes: 2 });
        const health = (role: string) => named(`oar-${role}`, container).inputs.healthcheck;
        assert.strictEqual(health("node1").intervalSeconds, 5);
        assert.strictEqual(health("node2").intervalSeconds, 5);
        assert.strictEqual(health("server").intervalSeconds, 2);
        assert.strictEqual(health("frontend").intervalSeconds, 2);
        assert.strictEqual(health("node1").shellCommand, health("server").shellCommand);
    });

    it("waits for every role to be healthy, a node included: healthy means it has joined OAR, so a job can run when up ends", async () => {
        await deploy({ nodes: 2 });
        const raw = (role: string) => named(`oar-${role}`, container).raw!;
        assert.deepStrictEqual([raw("server").wait, raw("frontend").wait, raw("node1").wait, raw("node2").wait], [true, true, true, true]);
    });

    it("derives the ssh keys and database passwords from the stack's secret seed, with no resource of their own, and keeps them secret", async () => {
        await deploy();
        assert.deepStrictEqual(recorded.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/clusterlab:")).map((r) => r.type), [], "no GeneratedPassword or SshKeyPair resource");
        const content = (role: string, file: string) =>
            named(`oar-${role}`, container).inputs.files.find((f: { path: string }) => f.path === `/run/clusterlab/${file}`).content;
        const dbPassword = derivedPassword(mockSecretSeed, "test/oar/db-password");
        assert.strictEqual(content("server", "db_password"), dbPassword);
        assert.notStrictEqual(content("server", "db_ro_password"), dbPassword);
        const oarKey = derivedSshKeyPair(mockSecretSeed, "test/oar/oar-key", "oar@test-oar");
        assert.deepStrictEqual([content("node1", "oar_key"), content("node1", "oar_key.pub")], [oarKey.privateKey, oarKey.publicKey]);
        assert.strictEqual(content("frontend", "ssh_host_key.pub"), derivedSshKeyPair(mockSecretSeed, "test/oar/host-key", "host@test-oar").publicKey);
        // Secrets as files: the provider makes a whole list secret when one entry is, and a preview
        // should show a reviewer every plain env var.
        for (const role of ["server", "frontend", "node1"]) {
            assert.deepStrictEqual(named(`oar-${role}`, container).inputs.secretInputs, [
                "file:/run/clusterlab/db_password", "file:/run/clusterlab/db_ro_password",
                "file:/run/clusterlab/oar_key", "file:/run/clusterlab/ssh_host_key",
            ], role);
        }
        for (const c of byType(container)) {
            assert.ok(!c.inputs.env.some((e: string) => e.includes(dbPassword)), `${c.name} has a password in its env`);
            assert.strictEqual(isSecretOnWire(c.wire!.envs), false, `${c.name}'s env is plain`);
            assert.strictEqual(isSecretOnWire(c.wire!.uploads), true, `${c.name}'s files hold keys`);
        }
        const files = named("oar-node1", container).inputs.files.map((f: { path: string; mode: number }) => [f.path, f.mode.toString(8)]);
        assert.deepStrictEqual(files, [
            ["/run/clusterlab/oar_key", "600"], ["/run/clusterlab/oar_key.pub", "644"],
            ["/run/clusterlab/ssh_host_key", "600"], ["/run/clusterlab/ssh_host_key.pub", "644"],
            // On a node too: oarsh reads the job's cpuset name from the database.
            ["/run/clusterlab/db_password", "600"], ["/run/clusterlab/db_ro_password", "600"],
        ]);
    });

    it("shares one /home volume between the frontend and every node, and keeps the database on the server's own", async () => {
        await deploy({ shared: [{ hostPath: "/tmp", containerPath: "/oar_src", readOnly: true }] });
        const homes = ["oar-frontend", "oar-node1", "oar-node2"].map((n) =>
            named(n, container).inputs.mounts.find((m: { target: string }) => m.target === "/home").source);
        assert.deepStrictEqual(homes, ["test-oar-home", "test-oar-home", "test-oar-home"]);
        assert.ok(named("oar-node1", container).inputs.mounts.some((m: { source: string; target: string; readOnly: boolean }) =>
            m.source === "/tmp" && m.target === "/oar_src" && m.readOnly));
        assert.deepStrictEqual(named("oar-server", container).inputs.mounts.map((m: { target: string }) => m.target), ["/var/lib/postgresql"]);
    });

    it("keys nodes by name: removing one leaves the others' resources as they were", async () => {
        await deploy({ nodes: 3 });
        const before = recorded.map((r) => `${r.type} ${r.name}`).filter((n) => !n.includes("node3"));
        await deploy({ nodes: [{ name: "node1" }, { name: "node2" }] });
        assert.deepStrictEqual(recorded.map((r) => `${r.type} ${r.name}`).sort(), before.sort());
    });

    it("outputs commands that connect to the frontend and each node, and submit a job", async () => {
        const { outputs } = await deploy();
        assert.strictEqual(outputs.frontendCommand, "docker exec -it test-oar-frontend su - user");
        assert.strictEqual(outputs.nodeCommands.node2, "docker exec -it test-oar-node2 su - user");
        assert.strictEqual(outputs.submitCommand, "docker exec test-oar-frontend su - user -c 'oarsub -l nodes=2 hostname'");
    });

    it("publishes the frontend's sshd on the host's bind address with the given keys, and says how to ssh in", async () => {
        resetRecorded();
        const cluster = new OarCluster("oar", { frontend: { sshPort: 2222, authorizedKeys: ["ssh-ed25519 AAAAtest me@laptop"] } }, recordingOptions());
        assert.strictEqual(await valueOf(cluster.sshCommand), "ssh -p 2222 user@127.0.0.1");
        await valueOf(cluster.containerNames);
        const frontend = named("oar-frontend", container).inputs;
        assert.deepStrictEqual(frontend.ports, [{ ip: "127.0.0.1", internal: 22, external: 2222 }]);
        assert.deepStrictEqual(frontend.files.find((f: { path: string }) => f.path === "/run/clusterlab/user_authorized_keys").content,
            "ssh-ed25519 AAAAtest me@laptop\n");
        assert.throws(() => new OarCluster("bad", { frontend: { authorizedKeys: ["not a key"] } }),
            /frontend\.authorizedKeys\[0\]: must be an OpenSSH public key line/);
    });

    it("rejects bad config before any resource: no nodes, two nodes with one name, a shared folder that does not exist", () => {
        resetRecorded();
        assert.throws(() => new OarCluster("bad", { nodes: 0 }), /nodes: must be a whole number of nodes >= 1, or a list of named nodes, got 0/);
        assert.throws(() => new OarCluster("bad", { nodes: [{ name: "a" }, { name: "a" }] }),
            /nodes\[1\]\.name: must be unique: nodes\[0\] is already named "a"/);
        assert.throws(() => new OarCluster("bad", { shared: [{ hostPath: "/no/such/folder", containerPath: "/src" }] }),
            /shared\[0\]\.hostPath: must exist on the local Docker host, got "\/no\/such\/folder", which does not/);
        assert.deepStrictEqual(recorded.filter((r) => r.type.includes("dynamic") || r.type.startsWith("docker:")), []);
    });

    it("refuses a cluster over several hosts while one of them is advertised at a loopback address, naming each such host once, before any resource", async () => {
        const { Host } = require("../../components/core/host") as typeof import("../../components/core/host");
        const reason = (host: string) => `runs on ${host}, advertised at 127.0.0.1, a loopback address: the cluster spans hosts and its roles are ` +
            "reached at their host's address from the other hosts; give the host a bindAddress or advertiseAddress they reach";
        const hosts = (h2: Record<string, string>) => ({
            h2: new Host("h2", { docker: "tcp://10.0.0.2:2375", ...h2 }),
            h3: new Host("h3", { docker: "ssh://root@10.0.0.3", bindAddress: "0.0.0.0", advertiseAddress: "10.0.0.3" }),
        });
        const nodes = [{ name: "n1", sshPort: 16667 }, { name: "n2", sshPort: 16667 }, { name: "n3", sshPort: 16668 }];
        resetRecorded();
        // The server on the cluster's (local, loopback) host; nodes on h2 (loopback) and h3: local and h2 once each.
        assert.throws(() => new OarCluster("bad", { host: Host.local(), hosts: hosts({}), server: { almightyPort: 16666, databasePort: 15432 }, nodeHosts: ["h2", "h3"], nodes }),
            (error: Error) => error.message === [
                'invalid OarCluster "bad" args:',
                `  host: ${reason('host "local" (the local engine)')}`,
                `  nodes[0]: ${reason('host "h2" (tcp://10.0.0.2:2375)')}`,
            ].join("\n") || assert.fail(error.message));
        // The server placed on h2 by name: the path that put it there.
        assert.throws(() => new OarCluster("bad", { hosts: hosts({}), server: { host: "h2", almightyPort: 16666, databasePort: 15432 }, nodeHosts: ["h2", "h3"], nodes }),
            (error: Error) => error.message === ['invalid OarCluster "bad" args:', `  server.host: ${reason('host "h2" (tcp://10.0.0.2:2375)')}`].join("\n")
                || assert.fail(error.message));
        assert.deepStrictEqual(recorded.filter((r) => r.type.includes("dynamic") || r.type.startsWith("docker:")), []);
        // Reachable addresses: the same cluster deploys (the local host unused: nothing runs there).
        const { outputs } = await deploy({ hosts: hosts({ bindAddress: "10.0.0.2" }), server: { host: "h2", almightyPort: 16666, databasePort: 15432 }, nodeHosts: ["h2", "h3"], nodes });
        assert.deepStrictEqual(outputs.nodeNames, ["n1", "n2", "n3"]);
        // n2 on h3 joins OAR in the server's database on h2, through the port h2 publishes it on.
        assert.deepStrictEqual(named("oar-server", container).inputs.ports.map((p: { internal: number; external: number }) => [p.internal, p.external]),
            [[16666, 16666], [5432, 15432]]);
        assert.deepStrictEqual([env("oar-n1").OAR_DB_PORT, env("oar-n2").OAR_DB_PORT], [undefined, "15432"]);
        // All on one loopback host, as on a laptop: no cluster over hosts, nothing to refuse.
        await deploy({ host: Host.local(), nodes: 2 });
    });
});
