/**
 * @module
 * Pod subresources the API server answers itself: binding, eviction, and — until a kubelet
 * serves them — clear errors for log, exec, attach and portforward.
 */
// Upstream: pkg/registry/core/pod/storage/storage.go (BindingREST) and eviction.go.
import type { Binding } from 'kubernetes-types/core/v1.js'
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js'
import {
  badRequest, conflict, labelSelectorFromMeta, serviceUnavailable, tooManyRequests, type KubeObject,
} from '../../api/index.js'
import { readBody, sendJson } from '../http-util.js'
import { decodeObjectBody } from '../negotiation.js'
import { deleteObject } from '../store/delete.js'
import { writeContext, type ApiRequest } from './context.js'

const success = (code: number) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code })

/** POST pods/x/binding, or POST bindings with the pod's name: assigns the pod to a node. */
export async function handleBinding(r: ApiRequest, podName: string) {
  const binding = (await decodeObjectBody(await readBody(r.req), r.req.headers["content-type"])) as Binding & KubeObject
  const node = binding.target?.name
  if (!node) throw badRequest('Binding target.name is required')
  const { store } = r.served
  await store.update(r.info.namespace, podName, (pod) => {
    const spec = (pod.spec ?? {}) as { nodeName?: string }
    if (pod.metadata?.deletionTimestamp) throw conflict({ group: '', resource: 'pods/binding' }, podName, `pod ${podName} is being deleted, cannot be assigned to a host`)
    if (spec.nodeName) throw conflict({ group: '', resource: 'pods/binding' }, podName, `pod ${podName} is already assigned to node "${spec.nodeName}"`)
    spec.nodeName = node
    pod.spec = spec
    const annotations = binding.metadata?.annotations
    if (annotations) pod.metadata = { ...pod.metadata, annotations: { ...pod.metadata?.annotations, ...annotations } }
    const status = (pod.status ?? {}) as { conditions?: { type: string; status: string; lastProbeTime?: null; lastTransitionTime?: string }[] }
    const conds = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled')
    conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: new Date(r.now).toISOString().replace(/\.\d{3}Z$/, 'Z') })
    status.conditions = conds
    pod.status = status
    return pod
  }, writeContext(r), { subresource: 'binding' })
  sendJson(r.res, 201, success(201))
}

/** POST pods/x/eviction: a delete that a PodDisruptionBudget may refuse with 429. */
export async function handleEviction(r: ApiRequest, pdbs: () => Promise<PodDisruptionBudget[]>) {
  const eviction = await decodeObjectBody(await readBody(r.req), r.req.headers['content-type']) as KubeObject & { deleteOptions?: Record<string, unknown> }
  const pod = await r.served.store.get(r.info.namespace, r.info.name)
  const phase = (pod.status as { phase?: string } | undefined)?.phase
  // Finished or terminating pods disrupt nothing: upstream evicts them without asking budgets.
  if (phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp) {
    const matching = (await pdbs()).filter((b) => {
      try {
        return labelSelectorFromMeta(b.spec?.selector).matches(pod.metadata?.labels)
      } catch {
        return false
      }
    })
    if (matching.length > 1) throw serviceUnavailable('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.')
    const pdb = matching[0]
    if (pdb) {
      const st = pdb.status
      if (!st || (st.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0) || (st.disruptionsAllowed ?? 0) <= 0) {
        throw tooManyRequests(`Cannot evict pod as it would violate the pod's disruption budget.`, 10)
      }
    }
  }
  await deleteObject(r.backend, r.served.store, r.info.namespace, r.info.name, (eviction.deleteOptions ?? {}) as never, writeContext(r))
  sendJson(r.res, 201, success(201))
}

/** log, exec, attach, portforward, proxy: served by the node's kubelet, which comes later. */
export async function handleNodeStream(r: ApiRequest) {
  const pod = await r.served.store.get(r.info.namespace, r.info.name)
  const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName
  if (!node) throw badRequest(`pod ${r.info.name} does not have a host assigned`)
  throw serviceUnavailable(`no kubelet serves node "${node}" yet: pods/${r.info.subresource} needs a node agent (kubelite agent)`)
}
