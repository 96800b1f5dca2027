import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { networkRemovalMessage, parseEndpoints, removeNetwork, retryDelays } from "../../bench/lib/network-removal";
import { fakeDockerOnPath } from "../support/fake-docker";

/**
 * A `docker` on PATH that logs its argv and plays an engine with one network, from files in its
 * folder: `rm-fails` (how many `network rm` still fail, "always" for all), `rm-error` (what they
 * say; default the engine's "has active endpoints"), `endpoints` (`network inspect` .Containers
 * JSON; `missing` = no such network), `live` (container ids that exist, one a line).
 */
function fakeDocker() {
    const fake = fakeDockerOnPath((dir) => [
        `d="${dir}"`,
        `echo "$*" >> "$d/calls"`,
        `case "$1 $2" in`,
        `"network rm")`,
        `  n=$(cat "$d/rm-fails" 2>/dev/null || echo 0)`,
        `  if [ "$n" = always ] || [ "$n" -gt 0 ]; then`,
        `    [ "$n" = always ] || echo $((n - 1)) > "$d/rm-fails"`,
        `    if [ -f "$d/rm-error" ]; then cat "$d/rm-error" >&2; else`,
        `      echo "Error response from daemon: error while removing network: network stress-net id $3 has active endpoints" >&2; fi`,
        `    exit 1`,
        `  fi`,
        `  echo "$3";;`,
        `"network inspect")`,
        `  if [ "$(cat "$d/endpoints" 2>/dev/null)" = missing ]; then echo "Error: No such network: $5" >&2; exit 1; fi`,
        `  cat "$d/endpoints" 2>/dev/null || echo "{}";;`,
        `"container inspect")`,
        `  if grep -qx "$5" "$d/live" 2>/dev/null; then echo "$5"; else echo "Error: No such object: $5" >&2; exit 1; fi;;`,
        `"network disconnect") ;;`,
        `*) echo "unexpected: $*" >&2; exit 99;;`,
        "esac",
    ]);
    return {
        get dir() {
            return fake.dir;
        },
        set: (name: string, content: string) => fs.writeFileSync(path.join(fake.dir, name), content),
        calls: () => fake.read("calls").trim().split("\n").filter((call) => call !== ""),
    };
}

const rms = (calls: string[]) => calls.filter((call) => call.startsWith("network rm "));
const disconnects = (calls: string[]) => calls.filter((call) => call.startsWith("network disconnect "));
const fast = { budgetMs: 200, firstDelayMs: 10, maxDelayMs: 40 };

describe("the benchmarks' network removal: Docker 20.10's stale \"has active endpoints\" (unit: a faked docker CLI)", () => {
    const fake = fakeDocker();

    it("removes the network once a transient \"has active endpoints\" clears (default bound)", async () => {
        fake.set("rm-fails", "2");
        await removeNetwork(undefined, "net-id", "stress-net");
        assert.strictEqual(rms(fake.calls()).length, 3);
        assert.ok(fake.calls().includes("network inspect --format {{json .Containers}} net-id"), fake.calls().join("\n"));
    });

    it("force-disconnects, by endpoint name, each endpoint the engine lists whose container is gone, and leaves live containers alone", async () => {
        fake.set("rm-fails", "1");
        fake.set("live", "c-live\n");
        fake.set("endpoints", JSON.stringify({
            "c-gone": { Name: "oar-node7", EndpointID: "e1" },
            "ep-4f2a": { Name: "oar-node9", EndpointID: "4f2a" },
            "c-live": { Name: "someone-elses", EndpointID: "e3" },
        }));
        const refusals: string[] = [];
        await removeNetwork(undefined, "net-id", "stress-net", { ...fast, onRefused: (tries, listed) => refusals.push(`${tries}: ${listed.map((e) => e.name).join(" ")}`) });
        assert.deepStrictEqual(refusals, ["1: oar-node7 oar-node9 someone-elses"]);
        assert.deepStrictEqual(disconnects(fake.calls()).sort(), [
            "network disconnect --force net-id oar-node7",
            "network disconnect --force net-id oar-node9",
        ]);
        assert.ok(fake.calls().includes("container inspect --format {{.Id}} c-gone"));
        assert.ok(!fake.calls().includes("container inspect --format {{.Id}} ep-4f2a"), "an ep- key has no container to look up");
    });

    it("gives up after the bound with an error naming the engine bug, the network, the engine and the remedy", async () => {
        fake.set("rm-fails", "always");
        fake.set("endpoints", JSON.stringify({ "c-gone": { Name: "oar-node7" } }));
        const started = Date.now();
        await assert.rejects(removeNetwork("tcp://10.213.0.2:2375", "net-id", "stress-net", fast), (error: Error) => {
            assert.match(error.message, /network stress-net on engine tcp:\/\/10\.213\.0\.2:2375 could not be removed/);
            assert.match(error.message, /moby\/moby#42119/);
            assert.match(error.message, /force-disconnected the stale endpoint\(s\) oar-node7/);
            assert.match(error.message, /scripts\/docker-engine\.sh/);
            assert.match(error.message, /Then remove it again \(`docker network rm stress-net`\)/);
            return true;
        });
        const elapsed = Date.now() - started;
        assert.ok(elapsed >= fast.budgetMs && elapsed < 5000, `gave up after ${elapsed} ms`);
        assert.strictEqual(rms(fake.calls()).length, retryDelays(fast.budgetMs, fast.firstDelayMs, fast.maxDelayMs).length + 1);
    });

    it("blames a live container still attached, not the engine, when one is what keeps the network", async () => {
        fake.set("rm-fails", "always");
        fake.set("live", "c-live\n");
        fake.set("endpoints", JSON.stringify({ "c-live": { Name: "someone-elses" } }));
        await assert.rejects(removeNetwork(undefined, "net-id", "stress-net", fast),
            /still in use by container\(s\) someone-elses, which this stack did not remove/);
        assert.deepStrictEqual(disconnects(fake.calls()), []);
    });

    it("treats a network already gone as removed, also when it vanishes between tries", async () => {
        fake.set("rm-error", "Error response from daemon: network net-id not found");
        fake.set("rm-fails", "1");
        await removeNetwork(undefined, "net-id", "stress-net");
        assert.strictEqual(rms(fake.calls()).length, 1);

        fs.rmSync(path.join(fake.dir, "rm-error"));
        fake.set("rm-fails", "1");
        fake.set("endpoints", "missing");
        await removeNetwork(undefined, "net-id", "stress-net", fast);
        assert.strictEqual(rms(fake.calls()).length, 2);
    });

    it("does not retry any other failure", async () => {
        fake.set("rm-error", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?");
        fake.set("rm-fails", "always");
        await assert.rejects(removeNetwork(undefined, "net-id", "stress-net"), /Cannot connect to the Docker daemon/);
        assert.strictEqual(rms(fake.calls()).length, 1);
        assert.deepStrictEqual(fake.calls().filter((call) => !call.startsWith("network rm ")), []);
    });
});

describe("network removal helpers (unit)", () => {
    it("waits double each time up to the cap, summing to exactly the bound", () => {
        assert.deepStrictEqual(retryDelays(20_000), [250, 500, 1000, 2000, 4000, 4000, 4000, 4000, 250]);
        assert.deepStrictEqual(retryDelays(0), []);
        assert.strictEqual(retryDelays(1234, 100, 300).reduce((a, b) => a + b, 0), 1234);
    });

    it("reads endpoint names from inspect's .Containers, null when none", () => {
        assert.deepStrictEqual(parseEndpoints("null"), []);
        assert.deepStrictEqual(parseEndpoints(`{"b1":{"Name":"b","EndpointID":"x"},"ep-9":{"Name":"a"}}`), [
            { key: "ep-9", name: "a" }, { key: "b1", name: "b" },
        ]);
    });

    it("says how long it waited and names the restart for every kind of engine", () => {
        const message = networkRemovalMessage({ network: "n", engine: "e", waitedSeconds: 20.2, tries: 10, attached: [], disconnected: [] });
        assert.match(message, /after 10 tries over 20 s/);
        assert.match(message, /kill \$\(cat \/var\/run\/docker\.pid\)/);
        assert.match(message, /extra-hosts\.sh stop-engine <name>/);
        assert.match(message, /systemctl restart docker/);
        assert.doesNotMatch(message, /force-disconnected/);
    });
});
