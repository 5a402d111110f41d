/**
 * @module
 * Pod subresources: binding and eviction answered by the API server itself; log, exec,
 * attach and portforward forwarded to the node's kubelet.
 */
// Upstream: pkg/registry/core/pod/storage/storage.go (BindingREST) and eviction.go.
import type { Binding } from 'kubernetes-types/core/v1.js'
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js'
import {
  badRequest, conflict, forbidden, isConflict, labelSelectorFromMeta, serviceUnavailable, StatusError, type KubeObject,
} from '../../api/index.js'
import { readBody, sendJson } from '../http-util.js'
import { KUBELET_SOCKET_ANNOTATION, proxyKubeletGet, proxyKubeletUpgrade, upgradeOf } from '../kubelet-proxy.js'
import { decodeObjectBody } from '../negotiation.js'
import { deleteObject } from '../store/delete.js'
import type { WriteContext } from '../store/types.js'
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

/** POST pods/x/eviction: a delete that a PodDisruptionBudget may refuse (429) or must first record. */
// Upstream: pkg/registry/core/pod/storage/eviction.go (EvictionREST.Create, checkAndDecrement,
// addConditionAndDeletePod, canIgnorePDB). Conflicts retry at once: the loops re-read.
export async function handleEviction(r: ApiRequest, pdbs: () => Promise<PodDisruptionBudget[]>) {
  const eviction = await decodeObjectBody(await readBody(r.req), r.req.headers['content-type']) as KubeObject & { deleteOptions?: DeleteOptions }
  if (eviction.metadata?.name !== r.info.name) throw badRequest('name in URL does not match name in Eviction object')
  const options: DeleteOptions = eviction.deleteOptions ?? {}
  const ctx = writeContext(r)
  if (options.dryRun?.includes('All')) ctx.dryRun = true
  const presetRv = !!options.preconditions?.resourceVersion
  const withRv = (pod: KubeObject): DeleteOptions =>
    ({ ...options, preconditions: { ...options.preconditions, resourceVersion: pod.metadata?.resourceVersion } })
  const ns = r.info.namespace
  const name = r.info.name

  // A finished, pending or terminating pod disrupts nothing more: deleted without asking budgets.
  let pod: KubeObject
  for (let attempt = 1; ; attempt++) {
    pod = await r.served.store.get(ns, name)
    if (!canIgnorePDB(pod)) break
    // A pending pod might turn ready meanwhile: delete only the version we looked at.
    const enforce = !presetRv && !isFinished(pod)
    try {
      await addConditionAndDeletePod(r, ctx, enforce ? withRv(pod) : options)
      return sendJson(r.res, 201, success(201))
    } catch (err) {
      if (!isConflict(err) || presetRv || attempt >= EVICTION_RETRIES) throw err
    }
  }

  const matching = (await pdbs()).filter((b) => {
    try {
      const sel = labelSelectorFromMeta(b.spec?.selector)
      // A nil or empty selector creeping in must match nothing here, not everything.
      return b.metadata?.namespace === ns && !sel.empty && sel.matches(pod.metadata?.labels)
    } catch {
      return false
    }
  })
  if (matching.length > 1) {
    throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: '', code: 500,
      message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' })
  }
  const pdb = matching[0]
  let unhealthyOk = false
  if (pdb) {
    const st = pdb.status
    // An unready pod is not counted as healthy: removing it spends no budget, when allowed.
    if (!isReady(pod)) {
      unhealthyOk = pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' ||
        ((st?.currentHealthy ?? 0) >= (st?.desiredHealthy ?? 0) && (st?.desiredHealthy ?? 0) > 0)
    }
    if (!unhealthyOk) await checkAndDecrement(r, ctx, pdb.metadata?.name ?? '', name)
  }
  try {
    // The unready pod must still be unready when it goes: pin the version we judged.
    await addConditionAndDeletePod(r, ctx, unhealthyOk ? withRv(pod) : options)
  } catch (err) {
    if (isConflict(err) && unhealthyOk && !presetRv) throw budgetBusy(pdb?.metadata?.name ?? '')
    throw err
  }
  sendJson(r.res, 201, success(201))
}

const EVICTION_RETRIES = 20
// More evictions recorded than the disruption controller has confirmed: something is stuck.
const MAX_DISRUPTED_POD_SIZE = 2000

type DeleteOptions = { dryRun?: string[]; gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string }; [k: string]: unknown }
type PodLike = KubeObject & { status?: { phase?: string; conditions?: { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string }[] } }

const isFinished = (pod: PodLike) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' || !!pod.metadata?.deletionTimestamp
const canIgnorePDB = (pod: PodLike) => isFinished(pod) || pod.status?.phase === 'Pending'
const isReady = (pod: PodLike) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

function tooMany(message: string, cause: string, retryAfterSeconds: number) {
  return new StatusError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'TooManyRequests', code: 429, message,
    details: { causes: [{ reason: 'DisruptionBudget', message: cause }], ...(retryAfterSeconds ? { retryAfterSeconds } : {}) },
  })
}
const budgetBusy = (pdbName: string) =>
  tooMany("Cannot evict pod as it would violate the pod's disruption budget.", `The disruption budget ${pdbName} is still being processed by the server.`, 10)

/**
 * Spends one of the budget's allowed disruptions on `podName` and records it in
 * status.disruptedPods, so the disruption controller stops counting the pod as healthy.
 * Re-checked on every retry of the status write, so two evictions never spend the same one.
 */
async function checkAndDecrement(r: ApiRequest, ctx: WriteContext, pdbName: string, podName: string) {
  const store = [...r.stores()].find((s) => s.rt.group === 'policy' && s.rt.resource === 'poddisruptionbudgets')
  if (!store) throw budgetBusy(pdbName)
  const spend = (obj: KubeObject) => {
    const pdb = obj as KubeObject & PodDisruptionBudget
    const st = (pdb.status ??= { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 })
    if ((st.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) throw budgetBusy(pdbName)
    if (st.disruptionsAllowed < 0) throw forbidden(`poddisruptionbudget.policy "${pdbName}" is forbidden: pdb disruptions allowed is negative`)
    if (Object.keys(st.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
      throw forbidden(`poddisruptionbudget.policy "${pdbName}" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller`)
    }
    if (st.disruptionsAllowed === 0) {
      throw tooMany("Cannot evict pod as it would violate the pod's disruption budget.",
        `The disruption budget ${pdbName} needs ${st.desiredHealthy} healthy pods and has ${st.currentHealthy} currently`, 0)
    }
    st.disruptionsAllowed--
    if (st.disruptionsAllowed === 0) {
      // Upstream's UpdateDisruptionAllowedCondition, for the budget just used up.
      const conds = (st.conditions ??= [])
      const c = conds.find((x) => x.type === 'DisruptionAllowed')
      const next = { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '',
        ...(st.observedGeneration ? { observedGeneration: st.observedGeneration } : {}) }
      if (!c) conds.push({ ...next, lastTransitionTime: rfc3339(r.now) })
      else Object.assign(c, next, c.status !== 'False' ? { lastTransitionTime: rfc3339(r.now) } : {})
    }
    st.disruptedPods = { ...st.disruptedPods, [podName]: rfc3339(r.now) }
    // No resourceVersion: the store re-reads and re-checks if another eviction got there first.
    if (obj.metadata) delete obj.metadata.resourceVersion
    return obj
  }
  if (ctx.dryRun) {
    spend(await store.get(r.info.namespace, pdbName))
    return
  }
  await store.update(r.info.namespace, pdbName, spend, ctx, { subresource: 'status' })
}

/** Marks the pod with a DisruptionTarget condition (unless a dry run), then deletes it. */
async function addConditionAndDeletePod(r: ApiRequest, ctx: WriteContext, options: DeleteOptions) {
  const { store } = r.served
  const ns = r.info.namespace
  const name = r.info.name
  let opts = options
  if (!ctx.dryRun) {
    const { obj } = await store.update(ns, name, (cur) => {
      const pod = cur as PodLike
      const pre = options.preconditions
      const gr = { group: '', resource: 'pods' }
      if (pre?.uid && pre.uid !== pod.metadata?.uid) {
        throw conflict(gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${pod.metadata?.uid}`)
      }
      if (pre?.resourceVersion && pre.resourceVersion !== pod.metadata?.resourceVersion) {
        throw conflict(gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${pod.metadata?.resourceVersion}`)
      }
      const status = (pod.status ??= {})
      const conds = (status.conditions ??= [])
      const old = conds.find((c) => c.type === 'DisruptionTarget')
      const cond = { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting',
        lastTransitionTime: old?.status === 'True' && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(r.now) }
      if (old) Object.assign(old, cond)
      else conds.push(cond)
      // A lost race re-runs this on the newer pod (and re-checks the preconditions).
      delete pod.metadata?.resourceVersion
      return pod
    }, ctx, { subresource: 'status' })
    // We changed the pod ourselves: a pinned version must be ours now.
    if (options.preconditions?.resourceVersion) opts = { ...options, preconditions: { ...options.preconditions, resourceVersion: obj.metadata?.resourceVersion } }
  }
  await deleteObject(r.backend, store, ns, name, opts as never, ctx)
}

/**
 * log, exec, attach, portforward: checked here as upstream's LogLocation / streamLocation do,
 * then forwarded to the kubelet of the pod's node over its socket. proxy is not served yet.
 */
// Upstream: pkg/registry/core/pod/strategy.go (LogLocation, streamLocation, validateContainer,
// PortForwardLocation), pkg/registry/core/pod/rest/subresources.go.
export async function handleNodeStream(r: ApiRequest) {
  const { namespace, name, subresource = '' } = r.info
  const pod = await r.served.store.get(namespace, name) as KubeObject & { spec?: PodSpecLike }
  const q = r.query
  const kind = subresource === 'portforward' ? 'portForward' : subresource
  let container = ''
  if (kind === 'log' || kind === 'exec' || kind === 'attach') container = validateContainer(q.get('container') ?? '', name, pod.spec)
  const nodeName = pod.spec?.nodeName
  if (!nodeName) {
    // A pod not yet scheduled has no log yet: upstream answers with an empty one.
    if (kind === 'log') {
      r.res.writeHead(200, { 'Content-Type': 'text/plain' })
      return r.res.end()
    }
    throw badRequest(`pod ${name} does not have a host assigned`)
  }
  if (kind !== 'log' && kind !== 'exec' && kind !== 'attach' && kind !== 'portForward') {
    throw serviceUnavailable(`no kubelet serves node "${nodeName}" yet: pods/${subresource} needs a node agent (kubelite agent)`)
  }
  const nodes = [...r.stores()].find((s) => s.rt.group === '' && s.rt.resource === 'nodes')
  const nodeKv = nodes ? await nodes.getRaw('', nodeName) : undefined
  const socketPath = nodeKv ? nodes!.decodeShared(nodeKv).metadata?.annotations?.[KUBELET_SOCKET_ANNOTATION] : undefined
  if (!socketPath) throw serviceUnavailable(`no kubelet serves node "${nodeName}" yet: pods/${subresource} needs a node agent (kubelite agent)`)

  const base = `/${kind === 'log' ? 'containerLogs' : kind}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`
  const params = new URLSearchParams()
  if (kind === 'log') {
    for (const k of ['follow', 'previous', 'timestamps']) if (q.get(k) === 'true' || q.get(k) === '1') params.set(k, 'true')
    for (const k of ['sinceSeconds', 'sinceTime', 'tailLines', 'limitBytes']) {
      const v = q.get(k)
      if (v !== null && v !== '') params.set(k, v)
    }
    validateLogOptions(params)
    return proxyKubeletGet(socketPath, nodeName, `${base}/${encodeURIComponent(container)}?${params}`, r.req, r.res)
  }
  const conn = upgradeOf(r.req)
  if (!conn) throw badRequest('Upgrade request required')
  let path = base
  if (kind !== 'portForward') {
    const on = (k: string) => ['1', 'true'].includes((q.get(k) ?? '').toLowerCase())
    for (const k of ['stdin', 'stdout', 'stderr', 'tty']) if (on(k)) params.set(k, '1')
    if (kind === 'exec') for (const c of q.getAll('command')) params.append('command', c)
    path = `${base}/${encodeURIComponent(container)}?${params}`
  }
  return proxyKubeletUpgrade(socketPath, nodeName, path, r.req, r.res, conn)
}

type PodSpecLike = { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[]; ephemeralContainers?: { name: string }[] }

/** The container a request means: the only one when unnamed, else one the pod has. */
function validateContainer(container: string, podName: string, spec: PodSpecLike | undefined): string {
  const containers = spec?.containers ?? []
  if (!container) {
    if (containers.length === 1) return containers[0]!.name
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${podName}`)
    const all = [...(spec?.initContainers ?? []), ...containers, ...(spec?.ephemeralContainers ?? [])].map((c) => c.name)
    throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${all.join(' ')}]`)
  }
  const all = [...(spec?.initContainers ?? []), ...containers, ...(spec?.ephemeralContainers ?? [])]
  if (!all.some((c) => c.name === container)) throw badRequest(`container ${container} is not valid for pod ${podName}`)
  return container
}

/** PodLogOptions validation (upstream's ValidatePodLogOptions). */
function validateLogOptions(p: URLSearchParams) {
  const num = (k: string) => (p.has(k) ? Number(p.get(k)) : undefined)
  const tail = num('tailLines')
  if (tail !== undefined && !(tail >= 0)) throw badRequest(`PodLogOptions "" is invalid: tailLines: Invalid value: ${p.get('tailLines')}: must be greater than or equal to 0`)
  const limit = num('limitBytes')
  if (limit !== undefined && !(limit >= 1)) throw badRequest(`PodLogOptions "" is invalid: limitBytes: Invalid value: ${p.get('limitBytes')}: must be greater than 0`)
  const since = num('sinceSeconds')
  if (since !== undefined && !(since >= 1)) throw badRequest(`PodLogOptions "" is invalid: sinceSeconds: Invalid value: ${p.get('sinceSeconds')}: must be greater than 0`)
  if (p.has('sinceSeconds') && p.has('sinceTime')) throw badRequest('PodLogOptions "" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified')
}
