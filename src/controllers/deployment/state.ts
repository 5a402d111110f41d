/**
 * @module
 * One sync of one Deployment: the clients it writes with, the Deployment being worked on,
 * and its ReplicaSets as they stand after this sync's own writes.
 */
import type { Deployment } from 'kubernetes-types/apps/v1.js'
import type { KubeObject } from '../../api/index.js'
import type { Client, EventRecorder } from '../../client/types.js'
import type { D, RS } from './util.js'

export type SyncState = {
  client: Client
  recorder: EventRecorder
  now: () => number
  /** An editable copy, kept at the resourceVersion of our last write so the next one does not conflict. */
  d: D
  /** The ReplicaSets this Deployment controls; entries are replaced as this sync updates them. */
  rsList: RS[]
  /** When the Deployment should be looked at again (a progress deadline), if sooner than any event. */
  requeueAfterMs?: number
}

/** Replaces (or adds) `rs` in the sync's list, so later steps see this sync's own write. */
export function remember(s: SyncState, rs: RS): RS {
  const i = s.rsList.findIndex((x) => x.metadata?.uid === rs.metadata?.uid)
  if (i >= 0) s.rsList[i] = rs
  else s.rsList.push(rs)
  return rs
}

/** PUT .../status with the Deployment's status and annotations (the revision travels there). */
export async function updateDeploymentStatus(s: SyncState): Promise<void> {
  const stored = await s.client.updateStatus(s.d as Deployment & KubeObject)
  s.d.metadata!.resourceVersion = stored.metadata?.resourceVersion
}

/** Asks for another look within `ms`, keeping the soonest request. */
export function requeueAfter(s: SyncState, ms: number) {
  s.requeueAfterMs = Math.min(s.requeueAfterMs ?? Infinity, ms)
}
