// The provider-wait suite's program (test/e2e/provider-wait.e2e.test.ts): one `docker.Container`
// on an explicit provider for the local engine, its arguments the stack's `container` config,
// labelled with the stack's name so the suite (and the reaper) find what it made. A program of its
// own, run by the CLI's language host as a user's is, not an inline one: inline programs run many
// stacks' runtimes in the test's process, where gRPC once refused the second one's monitor
// ("14 UNAVAILABLE: No connection established", pulumi/pulumi#7125).
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

const args = new pulumi.Config().requireObject<docker.ContainerArgs>("container");
const provider = new docker.Provider("local", { host: "unix:///var/run/docker.sock" });
new docker.Container("container", {
    ...args,
    labels: [{ label: "clusterlab.stack", value: pulumi.getStack() }],
}, { provider });
