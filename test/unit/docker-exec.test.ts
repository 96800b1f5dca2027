import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execProvider } from "../../components/core/docker/resources";

/**
 * A `docker` on PATH that logs its argv and answers `container inspect` with the state in
 * $FAKE_STATE ("missing" makes it say the container does not exist).
 */
function fakeDocker(): { dir: string; calls: () => string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-docker-"));
    fs.writeFileSync(path.join(dir, "docker"), [
        "#!/bin/sh",
        `echo "$*" >> "${dir}/calls"`,
        `if [ "$1 $2" = "container inspect" ]; then`,
        `  if [ "$FAKE_STATE" = missing ]; then echo "Error: No such object: $5" >&2; exit 1; fi`,
        `  echo "$FAKE_STATE"`,
        "fi",
    ].join("\n"), { mode: 0o755 });
    return { dir, calls: () => (fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n") : []) };
}

describe("DockerExec delete (unit: a faked docker CLI)", () => {
    const saved = { PATH: process.env.PATH, FAKE_STATE: process.env.FAKE_STATE };
    let fake: ReturnType<typeof fakeDocker>;
    const props = { container: "c-scheduler", create: ["job", "create"], delete: ["job", "killall"] };

    beforeEach(() => {
        fake = fakeDocker();
        process.env.PATH = `${fake.dir}${path.delimiter}${saved.PATH}`;
    });
    afterEach(() => {
        process.env.PATH = saved.PATH;
        process.env.FAKE_STATE = saved.FAKE_STATE;
        fs.rmSync(fake.dir, { recursive: true, force: true });
    });

    const execs = () => fake.calls().filter((call) => call.startsWith("exec "));

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
