/**
 * @module
 * The binder's writes: phases and statuses, binding a volume and a claim to each other (volume
 * first, so a crash in between leaves a state the next sync completes), and rolling a binding
 * back. Each write happens only when something would change, and returns the object as the
 * server now has it so the next step builds on it.
 */
// Upstream: pkg/controller/volume/persistentvolume/pv_controller.go (updateClaimStatus,
// updateClaimStatusWithEvent, updateVolumePhase, updateVolumePhaseWithEvent, bindVolumeToClaim,
// bindClaimToVolume, bind, unbindVolume, setClaimProvisioner); component-helpers GetBindVolumeToClaim.
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js'
import { compareQuantities, copy, semanticEqual, type Cached } from '../../api/index.js'
import type { Client, EventRecorder } from '../../client/types.js'
import {
  ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_STORAGE_PROVISIONER, claimRefFor,
  isVolumeBoundToClaim,
} from './pv-helpers.js'

type PV = Cached<PersistentVolume>
type PVC = Cached<PersistentVolumeClaim>
type EventType = 'Normal' | 'Warning'

/** The binder's write operations over one client, recorder and abort signal. */
export function binderOps(client: Client, recorder: EventRecorder, signal: AbortSignal) {
  const ops = {
    /** Sets the claim's phase; with a volume, its access modes and (when becoming that phase) its capacity. */
    async updateClaimStatus(claim: PVC, phase: string, volume?: PV): Promise<PVC> {
      const next = copy(claim)
      const status = (next.status ??= {})
      let dirty = false
      if (claim.status?.phase !== phase) {
        status.phase = phase
        dirty = true
      }
      if (!volume) {
        if (status.accessModes) {
          delete status.accessModes
          dirty = true
        }
        if (status.capacity) {
          delete status.capacity
          dirty = true
        }
      } else {
        if (!semanticEqual(claim.status?.accessModes, volume.spec?.accessModes)) {
          status.accessModes = [...(volume.spec?.accessModes ?? [])]
          dirty = true
        }
        // Capacity only when the claim enters the phase: a later difference may be a resize in progress.
        if (claim.status?.phase !== phase) {
          const volumeCap = volume.spec?.capacity?.storage as string | undefined
          if (volumeCap === undefined) throw new Error(`PersistentVolume "${volume.metadata?.name}" is without a storage capacity`)
          const claimCap = claim.status?.capacity?.storage as string | undefined
          if (claimCap === undefined || compareQuantities(volumeCap, claimCap) !== 0) {
            status.capacity = copy(volume.spec!.capacity!) as never
            dirty = true
          }
        }
      }
      return dirty ? client.updateStatus(next, { signal }) : claim
    },

    /** Like updateClaimStatus, with an event, both only when the phase actually changes. */
    async updateClaimStatusWithEvent(claim: PVC, phase: string, volume: PV | undefined, type: EventType, reason: string, message: string) {
      if (claim.status?.phase === phase) return claim
      const updated = await ops.updateClaimStatus(claim, phase, volume)
      recorder.event(updated, type, reason, message)
      return updated
    },

    async updateVolumePhase(volume: PV, phase: string, message = ''): Promise<PV> {
      if (volume.status?.phase === phase) return volume
      const next = copy(volume)
      next.status = { ...next.status, phase }
      if (message) next.status.message = message
      else delete next.status.message
      return client.updateStatus(next, { signal })
    },

    async updateVolumePhaseWithEvent(volume: PV, phase: string, type: EventType, reason: string, message: string) {
      if (volume.status?.phase === phase) return volume
      const updated = await ops.updateVolumePhase(volume, phase, message)
      recorder.event(updated, type, reason, message)
      return updated
    },

    /** Points the volume at the claim; marks it bound-by-controller unless a user pre-bound it. */
    async bindVolumeToClaim(volume: PV, claim: PVC): Promise<PV> {
      const next = copy(volume)
      let dirty = false
      const ref = volume.spec?.claimRef
      if (!ref || ref.name !== claim.metadata?.name || ref.namespace !== claim.metadata?.namespace || ref.uid !== claim.metadata?.uid) {
        next.spec = { ...next.spec, claimRef: claimRefFor(claim) }
        dirty = true
      }
      if (!isVolumeBoundToClaim(volume, claim) && !volume.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER]) {
        next.metadata = { ...next.metadata, annotations: { ...next.metadata?.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' } }
        dirty = true
      }
      return dirty ? client.update(next, { signal }) : volume
    },

    /** Points the claim at the volume and marks the binding complete. */
    async bindClaimToVolume(claim: PVC, volume: PV): Promise<PVC> {
      const next = copy(claim)
      const annotations: Record<string, string> = { ...next.metadata?.annotations }
      let dirty = false
      if (claim.spec?.volumeName !== volume.metadata?.name) {
        next.spec = { ...next.spec, volumeName: volume.metadata?.name }
        annotations[ANN_BOUND_BY_CONTROLLER] ??= 'yes'
        dirty = true
      }
      if (!annotations[ANN_BIND_COMPLETED]) {
        annotations[ANN_BIND_COMPLETED] = 'yes'
        dirty = true
      }
      next.metadata = { ...next.metadata, annotations }
      return dirty ? client.update(next, { signal }) : claim
    },

    /** Binds both ways and marks both Bound; the first failure stops, and the next sync finishes the job. */
    async bind(volume: PV, claim: PVC): Promise<void> {
      let v = await ops.bindVolumeToClaim(volume, claim)
      v = await ops.updateVolumePhase(v, 'Bound')
      const c = await ops.bindClaimToVolume(claim, v)
      await ops.updateClaimStatus(c, 'Bound', v)
    },

    /** Undoes a binding: the controller's entirely, a user's pre-binding down to the claim's name. */
    async unbindVolume(volume: PV): Promise<PV> {
      const next = copy(volume)
      if (volume.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER]) {
        delete next.spec?.claimRef
        const annotations = { ...next.metadata?.annotations }
        delete annotations[ANN_BOUND_BY_CONTROLLER]
        next.metadata = { ...next.metadata, annotations }
        if (Object.keys(annotations).length === 0) delete next.metadata.annotations
      } else if (next.spec?.claimRef) {
        next.spec.claimRef = { ...next.spec.claimRef, uid: undefined }
        delete next.spec.claimRef.uid
      }
      const updated = await client.update(next, { signal })
      return ops.updateVolumePhase(updated, 'Available')
    },

    /** Gives a claim without a class the default one (upstream's retroactive default StorageClass). */
    async assignStorageClass(claim: PVC, className: string): Promise<PVC> {
      const next = copy(claim)
      next.spec = { ...next.spec, storageClassName: className }
      return client.update(next, { signal })
    },

    /** Names the provisioner on the claim (GA and beta annotations), which is what external provisioners wait for. */
    async setClaimProvisioner(claim: PVC, provisioner: string): Promise<PVC> {
      const a = claim.metadata?.annotations ?? {}
      if (a[ANN_STORAGE_PROVISIONER] === provisioner && a[ANN_BETA_STORAGE_PROVISIONER] === provisioner) return claim
      const next = copy(claim)
      next.metadata = {
        ...next.metadata,
        annotations: { ...next.metadata?.annotations, [ANN_STORAGE_PROVISIONER]: provisioner, [ANN_BETA_STORAGE_PROVISIONER]: provisioner },
      }
      return client.update(next, { signal })
    },
  }
  return ops
}

export type BinderOps = ReturnType<typeof binderOps>
