/**
 * @module
 * The PersistentVolume binder: binds each claim to a volume (the one it names, one pre-bound to
 * it, or the smallest Available one that fits), asks a provisioner for one when none fits and
 * the claim has a class, tracks both sides' phases, and reclaims a volume whose claim is gone
 * (Retain keeps it Released, Recycle scrubs it back to Available, Delete removes it or leaves
 * that to its provisioner).
 */
// Upstream: pkg/controller/volume/persistentvolume/pv_controller.go (syncClaim, syncUnboundClaim,
// syncBoundClaim, syncVolume, reclaimVolume, recycleVolumeOperation, deleteVolumeOperation,
// isVolumeReleased, provisionClaim, provisionClaimOperationExternal, assignDefaultStorageClass,
// emitEventForUnboundDelayBindingClaim) and pv_controller_base.go (event handlers, 15 s resync).
// No in-tree provisioners: every class's provisioner is external (ours is local-path).
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js'
import type { StorageClass } from 'kubernetes-types/storage/v1.js'
import { isNotFound, keyOf, type Cached } from '../../api/index.js'
import type { Controller, ControllerContext, EventRecorder, Trigger } from '../../client/types.js'
import { binderOps, type BinderOps } from './binder-ops.js'
import { reclaimVolume } from './reclaim.js'
import {
  ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE, claimClass, claimHasClass,
  claimRefKey, defaultClass, findMatchingVolume, isDelayBindingMode, isVolumeBoundToClaim, volumeMismatch, volumeModeMismatch,
} from './pv-helpers.js'

type PV = Cached<PersistentVolume>
type PVC = Cached<PersistentVolumeClaim>

const CLAIMS_BY_VOLUME = 'pv-binder/volume-name'
/** Pods by the claims they mount (`namespace/claim`). */
export const PODS_BY_CLAIM = 'pv-binder/claim'
const RESYNC_MS = 15_000

/** True for a pod that will not run again (finished, or deleted with nothing left running). */
export const isPodTerminated = (p: Cached<Pod>) =>
  p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded' ||
  (!!p.metadata?.deletionTimestamp && !(p.status?.containerStatuses ?? []).some((c) => c.state?.running))

// Upstream's periodic resync: catches what no event announces (a PV appearing for a claim that
// named it before it existed, a retry after a provisioner failed).
function resyncTrigger(keys: () => string[]): Trigger {
  return {
    subscribe(enqueue) {
      const t = setInterval(() => keys().forEach(enqueue), RESYNC_MS)
      t.unref()
      return () => clearInterval(t)
    },
  }
}

/** Binds PersistentVolumeClaims to PersistentVolumes and reclaims released volumes. Run it with one worker. */
export function persistentVolumeBinder(ctx: ControllerContext): Controller {
  const claims = ctx.informers.of<PersistentVolumeClaim>('v1', 'PersistentVolumeClaim')
  const volumes = ctx.informers.of<PersistentVolume>('v1', 'PersistentVolume')
  const classes = ctx.informers.of<StorageClass>('storage.k8s.io/v1', 'StorageClass')
  const pods = ctx.informers.of<Pod>('v1', 'Pod')
  claims.addIndex(CLAIMS_BY_VOLUME, (c) => (c.spec?.volumeName ? [c.spec.volumeName] : []))
  pods.addIndex(PODS_BY_CLAIM, (p) => (p.spec?.volumes ?? [])
    .flatMap((v) => (v.persistentVolumeClaim ? [`${p.metadata?.namespace}/${v.persistentVolumeClaim.claimName}`] : [])))
  const recorder = ctx.recorder('persistentvolume-controller')

  async function sync(key: string, signal: AbortSignal): Promise<void> {
    const ops = binderOps(ctx.client, recorder, signal)
    // Claims are namespaced ("ns/name"), volumes are not ("name").
    if (key.includes('/')) {
      const claim = claims.get(key)
      if (claim) await syncClaim(ops, claim)
      return
    }
    const volume = volumes.get(key)
    if (volume) await syncVolume(ops, volume, signal)
  }

  const syncClaim = (ops: BinderOps, claim: PVC) =>
    claim.metadata?.annotations?.[ANN_BIND_COMPLETED] ? syncBoundClaim(ops, claim) : syncUnboundClaim(ops, claim)

  async function syncUnboundClaim(ops: BinderOps, claim: PVC): Promise<void> {
    const wanted = claim.spec?.volumeName
    if (!wanted) {
      const delayBinding = isDelayBindingMode(claim, classes)
      const volume = findMatchingVolume(claim, volumes.list(), delayBinding)
      if (volume) return ops.bind(volume, claim)
      // Retroactive default class: a claim made before any default class existed gets it now.
      const def = !claimHasClass(claim) ? defaultClass(classes) : undefined
      if (def) {
        await ops.assignStorageClass(claim, def.metadata?.name ?? '')
        return
      }
      if (delayBinding && !claim.metadata?.annotations?.[ANN_SELECTED_NODE]) {
        emitWaitingForConsumer(recorder, claim, pods.byIndex(PODS_BY_CLAIM, keyOf(claim)))
      } else if (claimClass(claim)) {
        return provisionClaim(ops, claim)
      } else {
        recorder.event(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set')
      }
      await ops.updateClaimStatus(claim, 'Pending')
      return
    }
    const volume = volumes.get(wanted)
    if (!volume) {
      // The named volume may appear later; the claim waits for it.
      await ops.updateClaimStatus(claim, 'Pending')
      return
    }
    if (!volume.spec?.claimRef) {
      const why = volumeMismatch(volume, claim)
      if (!why) return ops.bind(volume, claim)
      recorder.event(claim, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${wanted}": ${why}`)
      await ops.updateClaimStatus(claim, 'Pending')
      return
    }
    if (isVolumeBoundToClaim(volume, claim)) return ops.bind(volume, claim)
    recorder.event(claim, 'Warning', 'FailedBinding', `volume "${wanted}" already bound to a different claim.`)
    if (claim.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER]) {
      throw new Error(`invalid binding of claim "${keyOf(claim)}" to volume "${wanted}": volume already claimed by "${claimRefKey(volume.spec.claimRef)}"`)
    }
    await ops.updateClaimStatus(claim, 'Pending')
  }

  async function syncBoundClaim(ops: BinderOps, claim: PVC): Promise<void> {
    const wanted = claim.spec?.volumeName
    if (!wanted) {
      await ops.updateClaimStatusWithEvent(claim, 'Lost', undefined, 'Warning', 'ClaimLost',
        'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!')
      return
    }
    const volume = volumes.get(wanted)
    if (!volume) {
      await ops.updateClaimStatusWithEvent(claim, 'Lost', undefined, 'Warning', 'ClaimLost',
        'Bound claim has lost its PersistentVolume. Data on the volume is lost!')
      return
    }
    // Unbound, or bound to this claim: (re)bind, which writes only what is missing.
    if (!volume.spec?.claimRef || volume.spec.claimRef.uid === claim.metadata?.uid) return ops.bind(volume, claim)
    await ops.updateClaimStatusWithEvent(claim, 'Lost', undefined, 'Warning', 'ClaimMisbound',
      'Two claims are bound to the same volume, this one is bound incorrectly')
  }

  async function provisionClaim(ops: BinderOps, claim: PVC): Promise<void> {
    const name = claimClass(claim)
    const cls = classes.get(name)
    if (!cls) {
      recorder.event(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${name}" not found`)
      return
    }
    // kubernetes.io/* names in-tree plugins, of which kubelite has none.
    if (cls.provisioner.startsWith('kubernetes.io/')) {
      recorder.event(claim, 'Warning', 'ProvisioningFailed', `no volume plugin matched name: ${cls.provisioner}`)
      return
    }
    const updated = await ops.setClaimProvisioner(claim, cls.provisioner)
    recorder.event(updated, 'Normal', 'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${cls.provisioner}' or manually by the system administrator. ` +
      'If volume creation is delayed, please verify that the provisioner is running and correctly registered.')
  }

  async function syncVolume(ops: BinderOps, volume: PV, signal: AbortSignal): Promise<void> {
    const ref = volume.spec?.claimRef
    // Unused, or reserved for a claim by a user who has not created it yet.
    if (!ref || !ref.uid) {
      await ops.updateVolumePhase(volume, 'Available')
      return
    }
    let claim: PVC | undefined = claims.get(claimRefKey(ref))
    // Before releasing, ask the server: a claim made moments ago may not be in the cache yet.
    if ((!claim && volume.status?.phase !== 'Released' && volume.status?.phase !== 'Failed') || (claim && claim.metadata?.uid !== ref.uid)) {
      claim = await getClaim(ref.namespace ?? '', ref.name ?? '', signal)
    }
    if (claim && claim.metadata?.uid !== ref.uid) claim = undefined
    if (!claim) {
      let v = volume
      if (v.status?.phase !== 'Released' && v.status?.phase !== 'Failed') v = await ops.updateVolumePhase(v, 'Released')
      return reclaim(ops, v, signal)
    }
    if (!claim.spec?.volumeName) {
      if (volumeModeMismatch(claim, volume)) {
        recorder.event(volume, 'Warning', 'VolumeMismatch', `Cannot bind PersistentVolume to requested PersistentVolumeClaim "${claim.metadata?.name}" due to incompatible volumeMode.`)
        recorder.event(claim, 'Warning', 'VolumeMismatch', `Cannot bind PersistentVolume "${volume.metadata?.name}" to requested PersistentVolumeClaim due to incompatible volumeMode.`)
      }
      // The claim's sync finishes the binding; the volume trigger already queued it.
      return
    }
    if (claim.spec.volumeName === volume.metadata?.name) {
      await ops.updateVolumePhase(volume, 'Bound')
      return
    }
    // The claim went to another volume. One provisioned for it is not needed any more.
    if (volume.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED] && volume.spec?.persistentVolumeReclaimPolicy === 'Delete') {
      let v = volume
      if (v.status?.phase !== 'Released' && v.status?.phase !== 'Failed') v = await ops.updateVolumePhase(v, 'Released')
      return reclaim(ops, v, signal)
    }
    await ops.unbindVolume(volume)
  }

  async function getClaim(namespace: string, name: string, signal: AbortSignal): Promise<PVC | undefined> {
    try {
      return await ctx.client.get<PersistentVolumeClaim>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim' }, name, namespace, { signal })
    } catch (err) {
      if (isNotFound(err)) return undefined
      throw err
    }
  }

  const reclaim = (ops: BinderOps, volume: PV, signal: AbortSignal) => reclaimVolume({
    ops, volume, signal, client: ctx.client, recorder, dataDir: ctx.dataDir,
    claim: (key) => claims.get(key), podsUsing: (key) => pods.byIndex(PODS_BY_CLAIM, key).filter((p) => !isPodTerminated(p)),
  })

  return {
    name: 'persistentvolume-binder-controller',
    triggers: [
      // A claim's change may free or need its volume; a deleted claim releases it.
      claims.on((ev) => [keyOf(ev.obj), ...(ev.obj.spec?.volumeName ? [ev.obj.spec.volumeName] : [])]),
      // A volume's change concerns the claim it points at and any claim that names it.
      volumes.on((ev) => [
        keyOf(ev.obj),
        ...(ev.obj.spec?.claimRef ? [claimRefKey(ev.obj.spec.claimRef)] : []),
        ...claims.byIndex(CLAIMS_BY_VOLUME, ev.obj.metadata?.name ?? '').map((c) => keyOf(c) as string),
      ]),
      // A new or changed class (a default appearing) may unblock pending claims.
      classes.on(() => claims.list().filter((c) => !c.metadata?.annotations?.[ANN_BIND_COMPLETED]).map((c) => keyOf(c) as string)),
      resyncTrigger(() => [...claims.list(), ...volumes.list()].map((o) => keyOf(o) as string)),
    ],
    sync,
  }
}

/** WaitForFirstConsumer: say why the claim waits (for a consumer, or for the pods using it to be scheduled). */
function emitWaitingForConsumer(recorder: EventRecorder, claim: PVC, users: readonly Cached<Pod>[]) {
  const waiting = users.filter((p) => !isPodTerminated(p) && !p.spec?.nodeName).map((p) => p.metadata?.name ?? '')
  if (waiting.length === 0) {
    recorder.event(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding')
  } else {
    recorder.event(claim, 'Normal', 'WaitForPodScheduled',
      waiting.length > 1 ? `waiting for pods ${waiting.join(',')} to be scheduled` : `waiting for pod ${waiting[0]} to be scheduled`)
  }
}
