/**
 * @module
 * The kubelet's volume manager: prepares each pod volume under
 * `<rootDir>/pods/<uid>/volumes/kubernetes.io~<plugin>/<name>`, keeps configMap, secret,
 * downwardAPI and projected volumes current while the pod runs, gives containers their
 * mounts, and removes it all (never hostPath or PersistentVolume data) when the pod goes.
 */
// Upstream: pkg/kubelet/volumemanager (setup and the periodic remount that refreshes
// configMap/secret contents), pkg/volume/{emptydir,configmap,secret,downwardapi,projected,
// hostpath,local}, pkg/kubelet/volumemanager/populator (getPVCExtractPV's messages),
// pkg/kubelet/token (refresh at 80% of a token's life).
import { chmod, mkdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Container, Pod, ServiceAccountTokenProjection, Volume } from 'kubernetes-types/core/v1.js'
import { parseQuantity, quantityValue, type Cached } from '../../api/index.js'
import type { Mount } from '../../runtime/types.js'
import { VolumeSetupError, type ObjectSource, type PodRuntimeFacts, type VolumeManager } from '../types.js'
import { writeAtomically } from './atomic-writer.js'
import { mountsFor, type VolumeLocation } from './container-mounts.js'
import type { NodeAllocatable } from './field-path.js'
import { checkHostPathType } from './host-path.js'
import { isMountPoint, mountTmpfs, unmountAll } from './mounts.js'
import { setVolumeOwnership } from './ownership.js'
import { volumePayload, type PayloadContext } from './payloads.js'

export type TokenRequester = (
  namespace: string, serviceAccount: string, audiences: string[], expirationSeconds: number, pod: { name: string; uid: string },
) => Promise<{ token: string; expirationTimestamp: string }>

export type VolumeManagerOptions = {
  rootDir: string
  source: ObjectSource
  nodeName: string
  /** Issues service account tokens for projected volumes (the TokenRequest API). */
  requestToken?: TokenRequester
  /** How often set-up pods' configMap/secret/downwardAPI/projected volumes are re-checked. */
  syncPeriodMs?: number
  now?: () => number
  /** For downwardAPI resourceFieldRef limits a container leaves unset. */
  nodeAllocatable?: NodeAllocatable
  /** Notes worth an event or a log line: a fallback taken, a live update that failed. */
  warn?: (pod: Cached<Pod>, reason: string, message: string) => void
}

/** A volume that could not be set up, worded as upstream's FailedMount event. */
export class VolumeMountError extends VolumeSetupError {
  constructor(readonly volume: string, readonly detail: string) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${detail}`)
  }
}

type PodState = {
  pod: Cached<Pod>
  facts: PodRuntimeFacts
  /** Volumes already prepared (emptyDir made, fsGroup applied...). */
  ready: Set<string>
  tokens: Map<string, { token: string; refreshAtMs: number }>
  /** Serialises setup, live updates and teardown of one pod. */
  lock: Promise<unknown>
}

const PROJECTED_KINDS = ['configMap', 'secret', 'downwardAPI', 'projected'] as const
const PLUGIN_DIR: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir', configMap: 'kubernetes.io~configmap', secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api', projected: 'kubernetes.io~projected',
}
const kindOf = (v: Cached<Volume>) => Object.keys(PLUGIN_DIR).find((k) => (v as Record<string, unknown>)[k] !== undefined)
const isProjectedKind = (v: Cached<Volume>) => PROJECTED_KINDS.some((k) => v[k] !== undefined)
const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** Creates the node's volume manager; `stop()` ends its live-update loop. */
export function createVolumeManager(opts: VolumeManagerOptions): VolumeManager {
  const { rootDir, source } = opts
  const now = opts.now ?? Date.now
  const pods = new Map<string, PodState>()
  const volumesDir = (uid: string) => join(rootDir, 'pods', uid, 'volumes')
  const pluginPath = (uid: string, kind: string, name: string) => join(volumesDir(uid), PLUGIN_DIR[kind]!, name)

  function serialise<T>(state: PodState, work: () => Promise<T>): Promise<T> {
    const next = state.lock.then(work, work)
    state.lock = next.catch(() => {})
    return next
  }

  /** Where a PersistentVolumeClaim's data lives: the bound PV's hostPath or local path. */
  async function claimPath(pod: Cached<Pod>, claimName: string, checkType: boolean): Promise<string> {
    const ns = pod.metadata?.namespace ?? 'default'
    const claim = source.persistentVolumeClaim(ns, claimName)
    if (!claim) throw new Error(`error processing PVC ${ns}/${claimName}: failed to fetch PVC from API server: persistentvolumeclaims "${claimName}" not found`)
    if (claim.metadata?.deletionTimestamp) throw new Error(`error processing PVC ${ns}/${claimName}: can't start pod because PVC ${ns}/${claimName} is being deleted`)
    const pvName = claim.spec?.volumeName ?? ''
    if (claim.status?.phase !== 'Bound' || !pvName) {
      throw new Error(`error processing PVC ${ns}/${claimName}: PVC ${ns}/${claimName} has non-bound phase ("${claim.status?.phase ?? ''}") or empty pvc.Spec.VolumeName ("${pvName}")`)
    }
    const pv = source.persistentVolume(pvName)
    if (!pv) throw new Error(`error processing PVC ${ns}/${claimName}: failed to fetch PV ${pvName} from API server: persistentvolumes "${pvName}" not found`)
    const path = pv.spec?.hostPath?.path ?? pv.spec?.local?.path
    if (!path) throw new Error(`persistentvolume ${pvName}: no volume plugin matched (kubelite mounts hostPath and local volumes)`)
    if (checkType && pv.spec?.hostPath) await checkHostPathType(path, pv.spec.hostPath.type)
    if (checkType && !await stat(path).then(() => true, () => false)) throw new Error(`path "${path}" does not exist`)
    return path
  }

  /** A pod volume's location; with `prepare`, also checks it (hostPath types, claims bound). */
  async function locate(pod: Cached<Pod>, volume: Cached<Volume>, prepare: boolean): Promise<VolumeLocation> {
    const uid = pod.metadata?.uid ?? ''
    const kind = kindOf(volume)
    if (kind) return { path: pluginPath(uid, kind, volume.name), readOnly: false }
    if (volume.hostPath) {
      if (prepare) await checkHostPathType(volume.hostPath.path, volume.hostPath.type)
      return { path: volume.hostPath.path, readOnly: false }
    }
    if (volume.persistentVolumeClaim) {
      const path = await claimPath(pod, volume.persistentVolumeClaim.claimName, prepare)
      return { path, readOnly: volume.persistentVolumeClaim.readOnly === true }
    }
    if (volume.ephemeral) {
      // A generic ephemeral volume's claim is named after the pod and the volume.
      return { path: await claimPath(pod, `${pod.metadata?.name}-${volume.name}`, prepare), readOnly: false }
    }
    throw new Error('no volume plugin matched')
  }

  function payloadContext(state: PodState, volume: Cached<Volume>): PayloadContext {
    return {
      pod: state.pod, facts: state.facts, source, nodeAllocatable: opts.nodeAllocatable,
      token: (p) => serviceAccountToken(state, volume.name, p),
    }
  }

  async function serviceAccountToken(state: PodState, volume: string, p: Cached<ServiceAccountTokenProjection>): Promise<string> {
    const key = `${volume}/${p.path}`
    const cached = state.tokens.get(key)
    if (cached && now() < cached.refreshAtMs) return cached.token
    const { pod } = state
    if (!opts.requestToken) throw new Error('failed to fetch token: this kubelet has no token requester')
    const seconds = p.expirationSeconds ?? 3600
    const issuedMs = now()
    let answer: { token: string; expirationTimestamp: string }
    try {
      answer = await opts.requestToken(pod.metadata?.namespace ?? 'default', pod.spec?.serviceAccountName || 'default',
        p.audience ? [p.audience] : [], seconds, { name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' })
    } catch (err) {
      throw new Error(`failed to fetch token: ${message(err)}`)
    }
    const expiresMs = Date.parse(answer.expirationTimestamp) || issuedMs + seconds * 1000
    // Upstream's token manager renews once 80% of the token's life has passed.
    state.tokens.set(key, { token: answer.token, refreshAtMs: issuedMs + 0.8 * (expiresMs - issuedMs) })
    return answer.token
  }

  /** Writes a configMap/secret/downwardAPI/projected volume; returns whether anything changed. */
  async function project(state: PodState, volume: Cached<Volume>, dir: string): Promise<boolean> {
    const payload = await volumePayload(payloadContext(state, volume), volume)
    if (!payload) return false
    const fsGroup = state.pod.spec?.securityContext?.fsGroup
    return writeAtomically(dir, payload, {
      nowMs: now(),
      setPerms: fsGroup === undefined ? undefined : async (tsDir) => {
        const why = await setVolumeOwnership(tsDir, fsGroup, true)
        if (why) opts.warn?.(state.pod, 'FSGroupNotApplied', `volume "${volume.name}": fsGroup ${fsGroup} not applied: ${why}`)
      },
    })
  }

  async function setUpEmptyDir(state: PodState, volume: Cached<Volume>, dir: string): Promise<void> {
    await mkdir(dir, { recursive: true })
    const ed = volume.emptyDir!
    if (ed.medium === 'Memory' && !await isMountPoint(dir)) {
      const size = ed.sizeLimit === undefined ? undefined : quantityValue(parseQuantity(String(ed.sizeLimit)))
      const why = await mountTmpfs(dir, size)
      if (why) opts.warn?.(state.pod, 'MemoryMediumOnDisk', `emptyDir "${volume.name}" with medium Memory is on disk: tmpfs could not be mounted (${why})`)
    }
    await chmod(dir, 0o777) // upstream's emptyDir mode, whatever the umask
  }

  async function setUpVolume(state: PodState, volume: Cached<Volume>): Promise<void> {
    const uid = state.pod.metadata?.uid ?? ''
    const kind = kindOf(volume)
    if (!kind) {
      await locate(state.pod, volume, true) // hostPath checks, claims bound: nothing to create
      return
    }
    const dir = pluginPath(uid, kind, volume.name)
    const fresh = !state.ready.has(volume.name)
    if (kind === 'emptyDir') {
      if (fresh) await setUpEmptyDir(state, volume, dir)
    } else {
      await mkdir(dir, { recursive: true, mode: 0o755 })
      // Upstream keeps secrets (and projected tokens) in memory, never on disk; where tmpfs
      // cannot be mounted they are written to disk like configMaps.
      if (fresh && (kind === 'secret' || kind === 'projected') && !await isMountPoint(dir)) await mountTmpfs(dir, undefined, 0o755)
      await project(state, volume, dir)
    }
    const fsGroup = state.pod.spec?.securityContext?.fsGroup
    if (fresh && fsGroup !== undefined) {
      const why = await setVolumeOwnership(dir, fsGroup, kind !== 'emptyDir')
      if (why) opts.warn?.(state.pod, 'FSGroupNotApplied', `volume "${volume.name}": fsGroup ${fsGroup} not applied: ${why}`)
    }
    state.ready.add(volume.name)
  }

  async function refresh(state: PodState): Promise<void> {
    const uid = state.pod.metadata?.uid ?? ''
    if (pods.get(uid) !== state) return // torn down while this pass waited for the lock
    for (const volume of state.pod.spec?.volumes ?? []) {
      if (!isProjectedKind(volume) || !state.ready.has(volume.name)) continue
      try {
        await project(state, volume, pluginPath(uid, kindOf(volume)!, volume.name))
      } catch (err) {
        // The files already there stay: a deleted ConfigMap does not empty a running pod's volume.
        opts.warn?.(state.pod, 'FailedMount', new VolumeMountError(volume.name, message(err)).message)
      }
    }
  }

  let syncing = false
  const timer = setInterval(async () => {
    if (syncing) return // a slow pass is not stacked on by the next tick
    syncing = true
    try {
      await Promise.all([...pods.values()].map((s) => serialise(s, () => refresh(s)))).catch(() => {})
    } finally {
      syncing = false
    }
  }, opts.syncPeriodMs ?? 1000)
  timer.unref()

  return {
    async setUpPod(pod, facts) {
      const uid = pod.metadata?.uid
      if (!uid) throw new VolumeSetupError('pod has no uid')
      let state = pods.get(uid)
      if (!state) {
        state = { pod, facts, ready: new Set(), tokens: new Map(), lock: Promise.resolve() }
        pods.set(uid, state)
      }
      const s = state
      await serialise(s, async () => {
        s.pod = pod // the newest pod: downwardAPI files follow label and annotation changes
        s.facts = facts
        await mkdir(volumesDir(uid), { recursive: true, mode: 0o750 })
        let first: VolumeMountError | undefined
        for (const volume of pod.spec?.volumes ?? []) {
          try {
            await setUpVolume(s, volume)
          } catch (err) {
            first ??= new VolumeMountError(volume.name, message(err))
          }
        }
        if (first) throw first
      })
    },

    async containerMounts(pod: Cached<Pod>, container: Cached<Container>, env?: Array<[string, string]>): Promise<Mount[]> {
      const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]))
      return mountsFor(container, async (name) => {
        const volume = volumes.get(name)
        if (!volume) return undefined
        try {
          return await locate(pod, volume, false)
        } catch (err) {
          throw new VolumeMountError(name, message(err))
        }
      }, env)
    },

    async tearDownPod(podUid) {
      const state = pods.get(podUid)
      pods.delete(podUid)
      const work = async () => {
        const dir = volumesDir(podUid)
        await unmountAll(dir) // throws if a mount stays: removing through it could reach foreign data
        await rm(dir, { recursive: true, force: true })
      }
      await (state ? serialise(state, work) : work())
    },

    stop() {
      clearInterval(timer)
    },
  }
}
