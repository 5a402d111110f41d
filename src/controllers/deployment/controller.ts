/**
 * @module
 * The Deployment controller: rolls a Deployment's pod template out through one ReplicaSet
 * per template, keeping revisions, history and progress conditions as kubectl expects.
 */
// Upstream: pkg/controller/deployment/deployment_controller.go (NewDeploymentController's
// handlers, syncDeployment, getReplicaSetsForDeployment, getPodMapForDeployment,
// getDeploymentsForReplicaSet, resolveControllerRef).
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { LabelSelector as MetaLabelSelector } from 'kubernetes-types/meta/v1.js'
import { controllerOf, copy, keyOf, labelSelectorFromMeta, semanticEqual, type Cached, type KubeObject } from '../../api/index.js'
import type { Controller, ControllerContext, InformerEvent, SyncResult } from '../../client/types.js'
import { claimObjects, recheckDeletion } from '../util/index.js'
import type { PodMap } from './recreate.js'
import type { SyncState } from './state.js'
import { refuseSelectingAll, syncDeployment } from './sync.js'
import type { D, RS } from './util.js'

const DEPLOYMENT = { apiVersion: 'apps/v1', kind: 'Deployment' }
const REPLICA_SET = { apiVersion: 'apps/v1', kind: 'ReplicaSet' }

/** The Deployment controller (kube-controller-manager's "deployment" loop). */
export function deploymentController(ctx: ControllerContext): Controller {
  const deployments = ctx.informers.of<Deployment>(DEPLOYMENT.apiVersion, DEPLOYMENT.kind)
  const replicaSets = ctx.informers.of<ReplicaSet>(REPLICA_SET.apiVersion, REPLICA_SET.kind)
  const pods = ctx.informers.of<Pod>('v1', 'Pod')
  const recorder = ctx.recorder('deployment-controller')

  /** The Deployment a controller reference names, if it exists with that uid. */
  const resolve = (obj: Cached<KubeObject>): Cached<Deployment> | undefined => {
    const ref = controllerOf(obj)
    if (ref?.kind !== DEPLOYMENT.kind) return undefined
    const d = deployments.get(keyOf({ metadata: { namespace: obj.metadata?.namespace, name: ref.name } }))
    return d?.metadata?.uid === ref.uid ? d : undefined
  }
  /** Deployments that could adopt an orphan ReplicaSet; an empty selector matches nothing here. */
  const selecting = (rs: Cached<ReplicaSet>): string[] => deployments.list(rs.metadata?.namespace ?? '').filter((d) => {
    const sel = d.spec?.selector
    if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !sel.matchExpressions?.length)) return false
    try {
      return labelSelectorFromMeta(sel as MetaLabelSelector).matches(rs.metadata?.labels)
    } catch {
      return false
    }
  }).map((d) => keyOf(d))
  const ownerKeys = (rs: Cached<ReplicaSet>) => {
    const d = resolve(rs as Cached<KubeObject>)
    return d ? [keyOf(d)] : []
  }

  function onReplicaSet(ev: InformerEvent<ReplicaSet>): string[] {
    const rs = ev.obj
    if (ev.type === 'delete' || (ev.type === 'add' && rs.metadata?.deletionTimestamp)) return ownerKeys(rs)
    if (ev.type === 'add') return controllerOf(rs as Cached<KubeObject>) ? ownerKeys(rs) : selecting(rs)
    if (rs.metadata?.resourceVersion === ev.old.metadata?.resourceVersion) return []
    const cur = controllerOf(rs as Cached<KubeObject>)
    const old = controllerOf(ev.old as Cached<KubeObject>)
    const refChanged = !semanticEqual(cur, old)
    const keys: string[] = refChanged && old ? ownerKeys(ev.old) : []
    if (cur) return [...keys, ...ownerKeys(rs)]
    if (refChanged || !semanticEqual(rs.metadata?.labels, ev.old.metadata?.labels)) keys.push(...selecting(rs))
    return keys
  }

  // A Recreate rollout waits for the old pods to be gone; their deletion is its cue.
  function onPod(ev: InformerEvent<Pod>): string[] {
    if (ev.type !== 'delete') return []
    const ref = controllerOf(ev.obj as Cached<KubeObject>)
    if (ref?.kind !== REPLICA_SET.kind) return []
    const rs = replicaSets.get(keyOf({ metadata: { namespace: ev.obj.metadata?.namespace, name: ref.name } }))
    const d = rs && rs.metadata?.uid === ref.uid ? resolve(rs as Cached<KubeObject>) : undefined
    return d?.spec?.strategy?.type === 'Recreate' ? [keyOf(d)] : []
  }

  async function sync(key: string): Promise<SyncResult> {
    const cached = deployments.get(key)
    if (!cached) return
    const d = copy(cached) as D
    Object.assign(d, DEPLOYMENT) // events and owner references need the kind
    const s: SyncState = { client: ctx.client, recorder, now: ctx.now, d, rsList: [] }
    const sel = d.spec?.selector
    if (sel && !Object.keys(sel.matchLabels ?? {}).length && !sel.matchExpressions?.length) {
      await refuseSelectingAll(s)
      return
    }
    let selector
    try {
      selector = labelSelectorFromMeta(sel)
    } catch (err) {
      throw new Error(`deployment ${key} has invalid label selector: ${err instanceof Error ? err.message : err}`)
    }
    // Claim: adopt orphan ReplicaSets the selector matches, release owned ones it no longer does.
    s.rsList = await claimObjects(replicaSets.list(d.metadata?.namespace ?? ''), {
      client: ctx.client, owner: d as Cached<KubeObject>, kind: REPLICA_SET, selector,
      canAdopt: recheckDeletion(ctx.client, d as Cached<KubeObject>),
    }) as RS[]
    // Pods by owning RS, inactive ones included: Recreate must see old pods still shutting down.
    const uids = new Set(s.rsList.map((rs) => rs.metadata?.uid))
    const podMap: PodMap = new Map([...uids].map((u) => [u!, []]))
    for (const p of pods.list(d.metadata?.namespace ?? '')) {
      const ref = controllerOf(p as Cached<KubeObject>)
      if (ref && uids.has(ref.uid) && selector.matches(p.metadata?.labels)) podMap.get(ref.uid)!.push(p)
    }
    await syncDeployment(s, podMap)
    return s.requeueAfterMs === undefined ? undefined : { requeueAfterMs: s.requeueAfterMs }
  }

  return {
    name: 'deployment-controller',
    triggers: [deployments.on((ev) => [keyOf(ev.obj)]), replicaSets.on(onReplicaSet), pods.on(onPod)],
    sync,
  }
}
