import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

// The README is a new user's first screen (#21 item 6): these checks keep it from drifting back.

const root = path.resolve(__dirname, "..", "..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
/** Everything before the first `## ` heading: what a new user sees first. */
const firstScreen = readme.slice(0, readme.indexOf("\n## "));

describe("README.md, as a new user reads it", () => {
    it("points nowhere outside the repository", () => {
        const outside = readme.split("\n").filter((line) => /(^|[\s`(])\.\.\//.test(line));
        assert.deepStrictEqual(outside, []);
    });

    it("starts with what clusterlab is, the two commands, their measured times on a fresh and a warm machine, and the quick test", () => {
        assert.match(firstScreen, /^# clusterlab\n\nPulumi component resources/);
        assert.match(firstScreen, /```sh\nnpm run up .*\nnpm test .*\n```/);
        const upRow = /^\| `npm run up` \| ([^|]+) \| ([^|]+) \|$/m.exec(firstScreen);
        assert.ok(upRow, "a row of times for npm run up");
        for (const time of upRow.slice(1)) {
            assert.match(time.trim(), /^\d+ min( \d+ s)?$|^\d+ s$/, `a measured time, not "${time.trim()}"`);
        }
        assert.match(firstScreen, /^\| `npm test` \|/m);
        assert.match(firstScreen, /`npm run test:unit` \(about \d+ min\)/);
    });

    it("says what the words it uses mean: the seed, wraxl, EDM, yow, stand-in", () => {
        for (const word of ["The seed", "wraxl", "EDM", "yow", "Stand-in"]) {
            assert.match(firstScreen, new RegExp(`\\*${word}\\*: `), `"${word}" is explained on the first screen`);
        }
    });

    it("lists every top-level folder of the repository in its layout", () => {
        const layout = readme.slice(readme.indexOf("## Layout"));
        // The repository's folders (what git tracks), not whatever else a checkout holds.
        const folders = [...new Set(execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" }).split("\n")
            .filter((file) => file.includes("/")).map((file) => file.slice(0, file.indexOf("/"))))];
        assert.ok(folders.length > 5, folders.join(" "));
        for (const folder of folders) {
            assert.ok(layout.includes(`| \`${folder}/\` |`), `the layout names ${folder}/`);
        }
    });
});
