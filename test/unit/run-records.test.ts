import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import { ownerAlive, readRecords, record, runsDir, startTicksOf, thisProcess } from "../e2e/support/run-records";

describe("test-run records: who owns a test stack, alive or gone (unit, this machine's /proc)", () => {
    it("takes this process as alive, and a process that ended as gone", () => {
        assert.ok(ownerAlive(thisProcess()));
        const ended = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
        const pid = Number(ended.stdout);
        assert.strictEqual(startTicksOf(pid), undefined);
        assert.ok(!ownerAlive({ pid, startTicks: "1" }));
    });

    it("takes a live pid with another start time for a later process, not the owner (pids are reused)", () => {
        const self = thisProcess();
        assert.ok(/^\d+$/.test(self.startTicks), self.startTicks);
        assert.ok(!ownerAlive({ pid: self.pid, startTicks: String(Number(self.startTicks) + 1) }));
    });

    it("writes a record readable by the next run, and forgets it on release", () => {
        const name = `unit-${process.pid}`;
        const release = record(name, { kind: "stack", stack: name, backendDir: "/nowhere", stackFile: "/nowhere.yaml" });
        try {
            const found = readRecords().find(({ record: r }) => r.kind === "stack" && r.stack === name);
            assert.ok(found !== undefined && found.file.startsWith(runsDir));
            assert.deepStrictEqual({ ...found.record }, { ...thisProcess(), kind: "stack", stack: name, backendDir: "/nowhere", stackFile: "/nowhere.yaml" });
        } finally {
            release();
        }
        assert.ok(!readRecords().some(({ record: r }) => r.kind === "stack" && r.stack === name));
        assert.ok(fs.existsSync(runsDir));
    });
});
