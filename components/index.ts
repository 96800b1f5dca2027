/** clusterlab's public API: every component, its Args type and its schema. */
export * from "./core";
export { MesosCluster, MesosClusterArgs, MesosClusterParts, createMesosCluster, mesosClusterArgsSchema } from "./mesos";
export { MesosClusterArgsInput, MesosClusterSettings, queueResources, upstreamMesosImages } from "./mesos/schema";
export * as mesosRender from "./mesos/render";
export { OarCluster, OarClusterArgs, oarClusterArgsSchema } from "./oar";
export { OarClusterArgsInput, OarClusterSettings } from "./oar/schema";
export * as oarRender from "./oar/render";
