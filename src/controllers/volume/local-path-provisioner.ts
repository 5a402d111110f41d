/**
 * @module
 * The local-path provisioner (`rancher.io/local-path`): ensures the default `local-path`
 * StorageClass, makes a directory and a PersistentVolume for each claim the binder hands it
 * (once the scheduler has picked a node, for WaitForFirstConsumer), and removes both when a
 * Delete-policy volume it made is released.
 */
// Upstream: rancher/local-path-provisioner provisioner.go (provisionFor, deleteFor,
// createPersistentVolumeSource) and its deploy/local-path-storage.yaml StorageClass;
// sigs.k8s.io/sig-storage-lib-external-provisioner controller.go (shouldProvision, shouldDelete,
// provisionClaimOperation, deleteVolumeOperation) and volume_store.go (ProvisioningSucceeded).
// Deliberate differences: directories are made in process (no helper pod) under
// `<dataDir>/storage`; an Immediate-mode claim gets a hostPath volume without node affinity,
// since kubelite's nodes share the host's filesystem.
import { chmod, mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Node, PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec } from 'kubernetes-types/core/v1.js'
import type { StorageClass } from 'kubernetes-types/storage/v1.js'
import { copy, isAlreadyExists, isNotFound, keyOf, type Cached } from '../../api/index.js'
import type { Controller, ControllerContext } from '../../client/types.js'
import { isInside } from './host-path.js'
import {
  ANN_BETA_STORAGE_PROVISIONER, ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, claimClass, claimRefFor,
} from './pv-helpers.js'

export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path'
export const LOCAL_PATH_CLASS = 'local-path'
const ANN_NODE = 'local.path.provisioner/selected-node'
const NODE_AFFINITY_KEY = 'kubernetes.io/hostname'
const PV_KIND = { apiVersion: 'v1', kind: 'PersistentVolume' } as const

/** The StorageClass the provisioner ensures at start: the cluster's default. */
export const localPathStorageClass = (): StorageClass => ({
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
  metadata: { name: LOCAL_PATH_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: LOCAL_PATH_PROVISIONER, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer',
})

/** Where a claim's data lives: `<dataDir>/storage/pvc-<uid>_<namespace>_<name>`. */
export const volumeDir = (dataDir: string, pvName: string, claim: Cached<PersistentVolumeClaim>) =>
  join(dataDir, 'storage', [pvName, claim.metadata?.namespace, claim.metadata?.name].join('_'))

const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** Provisions and deletes `rancher.io/local-path` volumes. */
export function localPathProvisioner(ctx: ControllerContext): Controller {
  const claims = ctx.informers.of<PersistentVolumeClaim>('v1', 'PersistentVolumeClaim')
  const volumes = ctx.informers.of<PersistentVolume>('v1', 'PersistentVolume')
  const classes = ctx.informers.of<StorageClass>('storage.k8s.io/v1', 'StorageClass')
  const nodes = ctx.informers.of<Node>('v1', 'Node')
  const recorder = ctx.recorder(LOCAL_PATH_PROVISIONER)
  let classEnsured = false

  /** Creates the default class if absent; an administrator's edits to an existing one are kept. */
  async function ensureStorageClass(signal: AbortSignal) {
    if (classEnsured) return
    if (!classes.get(LOCAL_PATH_CLASS)) {
      try {
        await ctx.client.create(localPathStorageClass(), { signal })
      } catch (err) {
        if (!isAlreadyExists(err)) throw err
      }
    }
    classEnsured = true
  }

  /** The class to provision for, when this claim is ours to provision now. */
  function shouldProvision(claim: Cached<PersistentVolumeClaim>): Cached<StorageClass> | undefined {
    if (claim.spec?.volumeName) return undefined
    const a = claim.metadata?.annotations ?? {}
    if ((a[ANN_STORAGE_PROVISIONER] ?? a[ANN_BETA_STORAGE_PROVISIONER]) !== LOCAL_PATH_PROVISIONER) return undefined
    const cls = classes.get(claimClass(claim))
    if (cls?.provisioner !== LOCAL_PATH_PROVISIONER) return undefined
    // WaitForFirstConsumer: the scheduler's node choice comes first.
    if (cls.volumeBindingMode === 'WaitForFirstConsumer' && !a[ANN_SELECTED_NODE]) return undefined
    return cls
  }

  async function provision(claim: Cached<PersistentVolumeClaim>, cls: Cached<StorageClass>, signal: AbortSignal) {
    const pvName = `pvc-${claim.metadata?.uid}`
    if (volumes.get(pvName)) return
    const className = claimClass(claim)
    const fail = (why: string) => recorder.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": ${why}`)
    const nodeName = claim.metadata?.annotations?.[ANN_SELECTED_NODE]
    const node = nodeName ? nodes.get(nodeName) : undefined
    if (nodeName && !node) {
      // The chosen node is gone: hand the choice back to the scheduler.
      recorder.event(claim, 'Warning', 'ProvisioningFailed', `nodes "${nodeName}" not found`)
      const next = copy(claim)
      delete next.metadata?.annotations?.[ANN_SELECTED_NODE]
      await ctx.client.update(next, { signal })
      return
    }
    recorder.event(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${keyOf(claim)}"`)
    if (claim.spec?.selector) return fail('claim.Spec.Selector is not supported')
    if ((claim.spec?.accessModes ?? []).some((m) => m !== 'ReadWriteOnce' && m !== 'ReadWriteOncePod')) {
      return fail('NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes')
    }
    const volumeType = claim.metadata?.annotations?.volumeType ?? cls.metadata?.annotations?.defaultVolumeType ?? 'hostPath'
    if (!['hostpath', 'local'].includes(volumeType.toLowerCase())) return fail(`failed to create persistent volume source: "${volumeType}" is not a recognised volume type`)
    if (volumeType.toLowerCase() === 'local' && !node) return fail('configuration error, no node was specified')
    if (!ctx.dataDir) return fail('kubelite has no data directory for local-path volumes')

    const path = volumeDir(ctx.dataDir, pvName, claim)
    try {
      // Open to every user, as the upstream setup script makes it: containers may run as any uid.
      await mkdir(path, { recursive: true, mode: 0o777 })
      await chmod(path, 0o777) // mkdir's mode is masked by the umask
    } catch (err) {
      return fail(message(err))
    }
    const source: PersistentVolumeSpec = volumeType.toLowerCase() === 'local'
      ? { local: { path } }
      : { hostPath: { path, type: 'DirectoryOrCreate' } }
    const affinityValue = node?.metadata?.labels?.[NODE_AFFINITY_KEY] ?? nodeName
    const pv: PersistentVolume = {
      ...PV_KIND,
      metadata: {
        name: pvName,
        annotations: { [ANN_NODE]: nodeName ?? '', [ANN_DYNAMICALLY_PROVISIONED]: cls.provisioner },
      },
      spec: {
        ...source,
        persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
        accessModes: [...(claim.spec?.accessModes ?? [])],
        volumeMode: 'Filesystem',
        capacity: { storage: claim.spec?.resources?.requests?.storage as string },
        claimRef: claimRefFor(claim),
        storageClassName: className,
        ...(affinityValue ? {
          nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: NODE_AFFINITY_KEY, operator: 'In', values: [affinityValue] }] }] } },
        } : {}),
      },
    }
    try {
      await ctx.client.create(pv, { signal })
    } catch (err) {
      if (isAlreadyExists(err)) return
      fail(message(err))
      throw err
    }
    recorder.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`)
  }

  /** Whether a volume is a released one of ours that its policy says to delete. */
  const shouldDelete = (v: Cached<PersistentVolume>) =>
    !v.metadata?.deletionTimestamp && v.status?.phase === 'Released' && v.spec?.persistentVolumeReclaimPolicy === 'Delete' &&
    v.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED] === LOCAL_PATH_PROVISIONER

  async function deleteVolume(v: Cached<PersistentVolume>, signal: AbortSignal) {
    const path = v.spec?.hostPath?.path ?? v.spec?.local?.path
    try {
      if (!path) throw new Error(`failed to delete volume ${v.metadata?.name}: no path set`)
      const nodeName = v.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values?.[0]
      // Like upstream: a node that no longer exists has no directory left to clean.
      const nodeGone = !!nodeName && !nodes.list().some((n) => n.metadata?.name === nodeName || n.metadata?.labels?.[NODE_AFFINITY_KEY] === nodeName)
      // Only what we made under the data directory is ours to remove.
      if (!nodeGone && ctx.dataDir && isInside(path, join(ctx.dataDir, 'storage'))) await rm(path, { recursive: true, force: true })
    } catch (err) {
      recorder.event(v, 'Warning', 'VolumeFailedDelete', message(err))
      throw err
    }
    try {
      await ctx.client.delete(PV_KIND, v.metadata?.name ?? '', undefined, { signal })
    } catch (err) {
      if (!isNotFound(err)) throw err
    }
  }

  async function sync(key: string, signal: AbortSignal): Promise<void> {
    await ensureStorageClass(signal)
    if (key.includes('/')) {
      const claim = claims.get(key)
      const cls = claim && shouldProvision(claim)
      if (claim && cls) await provision(claim, cls, signal)
      return
    }
    const v = volumes.get(key)
    if (v && shouldDelete(v)) await deleteVolume(v, signal)
  }

  return {
    name: 'local-path-provisioner',
    triggers: [claims.on((ev) => (ev.type === 'delete' ? [] : [keyOf(ev.obj)])), volumes.on((ev) => (ev.type === 'delete' ? [] : [keyOf(ev.obj)]))],
    sync,
    tick: { everyMs: 60_000, run: (signal) => ensureStorageClass(signal) },
  }
}
