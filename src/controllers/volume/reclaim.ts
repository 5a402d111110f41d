/**
 * @module
 * Reclaiming a volume whose claim is gone, by its reclaim policy: Retain leaves it Released for
 * an administrator, Recycle scrubs it and makes it Available again, Delete removes it (or waits
 * for the external provisioner that made it). Failures mark the volume Failed with an event and
 * are retried on later syncs.
 */
// Upstream: pkg/controller/volume/persistentvolume/pv_controller.go (reclaimVolume,
// recycleVolumeOperation, deleteVolumeOperation, isVolumeReleased, doDeleteVolume, findDeletablePlugin).
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js'
import { isNotFound, type Cached } from '../../api/index.js'
import type { Client, EventRecorder } from '../../client/types.js'
import type { BinderOps } from './binder-ops.js'
import { deleteHostPath, scrubDirectory } from './host-path.js'
import { ANN_DYNAMICALLY_PROVISIONED, ANN_MIGRATED_TO, claimRefKey } from './pv-helpers.js'

type PV = Cached<PersistentVolume>
const PV_KIND = { apiVersion: 'v1', kind: 'PersistentVolume' }

export type ReclaimInput = {
  ops: BinderOps
  volume: PV
  signal: AbortSignal
  client: Client
  recorder: EventRecorder
  dataDir: string | undefined
  /** The cached claim by `namespace/name`. */
  claim(key: string): Cached<PersistentVolumeClaim> | undefined
  /** Pods still running (or able to run) that mount the claim `namespace/name`. */
  podsUsing(key: string): readonly Cached<Pod>[]
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** Applies the volume's reclaim policy. */
export async function reclaimVolume(r: ReclaimInput): Promise<void> {
  // A migrated volume belongs to its CSI driver's provisioner.
  if (r.volume.metadata?.annotations?.[ANN_MIGRATED_TO]) return
  switch (r.volume.spec?.persistentVolumeReclaimPolicy) {
    case 'Retain':
      return
    case 'Recycle':
      return recycle(r)
    case 'Delete':
      return deleteVolume(r)
    default:
      await r.ops.updateVolumePhaseWithEvent(r.volume, 'Failed', 'Warning', 'VolumeUnknownReclaimPolicy',
        'Volume has unrecognized PersistentVolumeReclaimPolicy')
  }
}

// The operations re-read the volume: a previous run may have finished meanwhile.
async function latest(r: ReclaimInput): Promise<PV | undefined> {
  try {
    return await r.client.get<PersistentVolume>(PV_KIND, r.volume.metadata?.name ?? '', undefined, { signal: r.signal })
  } catch (err) {
    if (isNotFound(err)) return undefined
    throw err
  }
}

/** Whether the volume's claim is gone (or bound elsewhere), so reclaiming it is safe. */
function isVolumeReleased(r: ReclaimInput, v: PV): boolean {
  const ref = v.spec?.claimRef
  if (!ref?.uid) return false
  const claim = r.claim(claimRefKey(ref))
  if (claim && claim.metadata?.uid === ref.uid) return !!claim.spec?.volumeName && claim.spec.volumeName !== v.metadata?.name
  return true
}

async function recycle(r: ReclaimInput): Promise<void> {
  const v = await latest(r)
  if (!v || !isVolumeReleased(r, v)) return
  const key = claimRefKey(v.spec!.claimRef!)
  const users = r.podsUsing(key).map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).sort()
  // A cached claim of that name is a new one using another volume; its pods are not this volume's.
  if (users.length && !r.claim(key)) {
    r.recorder.event(v, 'Normal', 'VolumeFailedRecycle', `Volume is used by pods: ${users.join(',')}`)
    return
  }
  const path = v.spec?.hostPath?.path
  if (!path) {
    await r.ops.updateVolumePhaseWithEvent(v, 'Failed', 'Warning', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!')
    return
  }
  try {
    await scrubDirectory(path, r.dataDir)
  } catch (err) {
    await r.ops.updateVolumePhaseWithEvent(v, 'Failed', 'Warning', 'VolumeFailedRecycle', `Recycle failed: ${message(err)}`)
    return
  }
  r.recorder.event(v, 'Normal', 'VolumeRecycled', 'Volume recycled')
  await r.ops.unbindVolume(v)
}

async function deleteVolume(r: ReclaimInput): Promise<void> {
  const v = await latest(r)
  if (!v || v.metadata?.deletionTimestamp || !isVolumeReleased(r, v)) return
  const provisionedBy = v.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED]
  // An external provisioner (local-path among them) deletes what it made; CSI volumes likewise.
  if ((provisionedBy && !provisionedBy.startsWith('kubernetes.io/')) || v.spec?.csi) return
  try {
    const path = v.spec?.hostPath?.path
    if (path === undefined) throw new Error(`error getting deleter volume plugin for volume "${v.metadata?.name}": no deletable volume plugin matched`)
    await deleteHostPath(path)
  } catch (err) {
    await r.ops.updateVolumePhaseWithEvent(v, 'Failed', 'Warning', 'VolumeFailedDelete', message(err))
    return
  }
  try {
    await r.client.delete(PV_KIND, v.metadata?.name ?? '', undefined, { signal: r.signal })
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
}
