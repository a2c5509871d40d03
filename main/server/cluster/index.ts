// Entry of the cluster code, imported dynamically by the composition root only when --redis is given.
export { startClusterNode, defaultTimings, type ClusterContext, type ClusterTimings } from './node.js';
