import { z } from "zod";
import { hostGroup, roleHost } from "../core/placement";
import { defaultBaseImage, dnsLabel, hostPort, imageSource, namedMembers } from "../core/schema";

/** Roles an OAR node may not be named after: they share the cluster's container and DNS names. */
export const oarRoles = ["server", "frontend", "network", "home"] as const;

const memoryMb = z.number().int().min(16, "must be at least 16 MB");

const nodeSchema = z.strictObject({
    /** The node's stable name: its container, hostname, DNS alias and OAR host name. */
    name: dnsLabel.refine((name) => !(oarRoles as readonly string[]).includes(name), {
        error: `must not be a role name (${oarRoles.join(", ")})`,
    }),
    /** OAR resources (cores) this node offers. Default 1. */
    cores: z.number().int().min(1).max(256).default(1),
    /** Memory limit of the node container, in MB. Default 512. */
    memoryMb: memoryMb.default(512),
    /** The host (under the stack's hosts) this node runs on. Default: the next of `nodeHosts`, else the cluster's host. */
    host: roleHost,
    /** Host port publishing this node's OAR sshd (6667), needed when the cluster spans several hosts. Default `false`. */
    sshPort: hostPort.default(false),
});

/** A count of nodes (node1…N, one core each), or a list of named nodes. */
const nodesSchema = namedMembers(nodeSchema, "node");

const sharedFolder = z.strictObject({
    /** A folder on the Docker host, mounted into the frontend and every node (oar-docker's `-v $PWD:/oar_src`). */
    hostPath: z.string().regex(/^\//, "must be an absolute path"),
    /** Where it appears in the containers. */
    containerPath: z.string().regex(/^\//, "must be an absolute path"),
    /** Mounted read-only. Default false. */
    readOnly: z.boolean().default(false),
});

export const oarClusterArgsSchema = z.strictObject({
    /** Base image for the build of images/oar. Default `debian:bookworm-slim`. */
    baseImage: z.string().min(1).default(defaultBaseImage),
    /** The image of every role. Default: a build of images/oar (Debian bookworm's OAR 2.5.9). */
    image: imageSource.default({ build: "oar" }),
    /** A count of nodes, or a list of named nodes. Default 2. */
    nodes: nodesSchema.prefault(2),
    /** Hosts the nodes without a `host` of their own are spread over, round-robin. Default: the cluster's host. */
    nodeHosts: hostGroup,
    /** The user who submits jobs on the frontend; its home is shared by the frontend and every node. Default `user`, uid 1000. */
    user: z.strictObject({
        name: z.string().regex(/^[a-z_][a-z0-9_-]*$/, "must be a Unix user name").default("user"),
        uid: z.number().int().min(1000).max(60000).default(1000),
    }).prefault({}),
    /** Host folders mounted into the frontend and every node. Default none. */
    shared: z.array(sharedFolder).default([]),
    server: z.strictObject({
        /** Memory limit of the server (OAR and PostgreSQL), in MB. Default 768. */
        memoryMb: memoryMb.default(768),
        /** The host of the server and the frontend (which uses the server's database). Default: the cluster's host. */
        host: roleHost,
        /** Host port Almighty (the server's 6666) is published and listens on, for nodes on other hosts. Default `false`. */
        almightyPort: hostPort.default(false),
        /** Host port the server's PostgreSQL (5432) is published on, for nodes on other hosts: each joins OAR in it. Default `false`. */
        databasePort: hostPort.default(false),
    }).prefault({}),
    frontend: z.strictObject({
        /** Memory limit of the frontend, in MB. Default 256. */
        memoryMb: memoryMb.default(256),
        /** Host port for the frontend's sshd (22), or `false`. Default `false`: connect with `docker exec`. */
        sshPort: hostPort.default(false),
        /** Public keys (authorized_keys lines) that may log in to the frontend as the job user over ssh. Default none. */
        authorizedKeys: z.array(z.string().regex(/^(ssh-(ed25519|rsa)|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( .*)?$/,
            "must be an OpenSSH public key line (ssh-ed25519 AAAA… comment)")).default([]),
    }).prefault({}),
});

export type OarClusterArgsInput = z.input<typeof oarClusterArgsSchema>;
export type OarClusterSettings = z.output<typeof oarClusterArgsSchema>;
export type OarNodeSettings = OarClusterSettings["nodes"][number];
