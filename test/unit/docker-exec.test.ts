import * as assert from "assert";
import { execProvider } from "../../components/core/docker/resources";
import { fakeDockerOnPath } from "../support/fake-docker";

/** Logs its argv and answers `container inspect` with the state in $FAKE_STATE ("missing": no such container). */
const dockerScript = (dir: string) => [
    `echo "$*" >> "${dir}/calls"`,
    `if [ "$1 $2" = "container inspect" ]; then`,
    `  if [ "$FAKE_STATE" = missing ]; then echo "Error: No such object: $5" >&2; exit 1; fi`,
    `  echo "$FAKE_STATE"`,
    "fi",
];

describe("DockerExec delete (unit: a faked docker CLI)", () => {
    const savedState = process.env.FAKE_STATE;
    const fake = fakeDockerOnPath(dockerScript);
    const props = { container: "c-scheduler", create: ["job", "create"], delete: ["job", "killall"] };

    afterEach(() => {
        if (savedState === undefined) {
            delete process.env.FAKE_STATE;
        } else {
            process.env.FAKE_STATE = savedState;
        }
    });

    const execs = () => fake.read("calls").split("\n").filter((call) => call.startsWith("exec "));

    it("runs the delete command in a running container", async () => {
        process.env.FAKE_STATE = "true false";
        await execProvider.delete!("id", props);
        assert.deepStrictEqual(execs(), ["exec c-scheduler job killall"]);
    });

    it("skips it when the container is stopped (it could not run it; with its network gone it could not even start), instead of blocking every later up", async () => {
        process.env.FAKE_STATE = "false false";
        await execProvider.delete!("id", props);
        assert.deepStrictEqual(execs(), []);
    });

    it("skips it when the container is gone", async () => {
        process.env.FAKE_STATE = "missing";
        await execProvider.delete!("id", props);
        assert.deepStrictEqual(execs(), []);
    });
});
