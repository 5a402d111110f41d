/**
 * @module
 * The pod conditions a kubelet owns (PodReadyToStartContainers, Initialized, Ready,
 * ContainersReady, PodScheduled), with upstream's reasons and messages, merged into the
 * conditions others wrote (readiness gates, DisruptionTarget) without disturbing them.
 */
// Upstream: pkg/kubelet/status/generate.go (GeneratePodReadyCondition,
// GenerateContainersReadyCondition, GeneratePodInitializedCondition), pkg/kubelet/kubelet_pods.go
// (generateAPIPodStatus: the order of the conditions), status_manager.go (updateLastTransitionTime).
import type { Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { rfc3339 } from './node-object.js'
import { readyCondition, type Cond } from '../../kubelet/status.js'


const KUBELET_TYPES = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']

// Go prints a []string with %s as "[a b]".
const goList = (names: string[]) => `[${names.join(' ')}]`

function containersReady(pod: Cached<Pod>, st: PodStatus): Cond {
  if (st.phase === 'Succeeded') return { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' }
  if (st.phase === 'Failed') return { type: 'ContainersReady', status: 'False', reason: 'PodFailed' }
  const unready: string[] = []
  const unknown: string[] = []
  const check = (name: string, statuses: PodStatus['containerStatuses']) => {
    const s = statuses?.find((x) => x.name === name)
    if (!s) unknown.push(name)
    else if (!s.ready) unready.push(name)
  }
  for (const c of pod.spec?.initContainers ?? []) if (c.restartPolicy === 'Always') check(c.name, st.initContainerStatuses)
  for (const c of pod.spec?.containers ?? []) check(c.name, st.containerStatuses)
  const parts: string[] = []
  if (unknown.length) parts.push(`containers with unknown status: ${goList(unknown)}`)
  if (unready.length) parts.push(`containers with unready status: ${goList(unready)}`)
  return parts.length
    ? { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: parts.join(', ') }
    : { type: 'ContainersReady', status: 'True' }
}


function initialized(pod: Cached<Pod>, st: PodStatus): Cond {
  if (!pod.spec?.initContainers?.length) return { type: 'Initialized', status: 'True' }
  if (st.phase === 'Succeeded') return { type: 'Initialized', status: 'True', reason: 'PodCompleted' }
  // The sim completes init containers as the pod starts, so a started pod is initialized.
  return { type: 'Initialized', status: 'True' }
}

/** The pod's conditions after the kubelet reports `st` at `nowMs`. */
export function podConditions(pod: Cached<Pod>, st: PodStatus, nowMs: number): PodCondition[] {
  const terminal = st.phase === 'Succeeded' || st.phase === 'Failed'
  const cr = containersReady(pod, st)
  const ours: Cond[] = [
    // The sandbox is torn down once the pod is done.
    { type: 'PodReadyToStartContainers', status: terminal ? 'False' : 'True' },
    initialized(pod, st), readyCondition(pod, cr), cr,
    { type: 'PodScheduled', status: 'True' },
  ]
  const existing = pod.status?.conditions ?? []
  const now = rfc3339(nowMs)
  const out: PodCondition[] = ours.map((c) => {
    const old = existing.find((x) => x.type === c.type)
    // The scheduler's PodScheduled condition is kept as it wrote it.
    if (c.type === 'PodScheduled' && old?.status === 'True') return { ...old } as PodCondition
    const since = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now
    const cond: PodCondition = { type: c.type, status: c.status, lastProbeTime: null as unknown as string, lastTransitionTime: since }
    if (c.reason) cond.reason = c.reason
    if (c.message) cond.message = c.message
    return cond
  })
  for (const x of existing) if (!KUBELET_TYPES.includes(x.type)) out.push({ ...x } as PodCondition)
  return out
}
