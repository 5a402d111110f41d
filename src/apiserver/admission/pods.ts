/**
 * @module
 * Admission for new pods, as upstream's built-in plugins do it:
 * - Priority: resolves spec.priority and spec.preemptionPolicy from the PriorityClass (the
 *   named one, else the global default, else 0 and PreemptLowerPriority);
 * - DefaultTolerationSeconds: tolerates the not-ready and unreachable NoExecute taints for
 *   300 s unless the pod says otherwise.
 * ServiceAccount admission waits for the controller that gives every namespace its
 * `default` ServiceAccount: without it, upstream's plugin refuses every pod.
 */
// Upstream: plugin/pkg/admission/priority/admission.go (admitPod) and
// plugin/pkg/admission/defaulttolerationseconds/admission.go.
import type { Pod, Toleration } from 'kubernetes-types/core/v1.js'
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js'
import { forbidden, type KubeObject } from '../../api/index.js'
import type { AdmissionHooks } from '../store/types.js'

const NOT_READY = 'node.kubernetes.io/not-ready'
const UNREACHABLE = 'node.kubernetes.io/unreachable'
const DEFAULT_TOLERATION_SECONDS = 300

export type PriorityClassLookup = { get(name: string): Promise<PriorityClass | undefined>; list(): Promise<PriorityClass[]> }

const refuse = (pod: Pod, why: string) => forbidden(`pods "${pod.metadata?.name ?? ''}" is forbidden: ${why}`)

async function admitPriority(pod: Pod, classes: PriorityClassLookup) {
  const spec = (pod.spec ??= { containers: [] })
  let priority = 0
  let preemptionPolicy = 'PreemptLowerPriority'
  if (!spec.priorityClassName) {
    // Several global defaults (a race upstream tolerates too): the lowest value wins.
    const defaults = (await classes.list()).filter((c) => c.globalDefault).sort((a, b) => a.value - b.value)
    const chosen = defaults[0]
    if (chosen) {
      spec.priorityClassName = chosen.metadata?.name
      priority = chosen.value
      preemptionPolicy = chosen.preemptionPolicy ?? preemptionPolicy
    }
  } else {
    const pc = await classes.get(spec.priorityClassName)
    if (!pc) throw refuse(pod, `no PriorityClass with name ${spec.priorityClassName} was found`)
    priority = pc.value
    preemptionPolicy = pc.preemptionPolicy ?? preemptionPolicy
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
    throw refuse(pod, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`)
  }
  if (spec.preemptionPolicy && spec.preemptionPolicy !== preemptionPolicy) {
    throw refuse(pod, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${preemptionPolicy} from the given PriorityClass name`)
  }
  spec.priority = priority
  spec.preemptionPolicy = preemptionPolicy
}

/** Whether a toleration covers the NoExecute taint `key` (an empty key or effect covers all). */
const tolerates = (t: Toleration, key: string) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute')

function admitDefaultTolerations(pod: Pod) {
  const spec = (pod.spec ??= { containers: [] })
  const tolerations = spec.tolerations ?? []
  for (const key of [NOT_READY, UNREACHABLE]) {
    if (tolerations.some((t) => tolerates(t, key))) continue
    tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS })
  }
  spec.tolerations = tolerations
}

export function podAdmission(classes: () => PriorityClassLookup): AdmissionHooks {
  return {
    async beforeCreate(obj: KubeObject) {
      const pod = obj as Pod
      await admitPriority(pod, classes())
      admitDefaultTolerations(pod)
    },
  }
}
