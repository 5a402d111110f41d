/**
 * @module
 * VolumeBinding: a pod's PersistentVolumeClaims must exist; bound claims pin the pod to
 * nodes their PV can reach; WaitForFirstConsumer claims are matched to a PV or a
 * provisioner per node, and once a node is chosen PreBind binds the PV (or asks the
 * provisioner via the selected-node annotation) and waits until every claim is bound.
 */
// Upstream: pkg/scheduler/framework/plugins/volumebinding/volume_binding.go (PreFilter,
// Filter, Reserve, Unreserve, PreBind) and binder.go (BindPodVolumes, checkBindings).
// Storage capacity (CSIStorageCapacity) and CSI volume limits are not checked.
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js'
import type { StorageClass } from 'kubernetes-types/storage/v1.js'
import type { Cached } from '../../../api/index.js'
import type { Client, Informers } from '../../../client/types.js'
import {
  failure, skip, success, unresolvable, type CycleState, type FilterPlugin, type PreBindPlugin, type PreFilterPlugin,
  type ReservePlugin, type Status,
} from '../../framework/types.js'
import { canProvision, claimClass, findMatchingVolume, pvFitsNode } from './matching.js'
import { waitForClaimsBound } from './wait.js'

const NAME = 'VolumeBinding'
export const ERR_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind"
export const ERR_NODE_CONFLICT = 'node(s) had volume node affinity conflict'
export const ERR_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)'
export const SELECTED_NODE = 'volume.kubernetes.io/selected-node'
const BIND_TIMEOUT_MS = 600_000

type PVC = Cached<PersistentVolumeClaim>
type Decision = { binds: { pvc: PVC; pv: Cached<PersistentVolume> }[]; provisions: PVC[] }
type State = { bound: PVC[]; delayed: PVC[]; byNode: Map<string, Decision>; chosen?: Decision }

export function volumeBinding(informers: Informers, client: Client, opts: { bindTimeoutMs?: number } = {}) {
  const pvcs = informers.of<PersistentVolumeClaim>('v1', 'PersistentVolumeClaim')
  const pvs = informers.of<PersistentVolume>('v1', 'PersistentVolume')
  const classes = informers.of<StorageClass>('storage.k8s.io/v1', 'StorageClass')
  /** PVs promised to a claim of a pod still being bound: no other pod may take them. */
  const assumed = new Map<string, string>()
  const claimKey = (pvc: PVC) => `${pvc.metadata?.namespace}/${pvc.metadata?.name}`

  function preFilter(state: CycleState, pod: Cached<Pod>): Status {
    const vols = (pod.spec?.volumes ?? []).filter((v) => v.persistentVolumeClaim || v.ephemeral)
    if (!vols.length) return skip
    const ns = pod.metadata?.namespace ?? ''
    const s: State = { bound: [], delayed: [], byNode: new Map() }
    let immediate = false
    for (const v of vols) {
      const name = v.persistentVolumeClaim?.claimName ?? `${pod.metadata?.name}-${v.name}`
      const pvc = pvcs.get(`${ns}/${name}`)
      if (!pvc) return unresolvable(`persistentvolumeclaim "${name}" not found`)
      if (pvc.metadata?.deletionTimestamp) return unresolvable(`persistentvolumeclaim "${name}" is being deleted`)
      if (v.ephemeral && !pvc.metadata?.ownerReferences?.some((o) => o.controller && o.uid === pod.metadata?.uid)) {
        return unresolvable(`PVC ${ns}/${name} was not created for pod ${ns}/${pod.metadata?.name} (pod is not owner)`)
      }
      if (pvc.spec?.volumeName) s.bound.push(pvc)
      else if (classes.get(claimClass(pvc))?.volumeBindingMode === 'WaitForFirstConsumer') s.delayed.push(pvc)
      else immediate = true
    }
    if (immediate) return unresolvable('pod has unbound immediate PersistentVolumeClaims')
    state.data.set(NAME, s)
    return success
  }

  function filter(state: CycleState, _pod: Cached<Pod>, node: Parameters<FilterPlugin['filter']>[2]): Status {
    const s = state.data.get(NAME) as State | undefined
    if (!s) return success
    const reasons = new Set<string>()
    for (const pvc of s.bound) {
      const pv = pvs.get(pvc.spec?.volumeName ?? '')
      if (!pv) reasons.add(ERR_PV_NOT_EXIST)
      else if (!pvFitsNode(pv, node)) reasons.add(ERR_NODE_CONFLICT)
    }
    const decision: Decision = { binds: [], provisions: [] }
    if (s.delayed.length && !reasons.size) {
      const all = pvs.list()
      const taken = new Set(assumed.keys())
      for (const pvc of s.delayed) {
        const pv = findMatchingVolume(pvc, all, node, taken)
        if (pv) {
          taken.add(pv.metadata?.name ?? '')
          decision.binds.push({ pvc, pv })
        } else if (canProvision(classes.get(claimClass(pvc)), node)) decision.provisions.push(pvc)
        else reasons.add(ERR_BIND_CONFLICT)
      }
    }
    if (reasons.size) return unresolvable(...reasons)
    s.byNode.set(node.name, decision)
    return success
  }

  return {
    name: NAME,
    preFilter,
    filter,
    reserve(state, _pod, nodeName) {
      const s = state.data.get(NAME) as State | undefined
      const d = s?.byNode.get(nodeName)
      if (!s || !d) return success
      for (const { pvc, pv } of d.binds) {
        const owner = assumed.get(pv.metadata?.name ?? '')
        if (owner && owner !== claimKey(pvc)) return unresolvable(ERR_BIND_CONFLICT)
      }
      for (const { pvc, pv } of d.binds) assumed.set(pv.metadata?.name ?? '', claimKey(pvc))
      s.chosen = d
      return success
    },
    unreserve(state) {
      const s = state.data.get(NAME) as State | undefined
      for (const { pv } of s?.chosen?.binds ?? []) assumed.delete(pv.metadata?.name ?? '')
    },
    async preBind(state, pod, nodeName, signal) {
      const s = state.data.get(NAME) as State | undefined
      const d = s?.chosen
      if (!s || !d || (!d.binds.length && !d.provisions.length)) return success
      try {
        for (const { pvc, pv } of d.binds) {
          await client.patch({ apiVersion: 'v1', kind: 'PersistentVolume' }, pv.metadata?.name ?? '', undefined, {
            metadata: { annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } },
            spec: { claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: pvc.metadata?.namespace,
              name: pvc.metadata?.name, uid: pvc.metadata?.uid, resourceVersion: pvc.metadata?.resourceVersion } },
          }, { type: 'merge', signal })
        }
        for (const pvc of d.provisions) {
          await client.patch({ apiVersion: 'v1', kind: 'PersistentVolumeClaim' }, pvc.metadata?.name ?? '', pvc.metadata?.namespace,
            { metadata: { annotations: { [SELECTED_NODE]: nodeName } } }, { type: 'merge', signal })
        }
        const keys = [...d.binds.map((b) => claimKey(b.pvc)), ...d.provisions.map(claimKey)]
        return await waitForClaimsBound({ pvcs, pvs, keys, provisioned: new Set(d.provisions.map(claimKey)), signal,
          timeoutMs: opts.bindTimeoutMs ?? BIND_TIMEOUT_MS })
      } catch (err) {
        return failure(`binding volumes: ${(err as Error).message}`)
      } finally {
        for (const { pv } of d.binds) assumed.delete(pv.metadata?.name ?? '')
      }
    },
    events: [
      { resource: 'PersistentVolumeClaim', actions: ['Add', 'Update'] }, { resource: 'PersistentVolume', actions: ['Add', 'Update'] },
      { resource: 'StorageClass', actions: ['Add', 'Update'] }, { resource: 'Node', actions: ['Add', 'Update'] },
    ],
  } satisfies PreFilterPlugin & FilterPlugin & ReservePlugin & PreBindPlugin
}
