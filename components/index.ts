/** clusterlab's public API: every component, its Args type and its schema. */
export * from "./core";
export { MesosCluster, MesosClusterArgs, MesosClusterParts, createMesosCluster, mesosClusterArgsSchema } from "./mesos";
export { MesosClusterArgsInput, MesosClusterSettings, queueResources, upstreamMesosImages } from "./mesos/schema";
export * as mesosRender from "./mesos/render";
export { OarCluster, OarClusterArgs, oarClusterArgsSchema } from "./oar";
export { OarClusterArgsInput, OarClusterSettings } from "./oar/schema";
export * as oarRender from "./oar/render";
export { AuroraWithCustomExecutor, AuroraWithCustomExecutorArgs, AuroraClusterParts, createAuroraCluster, auroraArgsSchema } from "./aurora";
export { AuroraArgsInput, AuroraSettings, customExecutorSchema, upstreamAuroraImages } from "./aurora/schema";
export * as auroraRender from "./aurora/render";
export { EdmMaster, EdmMasterArgs, EdmWorker, EdmWorkerArgs, edmMasterArgsSchema, edmPlatformArgsSchema, edmWorkerArgsSchema } from "./edm";
export { EdmMasterArgsInput, EdmMasterSettings, EdmPlatformArgsInput, EdmWorkerArgsInput, EdmWorkerSettings } from "./edm/schema";
export { createEdmPlatform, edmPlatformOutputs, EdmPlatform } from "./edm/platform";
export * as edmRender from "./edm/render";
export { HadoopCluster, HadoopClusterArgs, HadoopClusterParts, createHadoopCluster, hadoopClusterArgsSchema } from "./hadoop";
export { HadoopClusterArgsInput, HadoopClusterSettings, hadoopPorts } from "./hadoop/schema";
export * as hadoopRender from "./hadoop/render";
