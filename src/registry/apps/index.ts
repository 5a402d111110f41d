/**
 * @module
 * The apps/v1 group's registry entries, and the workload rules batch/ and policy/ reuse.
 */
import type { ResourceType } from '../types.js'
import { controllerRevisions } from './controllerrevisions.js'
import { daemonSets } from './daemonsets.js'
import { deployments } from './deployments.js'
import { replicaSets } from './replicasets.js'
import { statefulSets } from './statefulsets.js'

export { controllerRevisions, daemonSets, deployments, replicaSets, statefulSets }
export { defaultDeployment, validateDeployment } from './deployments.js'
export { defaultReplicaSet, validateReplicaSet } from './replicasets.js'
export { defaultStatefulSet, validateStatefulSet, validateStatefulSetUpdate } from './statefulsets.js'
export { defaultDaemonSet, validateDaemonSet, TEMPLATE_GENERATION_ANNOTATION } from './daemonsets.js'
export { controllerOfRevision, validateControllerRevision } from './controllerrevisions.js'
export { goIntOrString, goLabelSelector, goStringMap, invalidRendered } from './go-format.js'
export {
  asSelector, firstGeneration, immutableSelector, intOrPercentValue, nextGeneration, nonNegative, notOver100Percent,
  replicasScale, selectorMismatch, setStatus, validateIntOrPercent, type Kube,
} from './workload.js'

/** apps/v1, in upstream's discovery order. */
export const appsV1: ResourceType[] = [controllerRevisions, daemonSets, deployments, replicaSets, statefulSets]
