/**
 * @module
 * The proxy's reconcile loop (upstream: kube-proxy's syncProxyRules): watches Services and
 * EndpointSlices, recomputes only the Services an event touched, and hands the difference to
 * the data path in one batch. Events that arrive while a sync runs are folded into the next,
 * so a burst of changes costs one `nft` transaction, not one per event.
 */
import type { Service } from 'kubernetes-types/core/v1.js'
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js'
import type { Informers } from '../../client/index.js'
import {
  isEmptyDiff, samePort, servicePorts, sliceServiceKey,
  type ProxyBackend, type ServicePort, type ServiceTable, type ServiceTableDiff,
} from './service-table.js'

/** KUBELITE_DEBUG=proxy logs every sync with its size and time. */
const DEBUG = (process.env.KUBELITE_DEBUG ?? '').split(',').includes('proxy')

export type ProxierOptions = {
  informers: Informers
  backends: ProxyBackend[]
  nodeName?: string
  /** Rewrites a Service's entries before they are programmed (the `kubernetes` Service's relay). */
  override?: (sp: ServicePort) => ServicePort
  log?: (msg: string) => void
}

export type Proxier = {
  /** The current table (shared: read, don't change). */
  readonly table: ServiceTable
  /** Called after each applied sync with what changed. */
  onSync(fn: (diff: ServiceTableDiff, table: ServiceTable) => void): () => void
  /** Resolves once the first full sync has been applied. */
  readonly ready: Promise<void>
  stop(): Promise<void>
}

export function startProxier(opts: ProxierOptions): Proxier {
  const services = opts.informers.of<Service>('v1', 'Service')
  const slices = opts.informers.of<EndpointSlice>('discovery.k8s.io/v1', 'EndpointSlice')
  const SLICES_BY_SERVICE = 'proxier:service'
  slices.addIndex(SLICES_BY_SERVICE, (s) => { const k = sliceServiceKey(s); return k ? [k] : [] })

  const table: ServiceTable = new Map()
  /** Service key → the ids of its entries in `table`. */
  const idsOf = new Map<string, string[]>()
  const dirty = new Set<string>()
  const listeners = new Set<(diff: ServiceTableDiff, table: ServiceTable) => void>()
  let running: Promise<void> | undefined
  let stopped = false
  let synced = false
  let resolveReady!: () => void
  const ready = new Promise<void>((r) => { resolveReady = r })

  const markService = (key: string) => { dirty.add(key); schedule() }
  const unsubscribe = [
    services.subscribe((ev) => markService(`${ev.obj.metadata?.namespace ?? ''}/${ev.obj.metadata?.name ?? ''}`)),
    slices.subscribe((ev) => {
      for (const s of ev.type === 'update' ? [ev.old, ev.obj] : [ev.obj]) {
        const k = sliceServiceKey(s)
        if (k) markService(k)
      }
    }),
  ]

  function schedule() {
    if (running || stopped) return
    // setImmediate: the rest of an informer burst is already queued; take it in the same sync.
    running = new Promise<void>((resolve) => setImmediate(resolve)).then(syncOnce).finally(() => {
      running = undefined
      if ((dirty.size || !synced) && !stopped) schedule()
    })
  }

  function computeDiff(): ServiceTableDiff {
    const diff: ServiceTableDiff = { added: [], removed: [], changed: [] }
    const keys = [...dirty]
    dirty.clear()
    for (const key of keys) {
      const svc = services.get(key)
      const entries = svc ? servicePorts(svc, slices.byIndex(SLICES_BY_SERVICE, key), opts.nodeName) : []
      const next = new Map(entries.map((sp) => {
        const e = opts.override ? opts.override(sp) : sp
        return [e.id, e] as const
      }))
      for (const id of idsOf.get(key) ?? []) {
        if (!next.has(id)) {
          const old = table.get(id)
          if (old) diff.removed.push(old)
          table.delete(id)
        }
      }
      for (const [id, sp] of next) {
        const old = table.get(id)
        if (!old) diff.added.push(sp)
        else if (!samePort(old, sp)) diff.changed.push({ old, cur: sp })
        table.set(id, sp)
      }
      if (next.size) idsOf.set(key, [...next.keys()])
      else idsOf.delete(key)
    }
    return diff
  }

  async function syncOnce() {
    if (!services.hasSynced() || !slices.hasSynced()) {
      // Before both caches are full a diff would program half a table; wait and retry.
      await new Promise((r) => setTimeout(r, 20))
      return
    }
    const diff = computeDiff()
    if (!isEmptyDiff(diff)) {
      for (const b of opts.backends) {
        const t0 = performance.now()
        try {
          await b.sync(diff, table)
          if (DEBUG) opts.log?.(`proxy (${b.name}): +${diff.added.length} ~${diff.changed.length} -${diff.removed.length} in ${(performance.now() - t0).toFixed(1)} ms`)
        } catch (err) {
          opts.log?.(`proxy (${b.name}): sync failed: ${(err as Error).message}`)
        }
      }
      for (const fn of listeners) fn(diff, table)
    }
    synced = true
    resolveReady()
  }

  // Everything cached so far is dirty at start (subscribe replays adds), so one sync covers it.
  schedule()
  return {
    table,
    onSync(fn) { listeners.add(fn); return () => listeners.delete(fn) },
    ready,
    async stop() {
      stopped = true
      for (const u of unsubscribe) u()
      await running
      for (const b of opts.backends) await b.close().catch(() => {})
    },
  }
}
