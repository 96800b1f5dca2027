import { execFile } from "child_process";
import { docker } from "./toolchain";

/** The HadoopCluster config the e2e suite deploys, on host ports no other suite uses. */
export function hadoopCluster(datanodes: number) {
    return {
        hadoop: {
            kind: "hadoop",
            datanodes,
            nodemanagers: [{ name: "nodemanager1", port: 28042 }],
            namenode: { port: 29870 },
            resourcemanager: { port: 28088 },
            historyserver: { port: 29888 },
        },
    };
}

/** GET a URL and parse its JSON body, as a user's browser or script reaches the UIs. */
export async function getJson(url: string): Promise<any> {
    const response = await fetch(url);
    if (!response.ok) {
        throw new Error(`GET ${url}: ${response.status}`);
    }
    return response.json();
}

/** The live datanodes the namenode lists (its NameNodeInfo bean), by name. */
export async function liveDatanodes(namenodeUrl: string): Promise<string[]> {
    const info = await getJson(`${namenodeUrl}/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo`);
    return Object.keys(JSON.parse(info.beans[0].LiveNodes)).map((node) => node.split(":")[0]).sort();
}

function memoryMb(text: string): number {
    const match = /^([\d.]+)\s*([KMG]i?B|B)$/.exec(text.trim());
    if (match === null) {
        return 0;
    }
    const unit = match[2][0];
    const factor = unit === "G" ? 1024 : unit === "M" ? 1 : unit === "K" ? 1 / 1024 : 1 / (1024 * 1024);
    return Number(match[1]) * factor;
}

/**
 * Samples `docker stats` of a stack's containers until stopped, and reports the highest total
 * memory seen and each container's highest: the peak memory of the running cluster.
 */
export function memorySampler(stack: string) {
    const perContainer: Record<string, number> = {};
    let peakTotal = 0;
    let running = true;
    const sampleOnce = () => new Promise<void>((resolve) => {
        const ids = docker("ps", "-q", "--filter", `label=clusterlab.stack=${stack}`).split("\n").filter((id) => id !== "");
        if (ids.length === 0) {
            resolve();
            return;
        }
        execFile("docker", ["stats", "--no-stream", "--format", "{{.Name}}\t{{.MemUsage}}", ...ids], (error, stdout) => {
            if (!error) {
                let total = 0;
                for (const line of stdout.trim().split("\n")) {
                    const [name, usage] = line.split("\t");
                    const mb = memoryMb((usage ?? "").split("/")[0]);
                    total += mb;
                    perContainer[name] = Math.max(perContainer[name] ?? 0, mb);
                }
                peakTotal = Math.max(peakTotal, total);
            }
            resolve();
        });
    });
    const loop = (async () => {
        while (running) {
            await sampleOnce();
        }
    })();
    return {
        async stop() {
            running = false;
            await loop;
            return { peakTotalMb: Math.round(peakTotal), perContainerMb: Object.fromEntries(Object.entries(perContainer).map(([k, v]) => [k, Math.round(v)])) };
        },
    };
}
