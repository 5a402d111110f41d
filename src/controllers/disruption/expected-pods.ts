/**
 * @module
 * How many pods a PodDisruptionBudget expects, and how many must stay healthy. An integer
 * minAvailable counts the selected pods; a percentage, or any maxUnavailable, is taken of the
 * pods' controllers' desired scale (so a budget still protects while pods are missing).
 */
// Upstream: pkg/controller/disruption/disruption.go (getExpectedPodCount, getExpectedScale,
// finders, getPodReplicationController, getPodDeployment, getPodReplicaSet,
// getPodStatefulSet, getScaleController) and apimachinery's GetScaledValueFromIntOrPercent.
import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js'
import type { Pod, ReplicationController } from 'kubernetes-types/core/v1.js'
import type { OwnerReference } from 'kubernetes-types/meta/v1.js'
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js'
import { isNotFound, parseApiVersion, type Cached } from '../../api/index.js'
import type { Client, Informers } from '../../client/index.js'
import { getScale } from '../podautoscaler/index.js'

type Ref = Cached<OwnerReference>
type Found = { uid: string; scale: number } | undefined
type Finder = (ref: Ref, namespace: string) => Promise<Found> | Found

/** `5`, or `"50%"` of `total` rounded up; throws upstream's error for anything else. */
export function scaledValue(v: number | string | undefined | null, total: number): number {
  if (v === undefined || v === null) throw new Error('nil value for IntOrString')
  if (typeof v === 'number') return v
  if (!v.endsWith('%')) throw new Error('invalid value for IntOrString: invalid type: string is not a percentage')
  const n = Number(v.slice(0, -1))
  if (!/^[+-]?\d+$/.test(v.slice(0, -1))) throw new Error(`invalid value for IntOrString: invalid value "${v}": strconv.Atoi: parsing "${v.slice(0, -1)}": invalid syntax`)
  return Math.ceil((n * total) / 100)
}

const inGroups = (ref: Ref, kind: string, groups: string[]) =>
  ref.kind === kind && groups.includes(parseApiVersion(ref.apiVersion).group)

/** The finders, in upstream's order: the first that recognises a pod's controller wins. */
export function controllerFinders(informers: Informers, client: Client): Finder[] {
  const rcs = informers.of<ReplicationController>('v1', 'ReplicationController')
  const rss = informers.of<ReplicaSet>('apps/v1', 'ReplicaSet')
  const deployments = informers.of<Deployment>('apps/v1', 'Deployment')
  const sets = informers.of<StatefulSet>('apps/v1', 'StatefulSet')
  const key = (ns: string, name: string) => `${ns}/${name}`
  const ownReplicaSet = (ref: Ref, ns: string) => {
    if (!inGroups(ref, 'ReplicaSet', ['apps', 'extensions'])) return undefined
    const rs = rss.get(key(ns, ref.name))
    return rs?.metadata?.uid === ref.uid ? rs : undefined
  }
  const controllerOf = (obj: { metadata?: Cached<{ ownerReferences?: OwnerReference[] }> }) =>
    obj.metadata?.ownerReferences?.find((r) => r.controller === true)
  return [
    (ref, ns) => {
      if (!inGroups(ref, 'ReplicationController', [''])) return undefined
      const rc = rcs.get(key(ns, ref.name))
      return rc?.metadata?.uid === ref.uid ? { uid: ref.uid, scale: rc.spec?.replicas ?? 1 } : undefined
    },
    (ref, ns) => {
      const rs = ownReplicaSet(ref, ns)
      const owner = rs && controllerOf(rs)
      if (!owner || !inGroups(owner, 'Deployment', ['apps', 'extensions'])) return undefined
      const d = deployments.get(key(ns, owner.name))
      return d?.metadata?.uid === owner.uid ? { uid: owner.uid, scale: d.spec?.replicas ?? 1 } : undefined
    },
    (ref, ns) => {
      const rs = ownReplicaSet(ref, ns)
      // A ReplicaSet a Deployment controls is counted through the Deployment.
      if (!rs || controllerOf(rs)?.kind === 'Deployment') return undefined
      return { uid: ref.uid, scale: rs.spec?.replicas ?? 1 }
    },
    (ref, ns) => {
      if (!inGroups(ref, 'StatefulSet', ['apps'])) return undefined
      const ss = sets.get(key(ns, ref.name))
      return ss?.metadata?.uid === ref.uid ? { uid: ref.uid, scale: ss.spec?.replicas ?? 1 } : undefined
    },
    // Any other controller that serves the scale subresource.
    async (ref, ns) => {
      try {
        const scale = await getScale(client, ref, ns)
        return scale.metadata?.uid === ref.uid ? { uid: ref.uid, scale: scale.spec?.replicas ?? 0 } : undefined
      } catch (err) {
        if (isNotFound(err)) return undefined
        throw err
      }
    },
  ]
}

/** The sum of the desired scale of every controller of `pods`; names the pods without one. */
async function expectedScale(pods: readonly Cached<Pod>[], finders: Finder[]): Promise<{ expected: number; unmanaged: string[] }> {
  const scales = new Map<string, number>()
  const unmanaged: string[] = []
  for (const pod of pods) {
    const ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true)
    if (!ref) {
      unmanaged.push(pod.metadata?.name ?? '')
      continue
    }
    if (scales.has(ref.uid)) continue
    let found: Found
    for (const find of finders) if ((found = await find(ref, pod.metadata?.namespace ?? ''))) break
    if (!found) throw new Error(`found no controllers for pod "${pod.metadata?.name}"`)
    scales.set(found.uid, found.scale)
  }
  return { expected: [...scales.values()].reduce((a, b) => a + b, 0), unmanaged }
}

/** expectedPods, desiredHealthy, and the selected pods no controller manages. */
export async function expectedPodCount(pdb: Cached<PodDisruptionBudget>, pods: readonly Cached<Pod>[], finders: Finder[]) {
  const spec = pdb.spec ?? {}
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const { expected, unmanaged } = await expectedScale(pods, finders)
    return { expected, desiredHealthy: Math.max(0, expected - scaledValue(spec.maxUnavailable, expected)), unmanaged }
  }
  if (typeof spec.minAvailable === 'number') return { expected: pods.length, desiredHealthy: spec.minAvailable, unmanaged: [] }
  if (typeof spec.minAvailable === 'string') {
    const { expected, unmanaged } = await expectedScale(pods, finders)
    return { expected, desiredHealthy: scaledValue(spec.minAvailable, expected), unmanaged }
  }
  return { expected: 0, desiredHealthy: 0, unmanaged: [] }
}
