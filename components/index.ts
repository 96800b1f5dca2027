/** clusterlab's public API: every component, its Args type and its schema. */
export * from "./core";
export { MesosCluster, MesosClusterArgs, MesosClusterParts, createMesosCluster, mesosClusterArgsSchema } from "./mesos";
export { MesosClusterArgsInput, MesosClusterSettings, queueResources, upstreamMesosImages } from "./mesos/schema";
export * as mesosRender from "./mesos/render";
