import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The faked CLI of the running test: its folder, and the files its script writes there. */
export interface FakeDocker {
    /** The folder the script lives in, made anew for each test. */
    dir: string;
    /** A file of that folder by name, as text ("" when the script never wrote it). */
    read(name: string): string;
}

/**
 * A `docker` on PATH for every test of the calling `describe`: a shell script (its lines made
 * from the folder it lives in, where it may log) put first on PATH before each test, and gone,
 * with PATH as it was, after. For providers that run the docker CLI, tested without an engine.
 */
export function fakeDockerOnPath(script: (dir: string) => string[]): FakeDocker {
    const savedPath = process.env.PATH;
    const fake: FakeDocker = {
        dir: "",
        read: (name) => (fs.existsSync(path.join(fake.dir, name)) ? fs.readFileSync(path.join(fake.dir, name), "utf8") : ""),
    };
    beforeEach(() => {
        fake.dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-docker-"));
        fs.writeFileSync(path.join(fake.dir, "docker"), ["#!/bin/sh", ...script(fake.dir)].join("\n"), { mode: 0o755 });
        process.env.PATH = `${fake.dir}${path.delimiter}${savedPath}`;
    });
    afterEach(() => {
        process.env.PATH = savedPath;
        fs.rmSync(fake.dir, { recursive: true, force: true });
    });
    return fake;
}
