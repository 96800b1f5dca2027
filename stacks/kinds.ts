import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AuroraWithCustomExecutor, auroraArgsSchema } from "../components/aurora";
import { Host } from "../components/core/host";
import { MesosCluster, mesosClusterArgsSchema } from "../components/mesos";
import { OarCluster, oarClusterArgsSchema } from "../components/oar";

/** What the stack program needs to know of one cluster kind. */
export interface ClusterKind {
    /** The component's own schema: the stack validates with it, so defaults live in one place. */
    schema: z.ZodType;
    /** Builds the component on a host and returns what the stack exports for it. */
    deploy(name: string, args: Record<string, unknown>, host: Host): Record<string, pulumi.Output<unknown>>;
}

/** Every cluster kind a stack's `clusterlab:clusters` may name, by its `kind`. */
export const clusterKinds: Record<string, ClusterKind> = {
    mesos: {
        schema: mesosClusterArgsSchema,
        deploy(name, args, host) {
            const cluster = new MesosCluster(name, { ...args, host });
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
        deploy(name, args, host) {
            const cluster = new OarCluster(name, { ...args, host });
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
};
