/** Median, min and max of repeated timings: the form every figure of the benchmarks takes. */
export interface Figure {
    median: number;
    min: number;
    max: number;
    runs: number[];
}

export function figureOf(runs: number[]): Figure {
    if (runs.length === 0) {
        throw new Error("a figure needs at least one run");
    }
    const sorted = [...runs].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    return { median, min: sorted[0], max: sorted[sorted.length - 1], runs };
}

/** clusterlab ÷ peer, on medians, rounded to two decimals: below 1 means clusterlab was faster. */
export function ratioOf(ours: Figure, peer: Figure): number {
    return Math.round((ours.median / peer.median) * 100) / 100;
}

/**
 * How a cost grows with size: for each step of the sizes, the cost ratio per 10× of size
 * (1 = flat, 10 = linear, 100 = quadratic).
 */
export function growthPer10x(points: { size: number; cost: number }[]): { from: number; to: number; per10x: number }[] {
    const sorted = [...points].sort((a, b) => a.size - b.size);
    return sorted.slice(1).map((point, i) => {
        const previous = sorted[i];
        const decades = Math.log10(point.size / previous.size);
        const per10x = Math.pow(point.cost / previous.cost, 1 / decades);
        return { from: previous.size, to: point.size, per10x: Math.round(per10x * 100) / 100 };
    });
}

/** Seconds with one decimal, for tables. */
export function seconds(ms: number): string {
    return (ms / 1000).toFixed(1);
}

/** A plain-text table, columns padded to their widest cell. */
export function renderTable(header: string[], rows: string[][]): string {
    const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? "").length)));
    const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
