import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { allPolicies } from "../../policies/all";
import { installMocks, recorded, resetRecorded, valueOf } from "../support/mocks";
import { readStackFile, stackConfigAsPulumiGivesIt } from "../support/stack-config";
import { stackViolationsOf, violationsOf } from "./util";

installMocks("test");
const { readStackConfig } = require("../../stacks/config") as typeof import("../../stacks/config");
const { deployStack } = require("../../stacks/program") as typeof import("../../stacks/program");
type StackConfig = import("../../stacks/config").StackConfig;

/** A stack's policy pack config (policies/config/<stack>.json), by rule, as `--policy-pack-config` gives it. */
function packConfigOf(stack: string): Record<string, Record<string, unknown>> {
    const file = path.join(__dirname, "..", "..", "policies", "config", `${stack}.json`);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
}

/** Deploys a stack config under mocks and runs the whole pack (with `packConfig`, by rule) over what it registered. */
async function packViolations(config: Record<string, string> | StackConfig, packConfig: Record<string, Record<string, unknown>> = {}) {
    resetRecorded();
    const outputs = deployStack("clusters" in config && Array.isArray(config.clusters) ? config as StackConfig : readStackConfig(config as Record<string, string>));
    await Promise.all(Object.values(outputs).map((cluster) => valueOf(cluster.containerNames)));
    // Resources registered after the container names resolve (registrations, jobs) come a few ticks later.
    for (let tick = 0; tick < 20; tick++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // What the engine hands the pack: a resource's own inputs (a @pulumi/docker one's as given, not
    // the mocks' view of them) and its provider's.
    const resources = recorded.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/docker:") || r.type.startsWith("docker:index/"))
        .map((r) => ({
            type: r.type, name: r.name, props: r.raw ?? r.inputs,
            ...(r.raw === undefined ? {} : { provider: { props: r.inputs.dockerHost === undefined ? {} : { host: r.inputs.dockerHost } } }),
        }));
    const { resource, stack } = allPolicies();
    const mandatory: string[] = [];
    const advisory: string[] = [];
    for (const policy of resource) {
        const found = resources.flatMap((r) => violationsOf(policy, r, packConfig[policy.name]).map((m) => `${policy.name}: ${m}`));
        (policy.enforcementLevel === "advisory" ? advisory : mandatory).push(...found);
    }
    for (const policy of stack) {
        mandatory.push(...stackViolationsOf(policy, resources, packConfig[policy.name]).map((m) => `${policy.name}: ${m}`));
    }
    return { mandatory, advisory, resources };
}

describe("policy pack on the stacks' own programs (mocked engine)", () => {
    it("finds no violation in the local stack", async () => {
        const { mandatory, advisory, resources } = await packViolations(readStackFile("local"));
        // wraxl: a network, four images, four volumes, five containers; oar: a network, an image,
        // the shared home and the server's database volumes, four containers (nodes join by themselves);
        // aurora: a network, four images, four volumes, five containers, two job keepers; hadoop: a
        // network, two images, four volumes, seven containers, the HDFS folders; edm: a network,
        // five images, seven volumes (one nginx's upstream), nine containers, the upstream step.
        assert.strictEqual(resources.length, 76);
        assert.deepStrictEqual(mandatory, []);
        // The aurora agent drives the host's Docker engine (docker containerizer, docker-compose),
        // and so do EDM's registrators and worker APIs: allowed for those roles, and the advisory
        // rule says so.
        // (In any order: resources of @pulumi/docker and of dynamic providers register at different ticks.)
        assert.deepStrictEqual([...advisory].sort(), [
            `privileged-access-exemptions: container "edm-worker1-registrator" (role registrator) gets the Docker socket (/var/run/docker.sock), ` +
            "allowed for role registrator: registrator watches the host's Docker socket to register every container in consul",
            `privileged-access-exemptions: container "edm-worker2-registrator" (role registrator) gets the Docker socket (/var/run/docker.sock), ` +
            "allowed for role registrator: registrator watches the host's Docker socket to register every container in consul",
            'privileged-access-exemptions: container "edm-worker1-api" (role worker-api) gets the Docker socket (/var/run/docker.sock), ' +
            "allowed for role worker-api: the EDM worker API builds images and runs docker compose on its host",
            'privileged-access-exemptions: container "edm-worker2-api" (role worker-api) gets the Docker socket (/var/run/docker.sock), ' +
            "allowed for role worker-api: the EDM worker API builds images and runs docker compose on its host",
            'privileged-access-exemptions: container "aurora-agent1" (role agent) gets the Docker socket (/var/run/docker.sock), ' +
            "allowed for role agent: a Mesos agent with the docker containerizer starts task containers through the host's Docker socket",
        ].sort());
    });

    it("finds no mandatory violation in the multi-server stack with its pack config (consul's serf port on TCP and UDP is one port each)", async () => {
        const { mandatory, resources } = await packViolations(readStackFile("multi-server"), packConfigOf("multi-server"));
        assert.ok(resources.length > 100, `${resources.length} resources`);
        assert.deepStrictEqual(mandatory, []);
        // Without it, the stack's ports on the servers' addresses are what the pack refuses on a local stack.
        const asLocal = await packViolations(readStackFile("multi-server"));
        assert.ok(asLocal.mandatory.some((m) => m.startsWith("loopback-ports-on-local-stacks: ")), asLocal.mandatory.join("\n"));
    });

    it("finds what is wrong with a deliberately bad stack: ports open on every interface, one port published twice", async () => {
        const mesos = { kind: "mesos", zookeeper: { port: false }, redis: { port: false }, master: { port: 5050 } };
        const bad = stackConfigAsPulumiGivesIt({
            "clusterlab:hosts": { local: { bindAddress: "0.0.0.0" } },
            "clusterlab:clusters": { a: mesos, b: mesos },
        });
        // A stack's config refuses the clash itself, before any resource; the pack is the check for
        // programs that compose the components without it, as this one does.
        assert.throws(() => readStackConfig(bad), /clusterlab:clusters\.b\.master\.port: must differ from clusterlab:clusters\.a\.master\.port/);
        const { kind, ...args } = mesos;
        const { mandatory } = await packViolations({
            hosts: { local: { bindAddress: "0.0.0.0" } },
            clusters: ["a", "b"].map((name) => ({ name, kind, host: "local", args })),
        });
        assert.deepStrictEqual(mandatory.sort(), [
            'loopback-ports-on-local-stacks: container "a-master" (role master) publishes port 5050 on 0.0.0.0: on a local stack bind it to 127.0.0.1 (the host\'s bindAddress)',
            'loopback-ports-on-local-stacks: container "b-master" (role master) publishes port 5050 on 0.0.0.0: on a local stack bind it to 127.0.0.1 (the host\'s bindAddress)',
            'unique-host-ports: "b-master" and "a-master" both publish the local engine port 5050: give one of them another host port',
        ]);
    });
});
