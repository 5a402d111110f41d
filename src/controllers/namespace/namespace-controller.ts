/**
 * @module
 * The namespace controller: a deleted namespace turns Terminating, its content is deleted,
 * and once nothing is left its `kubernetes` finalizer is removed, so the API server lets the
 * namespace itself go.
 */
// Upstream: pkg/controller/namespace/namespace_controller.go (syncNamespaceFromKey, the
// estimate/2+1 requeue) and deletion/namespaced_resources_deleter.go (Delete,
// updateNamespaceStatusFunc, finalizeNamespace).
import type { Namespace } from 'kubernetes-types/core/v1.js'
import { copy, isConflict, isNotFound, type KubeObject } from '../../api/index.js'
import type { Client, Controller, ControllerContext, WriteOptions } from '../../client/index.js'
import { rfc3339 } from '../util/index.js'
import { nextConditions, type DeletionReport } from './conditions.js'
import { deleteAllContent } from './content.js'
import { discoverNamespacedResources, type Discovered } from './discovery.js'

/** The token this controller owns in spec.finalizers. */
export const KUBERNETES_FINALIZER = 'kubernetes'
const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace' }
/** How long one discovery answer is trusted (upstream's cached discovery client resets too). */
const DISCOVERY_TTL_MS = 30_000

type Ns = Namespace & KubeObject

export type NamespaceControllerOptions = {
  /** Where the namespaced resources come from (default: the server's discovery documents). */
  discover?: (client: Client, signal?: AbortSignal) => Promise<Discovered>
}

/** PUT namespaces/{name}/finalize with the `kubernetes` token removed. */
async function finalizeNamespace(client: Client, ns: Ns, signal?: AbortSignal): Promise<Ns> {
  const body = copy(ns) as Ns
  body.spec = { ...body.spec, finalizers: [...new Set(body.spec?.finalizers ?? [])].filter((f) => f !== KUBERNETES_FINALIZER).sort() }
  // The Client's update takes the subresource as the lead's client change will (see the
  // report); until then a plain PUT would silently keep the finalizer, which is caught below.
  const opts: WriteOptions & { subresource: string } = { subresource: 'finalize', signal }
  const out = await client.update<Ns>(body, opts)
  if (out.spec?.finalizers?.includes(KUBERNETES_FINALIZER)) {
    throw new Error(`namespace ${ns.metadata?.name}: the finalize write kept the "${KUBERNETES_FINALIZER}" finalizer; the client must PUT .../finalize`)
  }
  return out
}

/** The namespace controller. */
export function namespaceController(ctx: ControllerContext, opts: NamespaceControllerOptions = {}): Controller {
  const { client } = ctx
  const namespaces = ctx.informers.of<Ns>('v1', 'Namespace')
  const discover = opts.discover ?? discoverNamespacedResources
  let discovered: { atMs: number; value: Discovered } | undefined

  async function resources(signal?: AbortSignal): Promise<Discovered> {
    if (discovered && ctx.now() - discovered.atMs < DISCOVERY_TTL_MS) return discovered.value
    let value: Discovered
    try {
      value = await discover(client, signal)
    } catch (err) {
      // Discovery errors are not fatal: nothing found means nothing deleted, and no finalize.
      return { resources: [], error: { message: (err as Error).message, failedGroups: 0 } }
    }
    if (!value.error) discovered = { atMs: ctx.now(), value }
    return value
  }

  /** Writes `change` into the live namespace's status, re-reading on conflicts. */
  async function updateStatus(ns: Ns, change: (n: Ns) => boolean, signal?: AbortSignal): Promise<Ns | undefined> {
    let cur = ns
    for (let attempt = 1; ; attempt++) {
      const next = copy(cur) as Ns
      if (!change(next)) return cur
      try {
        return await client.updateStatus(next, { signal })
      } catch (err) {
        if (isNotFound(err)) return undefined
        if (!isConflict(err) || attempt >= 5) throw err
        cur = await client.get<Ns>(NAMESPACE, ns.metadata?.name ?? '', undefined, { signal })
        if (cur.metadata?.uid !== ns.metadata?.uid) throw new Error('namespace uid has changed across retries')
      }
    }
  }

  return {
    name: 'namespace',
    triggers: [namespaces.on((ev) => (ev.type !== 'delete' && ev.obj.metadata?.deletionTimestamp ? [ev.obj.metadata.name ?? ''] : []))],
    async sync(name, signal) {
      if (!namespaces.get(name)?.metadata?.deletionTimestamp) return
      // Several parties edit a terminating namespace: work from its latest state.
      let ns: Ns | undefined
      try {
        ns = await client.get<Ns>(NAMESPACE, name, undefined, { signal })
      } catch (err) {
        if (isNotFound(err)) return
        throw err
      }
      if (!ns.metadata?.deletionTimestamp) return
      ns = await updateStatus(ns, (n) => {
        if (n.status?.phase === 'Terminating') return false
        n.status = { ...n.status, phase: 'Terminating' }
        return true
      }, signal)
      if (!ns?.metadata?.deletionTimestamp) return

      const found = await resources(signal)
      const deletedAtMs = Date.parse(ns.metadata.deletionTimestamp)
      const { estimateSeconds, report } = await deleteAllContent(client, found.resources, name, deletedAtMs, ctx.now(), signal)
      if (found.error) report.discoveryError = found.error
      ns = (await writeConditions(ns, report, signal)) ?? ns

      if (found.error) throw new Error(found.error.message)
      if (report.contentErrors.length) throw new Error(report.contentErrors.join(', '))
      // Some content is still going (pods in their grace period, finalizers): look again
      // in about half the estimate, as upstream does.
      if (estimateSeconds > 0) return { requeueAfterMs: (Math.floor(estimateSeconds / 2) + 1) * 1000 }
      for (let attempt = 1; ; attempt++) {
        try {
          await finalizeNamespace(client, ns, signal)
          return
        } catch (err) {
          if (isNotFound(err)) return // already gone: another finalizer finished the job
          if (!isConflict(err) || attempt >= 5) throw err
          ns = await client.get<Ns>(NAMESPACE, name, undefined, { signal })
        }
      }
    },
  }

  /** The namespace after the write, or undefined when it could not be written. */
  async function writeConditions(ns: Ns, report: DeletionReport, signal?: AbortSignal): Promise<Ns | undefined> {
    const now = rfc3339(ctx.now())
    try {
      return await updateStatus(ns, (n) => {
        const next = nextConditions(n.status?.conditions, report, now)
        if (next) n.status = { ...n.status, conditions: next }
        return !!next
      }, signal)
    } catch {
      // Conditions are informative; the deletion itself goes on (upstream only logs this).
      return undefined
    }
  }
}
