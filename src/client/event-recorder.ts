/**
 * @module
 * The event recorder: core/v1 Events with upstream's names and fields, correlated so that a
 * hot loop cannot flood storage — repeats patch the count of one Event, many similar events
 * collapse into one "(combined from similar events)" Event, and a per-object token bucket
 * drops the rest.
 */
// Upstream: client-go tools/record (event.go, events_cache.go: EventCorrelator with
// EventAggregator 10 similar events in 10 min, eventLogger dedupe, spam filter burst 25,
// one token per 5 min). Differences: caches are bounded maps without LRU order.
import type { Event } from 'kubernetes-types/core/v1.js'
import type { Cached, KubeObject } from '../api/index.js'
import type { Client, EventRecorder } from './types.js'

const MAX_CACHE = 4096
const AGGREGATE_MAX = 10
const AGGREGATE_WINDOW_MS = 10 * 60_000
const SPAM_BURST = 25
const SPAM_REFILL_MS = 5 * 60_000
const MAX_IN_FLIGHT = 16

/** One Event written: later repeats patch its count, after its create and coalesced. */
type Logged = { name: string; namespace: string; count: number; first: string; written: Promise<unknown>; patchQueued: boolean; last: { ts: string; msg: string } }

export type RecorderOptions = { component: string; host?: string; now?: () => number; client: Client }

/** A factory for recorders that share one correlator and write budget. */
export function eventBroadcaster(client: Client, now: () => number = Date.now) {
  const logged = new Map<string, Logged>()
  const similar = new Map<string, { messages: Set<string>; sinceMs: number }>()
  const buckets = new Map<string, { tokens: number; atMs: number }>()
  let inFlight = 0
  const backlog: (() => Promise<unknown>)[] = []

  const schedule = (write: () => Promise<unknown>) => {
    if (inFlight >= MAX_IN_FLIGHT) {
      if (backlog.length < 10_000) backlog.push(write)
      return
    }
    inFlight++
    write().catch(() => { /* events are best effort, as upstream's are */ }).finally(() => {
      inFlight--
      const next = backlog.shift()
      if (next) schedule(next)
    })
  }
  const bounded = <V>(m: Map<string, V>, key: string, v: V) => {
    if (m.size >= MAX_CACHE && !m.has(key)) m.delete(m.keys().next().value!)
    m.set(key, v)
  }
  const allow = (key: string, t: number) => {
    const b = buckets.get(key) ?? { tokens: SPAM_BURST, atMs: t }
    b.tokens = Math.min(SPAM_BURST, b.tokens + (t - b.atMs) / SPAM_REFILL_MS)
    b.atMs = t
    bounded(buckets, key, b)
    if (b.tokens < 1) return false
    b.tokens -= 1
    return true
  }

  return function recorder(component: string, host?: string): EventRecorder {
    return {
      event(obj: Cached<KubeObject>, type, reason, message, opts) {
        const t = now()
        const m = obj.metadata ?? {}
        const namespace = m.namespace || 'default'
        const fieldPath = opts?.fieldPath
        const involved = { kind: obj.kind, namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: obj.apiVersion, resourceVersion: m.resourceVersion, ...(fieldPath ? { fieldPath } : {}) }
        const objectKey = `${component}|${host ?? ''}|${obj.kind}|${m.namespace ?? ''}|${m.name}|${m.uid}`
        if (!allow(objectKey, t)) return
        // Aggregation: many distinct messages for one reason collapse into one Event.
        const aggKey = `${objectKey}|${fieldPath ?? ''}|${type}|${reason}`
        let agg = similar.get(aggKey)
        if (!agg || t - agg.sinceMs > AGGREGATE_WINDOW_MS) bounded(similar, aggKey, (agg = { messages: new Set(), sinceMs: t }))
        agg.messages.add(message)
        const msg = agg.messages.size > AGGREGATE_MAX ? `(combined from similar events): ${message}` : message
        const key = agg.messages.size > AGGREGATE_MAX ? `${aggKey}|(combined)` : `${aggKey}|${message}`
        const ts = new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z')
        const prev = logged.get(key)
        if (prev) {
          prev.count++
          prev.last = { ts, msg }
          if (prev.patchQueued) return // the queued patch will carry this count
          prev.patchQueued = true
          prev.written = prev.written.then(() => {
            prev.patchQueued = false
            return client.patch({ apiVersion: 'v1', kind: 'Event' }, prev.name, prev.namespace,
              { count: prev.count, lastTimestamp: prev.last.ts, message: prev.last.msg }, { type: 'merge' })
          }).catch(() => {})
          return
        }
        const name = `${m.name}.${(BigInt(t) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))).toString(16)}`
        const ev: Event = {
          apiVersion: 'v1', kind: 'Event',
          metadata: { name, namespace },
          involvedObject: involved,
          reason, message: msg, type,
          source: host ? { component, host } : { component },
          firstTimestamp: ts, lastTimestamp: ts, count: 1,
          reportingComponent: component, reportingInstance: host ?? '',
        }
        let created!: () => void
        const written = new Promise<unknown>((resolve) => (created = () => resolve(undefined)))
        bounded(logged, key, { name, namespace, count: 1, first: ts, written, patchQueued: false, last: { ts, msg } })
        schedule(() => client.create(ev as unknown as KubeObject).finally(created))
      },
    }
  }
}
