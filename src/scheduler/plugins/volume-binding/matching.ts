/**
 * @module
 * Which PersistentVolume an unbound claim could bind to on a node, and whether its
 * StorageClass could provision one there instead.
 */
// Upstream: pkg/scheduler/framework/plugins/volumebinding/binder.go (findMatchingVolumes,
// checkVolumeProvisions, checkBoundClaims) and component-helpers/storage/volume
// (FindMatchingVolume, CheckNodeAffinity).
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js'
import type { StorageClass } from 'kubernetes-types/storage/v1.js'
import type { LabelSelector as MetaLabelSelector } from 'kubernetes-types/meta/v1.js'
import { labelSelectorFromMeta, quantityValue, type Cached } from '../../../api/index.js'
import type { NodeInfo } from '../../framework/node-info.js'
import { compileNodeSelectorTerms } from '../helpers.js'

type PV = Cached<PersistentVolume>
type PVC = Cached<PersistentVolumeClaim>

const bytes = (q: string | number | undefined) => {
  try {
    return q === undefined ? 0 : quantityValue(String(q))
  } catch {
    return 0
  }
}

/** The claim's class: spec.storageClassName, or the beta annotation older objects carry. */
export const claimClass = (pvc: PVC) =>
  pvc.spec?.storageClassName ?? pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? ''

/** Does the PV's required node affinity admit this node? */
export function pvFitsNode(pv: PV, node: NodeInfo): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms
  return !terms || compileNodeSelectorTerms(terms)(node)
}

const boundToClaim = (pv: PV, pvc: PVC) => {
  const ref = pv.spec?.claimRef
  return !!ref && ref.name === pvc.metadata?.name && ref.namespace === pvc.metadata?.namespace &&
    (!ref.uid || ref.uid === pvc.metadata?.uid)
}

/**
 * The smallest available PV that satisfies the claim on `node` (a PV already pre-bound to
 * the claim wins outright); `taken` holds PVs promised to other claims.
 */
export function findMatchingVolume(pvc: PVC, pvs: readonly PV[], node: NodeInfo, taken: ReadonlySet<string>): PV | undefined {
  const want = bytes(pvc.spec?.resources?.requests?.storage)
  const cls = claimClass(pvc)
  const modes = pvc.spec?.accessModes ?? []
  const mode = pvc.spec?.volumeMode ?? 'Filesystem'
  let selector
  try {
    selector = pvc.spec?.selector ? labelSelectorFromMeta(pvc.spec.selector as MetaLabelSelector) : undefined
  } catch {
    return undefined
  }
  let best: PV | undefined
  let bestSize = Infinity
  for (const pv of pvs) {
    const size = bytes(pv.spec?.capacity?.storage)
    if (size < want || (pv.spec?.volumeMode ?? 'Filesystem') !== mode || pv.metadata?.deletionTimestamp) continue
    if (boundToClaim(pv, pvc)) return pvFitsNode(pv, node) ? pv : undefined
    if (pv.spec?.claimRef || taken.has(pv.metadata?.name ?? '')) continue
    if (pv.status?.phase && pv.status.phase !== 'Available') continue
    if ((pv.spec?.storageClassName ?? '') !== cls) continue
    if (selector && !selector.matches(pv.metadata?.labels)) continue
    if (!modes.every((m) => pv.spec?.accessModes?.includes(m))) continue
    if (!pvFitsNode(pv, node)) continue
    if (size < bestSize) {
      best = pv
      bestSize = size
    }
  }
  return best
}

/** Could the claim's class provision a volume reachable from `node`? */
export function canProvision(sc: Cached<StorageClass> | undefined, node: NodeInfo): boolean {
  if (!sc?.provisioner || sc.provisioner === 'kubernetes.io/no-provisioner') return false
  const terms = sc.allowedTopologies ?? []
  if (!terms.length) return true
  return terms.some((t) => (t.matchLabelExpressions ?? []).every((e) => e.values.includes(node.labels[e.key] ?? '\0')))
}
