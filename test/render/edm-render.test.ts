import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    renderConsulClientCommand,
    renderConsulServerCommand,
    renderRegistratorCommand,
    renderUpstream,
    renderWorkerApiRegistration,
} from "../../components/edm/render";

const golden = (name: string) => fs.readFileSync(path.join(__dirname, "golden", name), "utf8");

describe("EDM render functions", () => {
    it("renders the load balancer's upstream from typed backends, sorted by worker (golden edm-upstream.conf)", () => {
        const rendered = renderUpstream([
            { worker: "worker3", address: "10.0.0.7", port: 8835 },
            { worker: "worker1", address: "worker1-api", port: 8833 },
            { worker: "worker2", address: "worker2-api", port: 8833 },
        ]);
        assert.strictEqual(rendered, golden("edm-upstream.conf"));
    });

    it("refuses an upstream without workers, which nginx would refuse at reload", () => {
        assert.throws(() => renderUpstream([]), /at least one worker/);
    });

    it("renders the seed's consul server and client agents, the client retry-joining the master by name", () => {
        assert.deepStrictEqual(renderConsulServerCommand(),
            ["agent", "-server", "-bootstrap-expect=1", "-ui", "-node=master", "-client=0.0.0.0", "-data-dir=/consul/data"]);
        assert.deepStrictEqual(renderConsulClientCommand("worker2", "consul"),
            ["agent", "-node=worker2", "-retry-join=consul", "-client=0.0.0.0", "-data-dir=/consul/data"]);
    });

    it("gives registrator the worker's advertised address and its own consul agent, and registers only containers named for it (-explicit)", () => {
        assert.deepStrictEqual(renderRegistratorCommand("192.168.192.66", "worker1-consul"),
            ["-explicit", "-ip", "192.168.192.66", "consul://worker1-consul:8500"]);
    });

    it("registers a worker API at its advertised address and published port, with an HTTP check over the platform network", () => {
        assert.deepStrictEqual(renderWorkerApiRegistration("worker2", "127.0.0.1", 8834), {
            ID: "edm-worker-api-worker2",
            Name: "edm-worker-api",
            Tags: ["edm", "worker2"],
            Address: "127.0.0.1",
            Port: 8834,
            Meta: { worker: "worker2" },
            Check: {
                CheckID: "edm-worker-api-worker2-http",
                Name: "worker2 API answers /health",
                HTTP: "http://worker2-api:8833/health",
                Interval: "5s",
                Timeout: "3s",
            },
        });
    });
});
