import * as fs from "fs";
import { sleep } from "../../test/e2e/support/poll";

/** The machine's CPU time from /proc/stat's `cpu` line, in clock ticks: busy and in all. */
export function cpuTicks(procStat: string): { busy: number; total: number } {
    const line = procStat.split("\n").find((l) => l.startsWith("cpu "));
    if (line === undefined) {
        throw new Error("no cpu line in /proc/stat");
    }
    // user nice system idle iowait irq softirq steal (guest time is already in user and nice)
    const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
    const waiting = idle + iowait;
    const total = user + nice + system + waiting + irq + softirq + steal;
    return { busy: total - waiting, total };
}

/** Cores busy on average between two /proc/stat readings of a machine with `cores` cores. Pure. */
export function busyCores(before: { busy: number; total: number }, after: { busy: number; total: number }, cores: number): number {
    const total = after.total - before.total;
    return total <= 0 ? 0 : Math.round(((after.busy - before.busy) / total) * cores * 100) / 100;
}

/**
 * How many cores the whole machine keeps busy over `windowMs` while a ready cluster idles: its
 * healthchecks (an exec each), its daemons, and the engine serving them. The harness sleeps
 * meanwhile, so the figure is the cluster's and the engine's.
 */
export async function idleCores(windowMs = 10_000): Promise<number> {
    const cores = (fs.readFileSync("/proc/cpuinfo", "utf8").match(/^processor\s*:/gm) ?? []).length || 1;
    const before = cpuTicks(fs.readFileSync("/proc/stat", "utf8"));
    await sleep(windowMs);
    return busyCores(before, cpuTicks(fs.readFileSync("/proc/stat", "utf8")), cores);
}
