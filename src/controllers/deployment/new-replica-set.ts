/**
 * @module
 * Finding or creating the Deployment's new ReplicaSet (the one running its current
 * template) and keeping revisions in step: the new RS always carries the highest revision,
 * and the Deployment carries the new RS's.
 */
// Upstream: pkg/controller/deployment/sync.go (getAllReplicaSetsAndSyncRevision,
// getNewReplicaSet).
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import { copy, isAlreadyExists, isStatusError, notFound, type Cached, type KubeObject } from '../../api/index.js'
import { computeHash, controllerRef } from '../util/index.js'
import { FailedRSCreateReason, FoundNewRSReason, getCondition, newCondition, NewReplicaSetReason, PROGRESSING, setCondition } from './conditions.js'
import { newRSNewReplicas } from './proportions.js'
import { remember, updateDeploymentStatus, type SyncState } from './state.js'
import {
  equalIgnoreHash, findNewReplicaSet, findOldReplicaSets, hasProgressDeadline, maxRevision, POD_TEMPLATE_HASH, REVISION,
  setDeploymentRevision, setNewReplicaSetAnnotations, type RS,
} from './util.js'

/** The new RS (created if asked and missing) and all the old ones, revisions synced. */
export async function getAllReplicaSetsAndSyncRevision(s: SyncState, createIfNotExisted: boolean): Promise<{ newRS?: RS; oldRSs: RS[] }> {
  const oldRSs = findOldReplicaSets(s.d, s.rsList)
  const newRS = await getNewReplicaSet(s, oldRSs, createIfNotExisted)
  return { newRS, oldRSs }
}

async function getNewReplicaSet(s: SyncState, oldRSs: RS[], createIfNotExisted: boolean): Promise<RS | undefined> {
  const d = s.d
  const existing = findNewReplicaSet(d, s.rsList)
  const newRevision = String(maxRevision(oldRSs) + 1)
  if (existing) {
    const rsCopy = copy(existing)
    const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true)
    const minReadySeconds = d.spec?.minReadySeconds ?? 0
    if (annotationsUpdated || (rsCopy.spec?.minReadySeconds ?? 0) !== minReadySeconds) {
      rsCopy.spec = { ...rsCopy.spec!, minReadySeconds }
      return remember(s, await s.client.update(rsCopy as ReplicaSet & KubeObject))
    }
    // The RS's own revision is the one to trust: it was set when the RS became new.
    let needsUpdate = setDeploymentRevision(d, rsCopy.metadata?.annotations?.[REVISION] ?? '')
    // A Deployment that never reported progress starts its clock from finding its new RS.
    if (hasProgressDeadline(d) && !getCondition(d.status, PROGRESSING)) {
      setCondition((d.status ??= {}), newCondition(PROGRESSING, 'True', FoundNewRSReason, `Found new replica set ${JSON.stringify(rsCopy.metadata?.name)}`, s.now()))
      needsUpdate = true
    }
    if (needsUpdate) await updateDeploymentStatus(s)
    return existing
  }
  if (!createIfNotExisted) return undefined

  // The hash covers the template as the Deployment has it; only then is the label added.
  const template = copy(d.spec?.template ?? {})
  const hash = computeHash(template, d.status?.collisionCount)
  const labels = { ...(d.spec?.template?.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash }
  template.metadata = { ...template.metadata, labels }
  const selector = copy(d.spec?.selector ?? {})
  selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH]: hash }
  const name = `${d.metadata?.name}-${hash}`
  const newRS: ReplicaSet & KubeObject = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    // A deterministic name makes a retried create idempotent (AlreadyExists, not a twin).
    metadata: { name, namespace: d.metadata?.namespace, ownerReferences: [controllerRef(d as Cached<KubeObject>)], labels },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
  }
  const replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS)
  newRS.spec!.replicas = replicas
  setNewReplicaSetAnnotations(d, newRS, newRevision, false)

  let created: RS
  let alreadyExisted = false
  try {
    created = remember(s, await s.client.create(newRS))
  } catch (err) {
    if (isAlreadyExists(err)) {
      alreadyExisted = true
      created = await adoptExisting(s, name, err)
    } else {
      if (isNamespaceTerminating(err)) throw err
      const msg = `Failed to create new replica set ${JSON.stringify(name)}: ${err instanceof Error ? err.message : err}`
      if (hasProgressDeadline(d)) {
        setCondition((d.status ??= {}), newCondition(PROGRESSING, 'False', FailedRSCreateReason, msg, s.now()))
        // The bigger problem is the create; a failed status write is not worth reporting over it.
        await updateDeploymentStatus(s).catch(() => {})
      }
      s.recorder.event(d as Cached<KubeObject>, 'Warning', FailedRSCreateReason, msg)
      throw err
    }
  }
  if (!alreadyExisted && replicas > 0) {
    s.recorder.event(d as Cached<KubeObject>, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name} from 0 to ${replicas}`)
  }
  let needsUpdate = setDeploymentRevision(d, newRevision)
  if (!alreadyExisted && hasProgressDeadline(d)) {
    setCondition((d.status ??= {}), newCondition(PROGRESSING, 'True', NewReplicaSetReason, `Created new replica set ${JSON.stringify(created.metadata?.name)}`, s.now()))
    needsUpdate = true
  }
  if (needsUpdate) await updateDeploymentStatus(s)
  return created
}

/**
 * After AlreadyExists: the RS is ours if we control it and it runs our template (a stale
 * cache); otherwise the hash collided, so collisionCount goes up and the sync retries.
 */
async function adoptExisting(s: SyncState, name: string, err: unknown): Promise<RS> {
  const d = s.d
  let rs: RS
  try {
    rs = await s.client.get<ReplicaSet & KubeObject>({ apiVersion: 'apps/v1', kind: 'ReplicaSet' }, name, d.metadata?.namespace)
  } catch (getErr) {
    throw isStatusError(getErr) ? getErr : notFound({ group: 'apps', resource: 'replicasets' }, name)
  }
  const ref = rs.metadata?.ownerReferences?.find((r) => r.controller)
  if (ref?.uid === d.metadata?.uid && equalIgnoreHash(d.spec?.template, rs.spec?.template)) return remember(s, rs)
  const status = (d.status ??= {})
  status.collisionCount = (status.collisionCount ?? 0) + 1
  await updateDeploymentStatus(s).catch(() => {})
  throw err
}

const isNamespaceTerminating = (err: unknown) =>
  isStatusError(err) && (err.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')
