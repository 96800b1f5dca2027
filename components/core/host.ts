import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { parseOrThrow } from "./config";
import { Engine, EngineSsh, EngineTls } from "./docker/cli";
import { providerForHost } from "./docker/provider";

const pem = z.string().regex(/-----BEGIN [A-Z ]+-----/, "must be PEM text (-----BEGIN …)");

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
    /**
     * The engine's socket as a path on the host's own filesystem, for roles that bind it (a worker
     * API that runs compose, registrator). Default `/var/run/docker.sock`.
     */
    // Optional rather than defaulted here, so a parsed stack config stays what it was before this key.
    socketPath: z.string().regex(/^\/\S*$/, "must be an absolute path").optional(),
    /** TLS for a tcp:// engine (usually port 2376): PEM text of the CA, client cert and key; set them as secrets. Default none. */
    tls: z.strictObject({ ca: pem, cert: pem, key: pem }).optional(),
    /** For an ssh:// engine: a private key (secret), known_hosts lines, and `ssh -o` options. Default: the user's ssh setup. */
    ssh: z.strictObject({
        privateKey: pem.optional(),
        knownHosts: z.string().min(1).optional(),
        options: z.record(z.string().regex(/^[A-Za-z]+$/, "must be an ssh_config keyword"), z.string().regex(/^[^\s'"]+$/, "must have no spaces or quotes")).optional(),
    }).optional(),
}).superRefine((value, ctx) => {
    if (value.tls !== undefined && !(value.docker ?? "").startsWith("tcp://")) {
        ctx.addIssue({ code: "custom", path: ["tls"], message: "is only for a tcp:// docker endpoint" });
    }
    if (value.ssh !== undefined && !(value.docker ?? "").startsWith("ssh://")) {
        ctx.addIssue({ code: "custom", path: ["ssh"], message: "is only for an ssh:// docker endpoint" });
    }
});

export type HostArgs = z.input<typeof hostArgsSchema>;

/** What a program may hand a host besides its config. */
export interface HostOptions {
    /**
     * The `docker.Provider` the host's Docker objects are made with, for a user who already has
     * one for this engine. Default: one made from the host's args, shared by every cluster on it.
     */
    provider?: docker.Provider;
}

/** Where a Linux engine's socket is unless the host says otherwise. */
export const defaultSocketPath = "/var/run/docker.sock";

/**
 * Where a cluster's containers run: one Docker engine, and the addresses it is reached by.
 * Not a resource itself: its `provider` is, and every Docker object on the host is made with it.
 */
export class Host {
    /** The engine endpoint, or undefined for the ambient one (`DOCKER_HOST` or the default socket). */
    public readonly dockerHost: string | undefined;
    /** The address published ports bind to. */
    public readonly bindAddress: string;
    /** The address users and other hosts reach published ports by. */
    public readonly advertiseAddress: string;
    /** The engine's socket on the host's filesystem, for roles that bind it. */
    public readonly socketPath: string;
    /** TLS material (plain, for the reachability check); resources get it through `engine`, as a secret. */
    public readonly tls: EngineTls | undefined;
    /** ssh settings (plain, for the reachability check); resources get them through `engine`. */
    public readonly ssh: EngineSsh | undefined;

    private readonly givenProvider: docker.Provider | undefined;

    constructor(public readonly name: string, args: HostArgs = {}, options: HostOptions = {}) {
        const parsed = parseOrThrow(hostArgsSchema, args, `Host "${name}" args`);
        this.dockerHost = parsed.docker;
        this.bindAddress = parsed.bindAddress;
        this.advertiseAddress = parsed.advertiseAddress ?? advertisedFor(parsed.bindAddress);
        this.tls = parsed.tls;
        this.ssh = parsed.ssh;
        this.socketPath = parsed.socketPath ?? defaultSocketPath;
        this.givenProvider = options.provider;
    }

    /** The `docker.Provider` of this host's engine: the one given, or the one shared by every host of this name and settings. */
    get provider(): docker.Provider {
        return this.givenProvider ?? providerForHost(this.name, { dockerHost: this.dockerHost, tls: this.tls, ssh: this.ssh });
    }

    /**
     * What every Docker resource on this host is given: `{ dockerHost }`, plus the TLS and ssh
     * settings as secrets when the host has them. A host without them gives exactly what
     * resources had before TLS/ssh options existed, so existing stacks see no diff.
     */
    get engine(): { dockerHost: string | undefined; dockerTls?: pulumi.Output<EngineTls>; dockerSsh?: pulumi.Output<EngineSsh> } {
        return {
            dockerHost: this.dockerHost,
            ...(this.tls === undefined ? {} : { dockerTls: pulumi.secret(this.tls) }),
            ...(this.ssh === undefined ? {} : { dockerSsh: pulumi.secret(this.ssh) }),
        };
    }

    /** The plain connection settings, for the docker CLI run by the program itself. */
    get plainEngine(): Engine {
        return { dockerHost: this.dockerHost, dockerTls: this.tls, dockerSsh: this.ssh };
    }

    /** `host2 (tcp://10.0.0.2:2375)`: how errors name a host. */
    describe(): string {
        return `host "${this.name}" (${this.dockerHost ?? "the local engine"})`;
    }

    /** The local engine with ports on loopback: what a laptop stack uses. */
    static local(): Host {
        return new Host("local");
    }
}

/** True for an address only the machine itself (or a container, itself) is reached by. Pure. */
export function isLoopbackAddress(address: string): boolean {
    return /^127\./.test(address) || address === "::1" || address === "localhost";
}

/** A wildcard bind address is no address to connect to; the host's own loopback is. */
export function advertisedFor(bindAddress: string): string {
    return bindAddress === "0.0.0.0" || bindAddress === "::" ? "localhost" : bindAddress;
}
