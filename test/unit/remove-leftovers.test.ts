import * as assert from "assert";
import { enginesOfState, leftovers } from "../../scripts/remove-leftovers";

describe("recover: what a cut-short up left on the engines (pure)", () => {
    const state = [
        { urn: "urn:p::docker-local", id: "p1", type: "pulumi:providers:docker", inputs: {} },
        { urn: "urn:p::docker-host3", id: "p3", type: "pulumi:providers:docker", inputs: { host: "ssh://root@10.0.0.3", sshOpts: "[\"-o\",\"Port=22\"]" } },
        // A second provider of the same engine and settings is the same engine.
        { urn: "urn:p::docker-local-2", id: "p4", type: "pulumi:providers:docker", inputs: {} },
        { urn: "urn:c::agent1", id: "c1", type: "docker:index/container:Container" },
        { urn: "urn:n::net", id: "n1", type: "docker:index/network:Network" },
        // Held by a resource of another type (here a dynamic one), the id is the state's all the same.
        { urn: "urn:c::oar-node1", id: "c9", type: "pulumi-nodejs:dynamic/docker:Exec" },
        { urn: "urn:c::pending", type: "docker:index/container:Container" },
    ];

    it("one engine per distinct provider config, with its ssh options parsed", () => {
        const { engines } = enginesOfState(state);
        assert.deepStrictEqual(engines.map((e) => [e.host, e.sshOpts]), [[undefined, undefined], ["ssh://root@10.0.0.3", ["-o", "Port=22"]]]);
    });

    it("an object is a leftover only when no resource of the state, of any type, holds its id", () => {
        const { held } = enginesOfState(state);
        const listed = "c1 s-wraxl-agent1\nc2 s-wraxl-agent4\nc9 s-oar-node1\n\n";
        assert.deepStrictEqual(leftovers(listed, held), [{ id: "c2", name: "s-wraxl-agent4" }]);
        assert.deepStrictEqual(leftovers("n1 s-wraxl\nn2 s-wraxl\n", held), [{ id: "n2", name: "s-wraxl" }]);
        assert.deepStrictEqual(leftovers("", held), []);
    });
});
