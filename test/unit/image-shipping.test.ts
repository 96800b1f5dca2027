import * as assert from "assert";
import { byType, containerNamed, installMocks, resetRecorded, valueOf } from "../support/mocks";
import { readStackFile } from "../support/stack-config";

installMocks("test");
const { readStackConfig } = require("../../stacks/config") as typeof import("../../stacks/config");
const { deployStack } = require("../../stacks/program") as typeof import("../../stacks/program");

/** Resources of a type as [name, engine] pairs. */
const at = (type: string): [string, string][] => byType(`pulumi-nodejs:dynamic/docker:${type}`)
    .map((r) => [r.name, r.inputs.dockerHost ?? "local"]);
/** The Mesos-based clusters, on `@pulumi/docker`: each host makes its own agent image. */
const builtOnEachHost = ["wraxl", "aurora"];

describe("images over several hosts (unit, mocked engine)", () => {
    beforeEach(resetRecorded);

    // No registry between the hosts: an image is built (or pulled) once, on its cluster's own
    // host, and copied to the others, never built again on each (a Hadoop or consul build there
    // would cost minutes per host).
    it("stacks/presets/multi-server.yaml: EDM and Hadoop build on their own host only and ship to the others; the Mesos-based ones and OAR make their image on each host", async () => {
        const outputs = deployStack(readStackConfig(readStackFile("multi-server")));
        for (const cluster of Object.values(outputs)) {
            await valueOf(cluster.containerNames);
        }
        // EDM's and Hadoop's images are made on their cluster's host (the local engine) only.
        const shippers = byType("docker:index/remoteImage:RemoteImage").filter((r) => /^(edm|hadoop)-/.test(r.name));
        assert.ok(shippers.some((r) => r.name === "hadoop-image") && shippers.some((r) => r.name.startsWith("edm-image-")), shippers.map((r) => r.name).join(" "));
        for (const image of shippers) {
            assert.strictEqual(image.inputs.dockerHost, undefined, `${image.name} is made on ${image.inputs.dockerHost}, not on its cluster's host`);
        }
        for (const cluster of builtOnEachHost) {
            const images = byType("docker:index/remoteImage:RemoteImage").filter((r) => r.name.startsWith(`${cluster}-`));
            const agentImage = containerNamed(`test-${cluster}-agent1`).inputs.image;
            const remote = images.filter((r) => r.inputs.dockerHost !== undefined).map((r) => [r.name, r.inputs.dockerHost, r.inputs.name]);
            assert.deepStrictEqual(remote, [
                [`${cluster}-agent-image-host2`, "tcp://10.213.0.2:2375", agentImage],
                [`${cluster}-agent-image-host3`, "ssh://root@10.213.0.3", agentImage],
            ], `${cluster}: the agent image, and only it, made on every other host its agents use`);
            // Built over each host's own provider connection, not wherever DOCKER_HOST points.
            assert.ok(images.every((r) => r.raw!.build === undefined || r.raw!.build.useLegacyBuilder === true));
        }
        // OAR's image is Debian packages, a short build: each engine its nodes use makes its own.
        const oarImages = byType("docker:index/remoteImage:RemoteImage").filter((r) => r.name.startsWith("oar-"));
        assert.deepStrictEqual(oarImages.map((r) => [r.name, r.inputs.dockerHost]), [["oar-image", "tcp://10.213.0.2:2375"], ["oar-image-host3", "ssh://root@10.213.0.3"]]);
        assert.strictEqual(oarImages[0].inputs.name, oarImages[1].inputs.name, "the same content-hash name on both hosts");
        assert.strictEqual(containerNamed("test-oar-node2").inputs.image, oarImages[1].inputs.name);
        const shipped = at("ImageShipment");
        assert.deepStrictEqual(shipped.filter(([name]) => !name.startsWith("hadoop-") && !name.startsWith("edm-")), [],
            "only EDM and Hadoop ship an image");
        const remote = shipped.filter(([name]) => name.startsWith("hadoop-image-host")).map(([, engine]) => engine);
        assert.deepStrictEqual(remote.sort(), ["ssh://root@10.213.0.3", "tcp://10.213.0.2:2375"], "hadoop-image shipped to every other host its roles use");
    });

    it("a shipment copies the very image built at home: its source image id is the build's", async () => {
        const outputs = deployStack(readStackConfig(readStackFile("multi-server")));
        await valueOf(outputs.hadoop.containerNames);
        const build = byType("docker:index/remoteImage:RemoteImage").find((r) => r.name === "hadoop-image")!;
        const shipment = byType("pulumi-nodejs:dynamic/docker:ImageShipment").find((r) => r.name === "hadoop-image-host3")!;
        assert.strictEqual(shipment.inputs.name, build.inputs.name, "the same content-hash tag on both hosts");
        assert.ok(typeof shipment.inputs.sourceImageId === "string" && shipment.inputs.sourceImageId !== "", "it names the built image's id, so a rebuild ships again");
        assert.deepStrictEqual(shipment.inputs.source, {}, "from the cluster's host, the local engine");
        assert.strictEqual(containerNamed("test-hadoop-datanode2").inputs.image, build.inputs.name, "run there by that name");
    });
});
