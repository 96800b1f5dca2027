import * as fs from "fs";
import * as path from "path";
import { Host } from "../core/host";

/** Where Debian (and Ubuntu) keep certificate authorities added by the machine's admin. */
export const localCaFolder = "/usr/local/share/ca-certificates";

/**
 * The PEM text of the CAs added to this machine, for an image build that downloads over TLS
 * (images/hadoop's Maven stage) on a network whose egress proxy re-signs TLS with its own CA.
 * Only for the local engine, whose builds go out through this machine's network; elsewhere,
 * and where none were added, empty. Public certificates, not secrets.
 */
export function localBuildCaCertificates(host: Host, folder: string = localCaFolder): string {
    const local = host.dockerHost === undefined || host.dockerHost.startsWith("unix://");
    if (!local || !fs.existsSync(folder)) {
        return "";
    }
    return fs.readdirSync(folder).filter((name) => name.endsWith(".crt")).sort()
        .map((name) => fs.readFileSync(path.join(folder, name), "utf8").trim())
        .filter((pem) => pem.includes("BEGIN CERTIFICATE"))
        .join("\n");
}
