import { z } from "zod";
import { parseOrThrow } from "./config";

export const hostArgsSchema = z.strictObject({
    /** The Docker engine: `unix:///var/run/docker.sock`, `ssh://user@host` or `tcp://host:2376`. Default: the local engine (`DOCKER_HOST` or the default socket). */
    docker: z
        .string()
        .regex(/^(unix|ssh|tcp|npipe):\/\/\S+$/, "must be a Docker endpoint: unix://, ssh://, tcp:// or npipe://")
        .optional(),
    /** The address published ports bind to on this host. Default `127.0.0.1`, so a laptop exposes nothing. */
    bindAddress: z.ipv4().or(z.ipv6()).default("127.0.0.1"),
    /** The address users and other hosts reach this host by. Default: `bindAddress`, or `localhost` when that is a wildcard. */
    advertiseAddress: z.string().min(1).optional(),
});

export type HostArgs = z.input<typeof hostArgsSchema>;

/**
 * Where a cluster's containers run: one Docker engine, and the addresses it is reached by.
 * Not a resource itself: every container, network and volume carries its engine endpoint.
 */
export class Host {
    /** The engine endpoint, or undefined for the ambient one (`DOCKER_HOST` or the default socket). */
    public readonly dockerHost: string | undefined;
    /** The address published ports bind to. */
    public readonly bindAddress: string;
    /** The address users and other hosts reach published ports by. */
    public readonly advertiseAddress: string;

    constructor(public readonly name: string, args: HostArgs = {}) {
        const parsed = parseOrThrow(hostArgsSchema, args, `Host "${name}" args`);
        this.dockerHost = parsed.docker;
        this.bindAddress = parsed.bindAddress;
        this.advertiseAddress = parsed.advertiseAddress ?? advertisedFor(parsed.bindAddress);
    }

    /** The local engine with ports on loopback: what a laptop stack uses. */
    static local(): Host {
        return new Host("local");
    }
}

/** A wildcard bind address is no address to connect to; the host's own loopback is. */
export function advertisedFor(bindAddress: string): string {
    return bindAddress === "0.0.0.0" || bindAddress === "::" ? "localhost" : bindAddress;
}
