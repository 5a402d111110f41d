/**
 * @module
 * How a pod reads in `kubectl get pods`: READY, STATUS (Running, Completed, CrashLoopBackOff,
 * Init:0/1, Terminating, ...), RESTARTS with the time of the last restart, and the wide cells.
 */
// Upstream: pkg/printers/internalversion/printers.go (printPod, hasPodReadyCondition,
// isPodInitializedConditionTrue, isRestartableInitContainer) at release-1.32.
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js'
import { ageColumn, humanDuration, nameColumn } from '../printers.js'
import type { Column } from '../types.js'

/** Status reason the node controller gives pods on unreachable nodes. */
const NODE_UNREACHABLE_REASON = 'NodeLost'

export type PodRow = { ready: string; status: string; restarts: string }

const finishedAt = (s: ContainerStatus) => {
  const t = s.lastState?.terminated?.finishedAt
  return t ? Date.parse(t) : 0
}

/** Computes the READY, STATUS and RESTARTS cells of a pod at `now`. */
export function podRow(pod: Pod, now: number): PodRow {
  const spec = pod.spec ?? { containers: [] }
  const st = pod.status ?? {}
  let total = spec.containers?.length ?? 0
  let ready = 0
  let restarts = 0
  let sidecarRestarts = 0
  let lastRestart = 0
  let lastSidecarRestart = 0
  let reason: string = st.reason || st.phase || ''
  if (st.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated'

  const inits = new Map((spec.initContainers ?? []).map((c) => [c.name, c]))
  const isSidecar = (name: string) => inits.get(name)?.restartPolicy === 'Always'
  for (const c of spec.initContainers ?? []) if (c.restartPolicy === 'Always') total++

  let initializing = false
  const initStatuses = st.initContainerStatuses ?? []
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i]!
    restarts += c.restartCount ?? 0
    lastRestart = Math.max(lastRestart, finishedAt(c))
    if (isSidecar(c.name)) {
      sidecarRestarts += c.restartCount ?? 0
      lastSidecarRestart = Math.max(lastSidecarRestart, finishedAt(c))
    }
    const term = c.state?.terminated
    const waiting = c.state?.waiting
    if (term && term.exitCode === 0) continue
    if (isSidecar(c.name) && c.started === true) {
      if (c.ready) ready++
      continue
    }
    if (term) {
      if (!term.reason) reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`
      else reason = `Init:${term.reason}`
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`
    } else {
      reason = `Init:${i}/${spec.initContainers?.length ?? 0}`
    }
    initializing = true
    break
  }

  const initialized = st.conditions?.some((c) => c.type === 'Initialized' && c.status === 'True') ?? false
  if (!initializing || initialized) {
    restarts = sidecarRestarts
    lastRestart = lastSidecarRestart
    let hasRunning = false
    const statuses = st.containerStatuses ?? []
    // Upstream walks from the last container so the first container's state wins the STATUS cell.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!
      restarts += c.restartCount ?? 0
      lastRestart = Math.max(lastRestart, finishedAt(c))
      const waiting = c.state?.waiting
      const term = c.state?.terminated
      if (waiting?.reason) reason = waiting.reason
      else if (term?.reason) reason = term.reason
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`
      else if (c.ready && c.state?.running) {
        hasRunning = true
        ready++
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = st.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady'
    }
  }

  if (pod.metadata?.deletionTimestamp && st.reason === NODE_UNREACHABLE_REASON) reason = 'Unknown'
  else if (pod.metadata?.deletionTimestamp && st.phase !== 'Succeeded' && st.phase !== 'Failed') reason = 'Terminating'

  const restartsCell = restarts !== 0 && lastRestart > 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts)
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsCell }
}

const orNone = (s: string | undefined) => s || '<none>'

/** Pod columns as upstream's printer defines them; the row cells are computed per column. */
export const podColumns: Column<Pod>[] = [
  nameColumn,
  { name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.', cell: (p, now) => podRow(p, now).ready },
  { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.', cell: (p, now) => podRow(p, now).status },
  { name: 'Restarts', type: 'string', description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.', cell: (p, now) => podRow(p, now).restarts },
  ageColumn,
  { name: 'IP', type: 'string', priority: 1, description: 'The IP address allocated to the pod.', cell: (p) => orNone(p.status?.podIPs?.[0]?.ip ?? p.status?.podIP) },
  { name: 'Node', type: 'string', priority: 1, description: 'The node the pod is bound to.', cell: (p) => orNone(p.spec?.nodeName) },
  { name: 'Nominated Node', type: 'string', priority: 1, description: 'The node the scheduler nominated for this pod after preemption.', cell: (p) => orNone(p.status?.nominatedNodeName) },
  {
    name: 'Readiness Gates', type: 'string', priority: 1, description: 'How many of the readiness gates of this pod are true.',
    cell: (p) => {
      const gates = p.spec?.readinessGates ?? []
      if (!gates.length) return '<none>'
      const conds = p.status?.conditions ?? []
      const ok = gates.filter((g) => conds.find((c) => c.type === g.conditionType)?.status === 'True').length
      return `${ok}/${gates.length}`
    },
  },
]
