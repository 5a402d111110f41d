/**
 * @module
 * Whether a workload has rolled out, decided as `kubectl rollout status` decides it: the
 * controller has seen the latest spec (observedGeneration), every replica runs the new
 * template, old ones are gone, and the new ones are available (Deployment, DaemonSet) or ready
 * on the update revision (StatefulSet). The messages are kubectl's, so a learner sees the same
 * words in both places.
 */
import type { DaemonSet, Deployment, StatefulSet } from 'kubernetes-types/apps/v1.js'

export type RolloutStatus = { done: boolean; message: string; failed?: boolean }

export const ROLLOUT_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet'])

export function rolloutStatus(obj: Deployment | StatefulSet | DaemonSet & { kind?: string }): RolloutStatus {
  switch (obj.kind) {
    case 'Deployment': return deploymentStatus(obj as Deployment)
    case 'StatefulSet': return statefulSetStatus(obj as StatefulSet)
    case 'DaemonSet': return daemonSetStatus(obj as DaemonSet)
    default: return { done: true, message: `${obj.kind ?? 'object'} has no rollout` }
  }
}

const observed = (o: { metadata?: { generation?: number }; status?: { observedGeneration?: number } }) =>
  (o.metadata?.generation ?? 0) <= (o.status?.observedGeneration ?? -1)

function deploymentStatus(d: Deployment): RolloutStatus {
  const name = d.metadata?.name ?? ''
  if (!observed(d)) return { done: false, message: 'Waiting for deployment spec update to be observed...' }
  const s = d.status ?? {}
  const progressing = s.conditions?.find((c) => c.type === 'Progressing')
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` }
  }
  const want = d.spec?.replicas ?? 1
  const updated = s.updatedReplicas ?? 0
  if (updated < want) {
    return { done: false, message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...` }
  }
  const old = (s.replicas ?? 0) - updated
  if (old > 0) {
    return { done: false, message: `Waiting for deployment "${name}" rollout to finish: ${old} old replicas are pending termination...` }
  }
  const available = s.availableReplicas ?? 0
  if (available < updated) {
    return { done: false, message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...` }
  }
  return { done: true, message: `deployment "${name}" successfully rolled out` }
}

function statefulSetStatus(sts: StatefulSet): RolloutStatus {
  if (sts.spec?.updateStrategy?.type === 'OnDelete') {
    return { done: true, message: `rollout status is only available for RollingUpdate strategy type` }
  }
  if (!observed(sts)) return { done: false, message: 'Waiting for statefulset spec update to be observed...' }
  const s = sts.status ?? { replicas: 0 }
  const want = sts.spec?.replicas ?? 1
  const ready = s.readyReplicas ?? 0
  if (ready < want) return { done: false, message: `Waiting for ${want - ready} pods to be ready...` }
  const partition = sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0
  if (partition > 0) {
    const updated = s.updatedReplicas ?? 0
    if (updated < want - partition) {
      return { done: false, message: `Waiting for partitioned roll out to finish: ${updated} out of ${want - partition} new pods have been updated...` }
    }
    return { done: true, message: `partitioned roll out complete: ${updated} new pods have been updated...` }
  }
  if (s.updateRevision !== s.currentRevision) {
    return { done: false, message: `waiting for statefulset rolling update to complete ${s.updatedReplicas ?? 0} pods at revision ${s.updateRevision ?? ''}...` }
  }
  return { done: true, message: `statefulset rolling update complete ${s.currentReplicas ?? 0} pods at revision ${s.currentRevision ?? ''}...` }
}

function daemonSetStatus(ds: DaemonSet): RolloutStatus {
  const name = ds.metadata?.name ?? ''
  if (ds.spec?.updateStrategy?.type === 'OnDelete') {
    return { done: true, message: `rollout status is only available for RollingUpdate strategy type` }
  }
  if (!observed(ds)) return { done: false, message: 'Waiting for daemon set spec update to be observed...' }
  const s = ds.status ?? { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 }
  const desired = s.desiredNumberScheduled
  if ((s.updatedNumberScheduled ?? 0) < desired) {
    return { done: false, message: `Waiting for daemon set "${name}" rollout to finish: ${s.updatedNumberScheduled ?? 0} out of ${desired} new pods have been updated...` }
  }
  if ((s.numberAvailable ?? 0) < desired) {
    return { done: false, message: `Waiting for daemon set "${name}" rollout to finish: ${s.numberAvailable ?? 0} of ${desired} updated pods are available...` }
  }
  return { done: true, message: `daemon set "${name}" successfully rolled out` }
}
