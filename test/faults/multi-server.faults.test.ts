import * as assert from "assert";
import { dockerOn, ExtraHosts, borrowExtraHosts, labelledOn, startExtraHost, stopExtraEngine } from "../e2e/support/extra-hosts";
import { changesOf, labelledLeftovers, TestStack } from "../e2e/support/lifecycle";
import { eventually } from "../e2e/support/poll";
import { docker, e2eOptOut, prepareToolchain } from "../e2e/support/toolchain";

// A multi-server stack when one of its hosts goes away: only the extra engine this suite starts
// (scripts/extra-hosts.sh) is stopped, never the main one.

const describeFaults = e2eOptOut ? describe.skip : describe;
const localAddress = "10.213.0.1";

/** A MesosCluster (stand-in images) on the local engine with one agent there and one on host3, reached over tcp:// with TLS. */
function clusters() {
    return {
        wraxl: {
            kind: "mesos",
            host: "local",
            master: { image: { build: "mesos-standin" }, port: 25050 },
            agentImage: { build: "mesos-standin" },
            zookeeper: { port: 22181 },
            redis: { port: false },
            agentHosts: ["local", "host3"],
            agents: [{ name: "agent1", port: false }, { name: "agent2", port: 25051 }],
        },
    };
}

/** Id and start time of each of the stack's containers on one engine: "untouched" means these do not change. */
function startedContainers(endpoint: string, stack: string): string[] {
    const ids = dockerOn(endpoint, "ps", "-aq", "--filter", `label=clusterlab.stack=${stack}`).split("\n").filter((id) => id !== "");
    return ids.map((id) => dockerOn(endpoint, "inspect", "--format", "{{.Name}} {{.Id}} {{.State.StartedAt}} {{.State.Status}}", id)).sort();
}

describeFaults("Multi-server faults — MesosCluster (Mesos STAND-IN) over the local engine and host3 (tcp:// with TLS): a host whose engine stops", function () {
    this.timeout(20 * 60 * 1000);
    const stack = new TestStack("multi", "faults");
    let extra: ExtraHosts;
    let host3Socket = "";

    before(async () => {
        prepareToolchain();
        extra = borrowExtraHosts();
        host3Socket = `unix://${extra.host3.socket}`;
        await stack.init({});
        await stack.setStackConfig({
            local: { bindAddress: localAddress },
            host3: {
                docker: extra.host3.tls.docker, bindAddress: extra.host3.address,
                tls: { ca: extra.host3.tls.ca, cert: extra.host3.tls.cert, key: extra.host3.tls.key },
            },
        }, clusters());
        await stack.up();
    });
    after(async () => {
        // host3 must answer for destroy to reach its objects, whatever a failed test left.
        startExtraHost("host3");
        await stack.dispose();
    });

    it("MesosCluster over two hosts, host3's engine stopped: preview fails naming host3 and its endpoint, the local host untouched; engine back, up converges", async () => {
        const names = (await stack.outputs()).clusters.wraxl.containerNames as Record<string, string>;
        const localBefore = startedContainers("unix:///var/run/docker.sock", stack.name);
        assert.strictEqual(localBefore.length, 5);
        const faultAt = Date.now();
        stopExtraEngine("host3");

        const previewAt = Date.now();
        await assert.rejects(stack.preview(), (error: Error) => {
            assert.match(error.message, /cannot reach the Docker engine of every host; nothing was created or changed on any host:/);
            assert.match(error.message, /host "host3" \(tcp:\/\/10\.213\.0\.3:2376\): /);
            assert.doesNotMatch(error.message, /host "local"/);
            return true;
        });
        const previewSeconds = (Date.now() - previewAt) / 1000;
        await assert.rejects(stack.up(), /host "host3" \(tcp:\/\/10\.213\.0\.3:2376\)/);
        assert.deepStrictEqual(startedContainers("unix:///var/run/docker.sock", stack.name), localBefore, "the local host's containers were touched");

        startExtraHost("host3");
        const up = await stack.up();
        // The agent's restart policy brought it back with its engine; up has nothing to repair.
        assert.deepStrictEqual(changesOf(up.summary.resourceChanges), {});
        const state = () => JSON.parse(docker("exec", names.master, "curl", "-fsS", "http://127.0.0.1:5050/master/state")) as
            { slaves: { hostname: string; pid: string; active: boolean }[] };
        await eventually("agent2 on host3 active at the master again", 60, () =>
            state().slaves.some((a) => a.hostname === "agent2" && a.active && a.pid === `slave(1)@${extra.host3.address}:25051`));
        assert.deepStrictEqual(startedContainers("unix:///var/run/docker.sock", stack.name), localBefore);
        console.log(`      host3 engine stopped: preview failed in ${previewSeconds.toFixed(1)}s naming it; ` +
            `cluster whole again ${((Date.now() - faultAt) / 1000).toFixed(1)}s after the fault; up: no change; local: 0 containers touched`);
    });

    it("MesosCluster over two hosts: destroy leaves nothing labelled on either engine", async () => {
        await stack.destroy();
        assert.deepStrictEqual(labelledLeftovers(stack.name), []);
        assert.deepStrictEqual(labelledOn(host3Socket, stack.name), []);
    });
});
