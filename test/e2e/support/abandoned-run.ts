// A test run that will be killed: it makes a one-node OarCluster stack the way the suites do, says
// which on its first line of output, and runs `up`. reaper.e2e.test.ts SIGKILLs it mid-`up`.
import { TestStack } from "./lifecycle";
import { prepareToolchain } from "./toolchain";

void (async () => {
    prepareToolchain();
    const stack = new TestStack("abandoned", "e2e");
    await stack.init({ oar: { kind: "oar", nodes: 1 } });
    console.log(JSON.stringify({ stack: stack.name, backendDir: stack.backendDir }));
    await stack.up();
})();
