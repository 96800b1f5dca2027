import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AuroraWithCustomExecutor, auroraArgsSchema } from "../components/aurora";
import { auroraHostRefs, auroraPlacementProblems, auroraPublishedPorts } from "../components/aurora/placement";
import { ConfigProblem } from "../components/core/config";
import { Host } from "../components/core/host";
import { HostName, PublishedPort } from "../components/core/placement";
import { createEdmPlatform, edmPlatformOutputs } from "../components/edm/platform";
import { edmHostRefs, edmPlacementProblems } from "../components/edm/placement";
import { edmPlatformArgsSchema, edmPublishedPorts } from "../components/edm/schema";
import { HadoopCluster, hadoopClusterArgsSchema } from "../components/hadoop";
import { hadoopHostRefs, hadoopPlacementProblems, hadoopPublishedPorts } from "../components/hadoop/placement";
import { MesosCluster, mesosClusterArgsSchema } from "../components/mesos";
import { mesosHostRefs, mesosPlacementProblems, mesosPublishedPorts } from "../components/mesos/placement";
import { OarCluster, oarClusterArgsSchema } from "../components/oar";
import { oarHostRefs, oarPlacementProblems, oarPublishedPorts } from "../components/oar/placement";

/** What the stack program needs to know of one cluster kind. */
export interface ClusterKind {
    /** The component's own schema: the stack validates with it, so defaults live in one place. */
    schema: z.ZodType;
    /**
     * Builds the component on its host (`hosts`: every host of the stack by name, for roles
     * placed elsewhere) and returns what the stack exports for it.
     */
    deploy(name: string, args: Record<string, unknown>, host: Host, hosts?: Record<string, Host>): Record<string, pulumi.Output<unknown>>;
    /** Its component derives generated secrets from the stack's `clusterlab:secretSeed`. */
    derivesSecrets?: true;
    /**
     * For kinds whose roles can be placed on other hosts: the host names the parsed settings
     * refer to (each must exist) and what the placement lacks (ports it needs, clashes per
     * host), so the stack reports them with every other config problem, before any resource.
     */
    placement?(settings: unknown, home: string): {
        hostRefs: { path: (string | number)[]; host: HostName }[];
        problems: ConfigProblem[];
        /** Every host port the cluster publishes, on the host (by name) its role runs on: the stack checks them across clusters. */
        ports: PublishedPort[];
    };
}

/**
 * A kind's placement() from its component's three placement functions (the settings are the ones
 * its schema parsed).
 */
function placedBy<S>(
    hostRefs: (settings: S) => { path: (string | number)[]; host: HostName }[],
    problems: (settings: S, home: string) => ConfigProblem[],
    ports: (settings: S, home: string) => PublishedPort[],
): NonNullable<ClusterKind["placement"]> {
    return (settings, home) => ({ hostRefs: hostRefs(settings as S), problems: problems(settings as S, home), ports: ports(settings as S, home) });
}

/** The stack's outputs for a component: these of its outputs, under their own names. */
function outputsOf<K extends string>(component: Record<K, pulumi.Output<unknown>>, names: readonly K[]): Record<string, pulumi.Output<unknown>> {
    return Object.fromEntries(names.map((name) => [name, component[name]]));
}

/** Every cluster kind a stack's `clusterlab:clusters` may name, by its `kind`. */
export const clusterKinds: Record<string, ClusterKind> = {
    mesos: {
        schema: mesosClusterArgsSchema,
        placement: placedBy(mesosHostRefs, mesosPlacementProblems, mesosPublishedPorts),
        deploy: (name, args, host, hosts) => outputsOf(new MesosCluster(name, { ...args, host, hosts }), [
            "masterUrl", "zookeeperUrl", "redisUrl", "queueNames", "enqueueCommand", "networkName", "containerNames",
        ]),
    },
    oar: {
        schema: oarClusterArgsSchema,
        derivesSecrets: true,
        placement: placedBy(oarHostRefs, oarPlacementProblems, oarPublishedPorts),
        deploy: (name, args, host, hosts) => outputsOf(new OarCluster(name, { ...args, host, hosts }), [
            "frontendCommand", "nodeCommands", "submitCommand", "sshCommand", "nodeNames", "containerNames",
        ]),
    },
    edm: {
        schema: edmPlatformArgsSchema,
        derivesSecrets: true,
        placement: placedBy(edmHostRefs, edmPlacementProblems, edmPublishedPorts),
        deploy(name, args, host, hosts) {
            return edmPlatformOutputs(createEdmPlatform(name, args, host, undefined, hosts));
        },
    },
    aurora: {
        schema: auroraArgsSchema,
        placement: placedBy(auroraHostRefs, auroraPlacementProblems, auroraPublishedPorts),
        deploy: (name, args, host, hosts) => outputsOf(new AuroraWithCustomExecutor(name, { ...args, host, hosts }), [
            "schedulerUrl", "masterUrl", "zookeeperUrl", "observerUrl", "executorConfig", "jobKeys", "networkName", "containerNames",
        ]),
    },
    hadoop: {
        schema: hadoopClusterArgsSchema,
        placement: placedBy(hadoopHostRefs, hadoopPlacementProblems, hadoopPublishedPorts),
        deploy: (name, args, host, hosts) => outputsOf(new HadoopCluster(name, { ...args, host, hosts }), [
            "namenodeUrl", "resourcemanagerUrl", "historyserverUrl", "nodemanagerUrls", "defaultFs", "clientCommand", "exampleJobCommand",
            "datanodeNames", "datanodePlacement", "nodemanagerPlacement", "nodemanagerNames", "networkName", "containerNames",
        ]),
    },
};
