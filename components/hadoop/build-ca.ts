import * as fs from "fs";
import * as path from "path";

/** Where Debian (and Ubuntu) keep certificate authorities added by the machine's admin. */
export const localCaFolder = "/usr/local/share/ca-certificates";

/**
 * The PEM text of the CAs added to this machine, for an image build that downloads over TLS
 * (images/hadoop's Maven stage) on a network whose egress proxy re-signs TLS with its own CA.
 * Given to every engine's build, not only the local one: engines beside this one (the extra
 * hosts of scripts/extra-hosts.sh, in network namespaces) go out through the same egress, and
 * an engine elsewhere merely trusts one CA more in a build stage that checks every jar's
 * checksum and never reaches the final image. Empty where none were added. Public
 * certificates, not secrets.
 */
export function localBuildCaCertificates(folder: string = localCaFolder): string {
    if (!fs.existsSync(folder)) {
        return "";
    }
    return fs.readdirSync(folder).filter((name) => name.endsWith(".crt")).sort()
        .map((name) => fs.readFileSync(path.join(folder, name), "utf8").trim())
        .filter((pem) => pem.includes("BEGIN CERTIFICATE"))
        .join("\n");
}
