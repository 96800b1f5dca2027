import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AuroraWithCustomExecutor, auroraArgsSchema } from "../components/aurora";
import { ConfigProblem } from "../components/core/config";
import { Host } from "../components/core/host";
import { HostName } from "../components/core/placement";
import { createEdmPlatform, edmPlatformOutputs } from "../components/edm/platform";
import { edmHostRefs, edmPlacementProblems } from "../components/edm/placement";
import { edmPlatformArgsSchema, EdmPlatformSettings } from "../components/edm/schema";
import { HadoopCluster, hadoopClusterArgsSchema } from "../components/hadoop";
import { hadoopHostRefs, hadoopPlacementProblems } from "../components/hadoop/placement";
import { HadoopClusterSettings } from "../components/hadoop/schema";
import { MesosCluster, mesosClusterArgsSchema } from "../components/mesos";
import { mesosHostRefs, mesosPlacementProblems } from "../components/mesos/placement";
import { MesosClusterSettings } from "../components/mesos/schema";
import { OarCluster, oarClusterArgsSchema } from "../components/oar";
import { oarHostRefs, oarPlacementProblems } from "../components/oar/placement";
import { OarClusterSettings } from "../components/oar/schema";

/** What the stack program needs to know of one cluster kind. */
export interface ClusterKind {
    /** The component's own schema: the stack validates with it, so defaults live in one place. */
    schema: z.ZodType;
    /**
     * Builds the component on its host (`hosts`: every host of the stack by name, for roles
     * placed elsewhere) and returns what the stack exports for it.
     */
    deploy(name: string, args: Record<string, unknown>, host: Host, hosts?: Record<string, Host>): Record<string, pulumi.Output<unknown>>;
    /**
     * For kinds whose roles can be placed on other hosts: the host names the parsed settings
     * refer to (each must exist) and what the placement lacks (ports it needs, clashes per
     * host), so the stack reports them with every other config problem, before any resource.
     */
    placement?(settings: unknown, home: string): { hostRefs: { path: (string | number)[]; host: HostName }[]; problems: ConfigProblem[] };
}

/** Every cluster kind a stack's `clusterlab:clusters` may name, by its `kind`. */
export const clusterKinds: Record<string, ClusterKind> = {
    mesos: {
        schema: mesosClusterArgsSchema,
        placement(settings, home) {
            const parsed = settings as MesosClusterSettings;
            return { hostRefs: mesosHostRefs(parsed), problems: mesosPlacementProblems(parsed, home) };
        },
        deploy(name, args, host, hosts) {
            const cluster = new MesosCluster(name, { ...args, host, hosts });
            return {
                masterUrl: cluster.masterUrl,
                zookeeperUrl: cluster.zookeeperUrl,
                redisUrl: cluster.redisUrl,
                queueNames: cluster.queueNames,
                enqueueCommand: cluster.enqueueCommand,
                networkName: cluster.networkName,
                containerNames: cluster.containerNames,
            };
        },
    },
    oar: {
        schema: oarClusterArgsSchema,
        placement(settings, home) {
            const parsed = settings as OarClusterSettings;
            return { hostRefs: oarHostRefs(parsed), problems: oarPlacementProblems(parsed, home) };
        },
        deploy(name, args, host, hosts) {
            const cluster = new OarCluster(name, { ...args, host, hosts });
            return {
                frontendCommand: cluster.frontendCommand,
                nodeCommands: cluster.nodeCommands,
                submitCommand: cluster.submitCommand,
                sshCommand: cluster.sshCommand,
                nodeNames: cluster.nodeNames,
                containerNames: cluster.containerNames,
            };
        },
    },
    edm: {
        schema: edmPlatformArgsSchema,
        placement(settings, home) {
            const parsed = settings as EdmPlatformSettings;
            return { hostRefs: edmHostRefs(parsed), problems: edmPlacementProblems(parsed, home) };
        },
        deploy(name, args, host, hosts) {
            return edmPlatformOutputs(createEdmPlatform(name, args, host, undefined, hosts));
        },
    },
    aurora: {
        schema: auroraArgsSchema,
        deploy(name, args, host) {
            const cluster = new AuroraWithCustomExecutor(name, { ...args, host });
            return {
                schedulerUrl: cluster.schedulerUrl,
                masterUrl: cluster.masterUrl,
                zookeeperUrl: cluster.zookeeperUrl,
                observerUrl: cluster.observerUrl,
                executorConfig: cluster.executorConfig,
                jobKeys: cluster.jobKeys,
                networkName: cluster.networkName,
                containerNames: cluster.containerNames,
            };
        },
    },
    hadoop: {
        schema: hadoopClusterArgsSchema,
        placement(settings, home) {
            const parsed = settings as HadoopClusterSettings;
            return { hostRefs: hadoopHostRefs(parsed), problems: hadoopPlacementProblems(parsed, home) };
        },
        deploy(name, args, host, hosts) {
            const cluster = new HadoopCluster(name, { ...args, host, hosts });
            return {
                namenodeUrl: cluster.namenodeUrl,
                resourcemanagerUrl: cluster.resourcemanagerUrl,
                historyserverUrl: cluster.historyserverUrl,
                nodemanagerUrls: cluster.nodemanagerUrls,
                defaultFs: cluster.defaultFs,
                clientCommand: cluster.clientCommand,
                exampleJobCommand: cluster.exampleJobCommand,
                datanodeNames: cluster.datanodeNames,
                datanodePlacement: cluster.datanodePlacement,
                nodemanagerPlacement: cluster.nodemanagerPlacement,
                nodemanagerNames: cluster.nodemanagerNames,
                networkName: cluster.networkName,
                containerNames: cluster.containerNames,
            };
        },
    },
};
