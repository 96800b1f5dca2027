import * as assert from "assert";
import { NginxConfigInputs, upstreamAsFound } from "../../components/edm/nginx-upstream";

// What `refresh` concludes about the load balancer's upstream file from the nginx container as
// found: the faults suite (test/faults/edm.faults.test.ts) shows each case on a real engine.

describe("EDM drift: the nginx upstream file as refresh finds it", () => {
    const props: NginxConfigInputs = { container: "s-edm-nginx", path: "/etc/nginx/edm/workers.conf", content: "upstream edm_workers {}\n", triggers: [] };
    const id = "s-edm-nginx:/etc/nginx/edm/workers.conf";

    it("is gone with its container: a container removed by hand took the file along, so up writes it again", () => {
        assert.deepStrictEqual(upstreamAsFound(id, props, undefined, undefined), {});
    });

    it("is kept as it was while the container is stopped: the file is still in its layer", () => {
        assert.deepStrictEqual(upstreamAsFound(id, props, "false", undefined), { id, props });
    });

    it("is unchanged when the running container holds the same text (cat's output is trimmed)", () => {
        assert.deepStrictEqual(upstreamAsFound(id, props, "true", "upstream edm_workers {}"), { id, props });
    });

    it("shows what the container holds when it differs, or is missing, so up applies the file again", () => {
        assert.deepStrictEqual(upstreamAsFound(id, props, "true", "edited by hand"), { id, props: { ...props, content: "edited by hand" } });
        assert.deepStrictEqual(upstreamAsFound(id, props, "true", ""), { id, props: { ...props, content: "" } });
    });
});
