/**
 * @module
 * The compact event stream `kubelite up` follows once the applications are up: one line per
 * Event as it happens (and again when a repeated one's count grows), oldest first, with the
 * object as kubectl names it — what `kubectl get events -A -w` shows, narrowed to a terminal's
 * width.
 */
import type { Event } from 'kubernetes-types/core/v1.js'
import { isStatusError } from '../../api/index.js'
import type { Client } from '../../client/index.js'

const EVENT = { apiVersion: 'v1', kind: 'Event' }

/** One line for an Event: `12:03:04  pod/web-7d4-x  Started: Started container web`. */
export function formatEvent(e: Event, now = new Date()): string {
  const when = new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? now.toISOString())
  const time = Number.isNaN(when.getTime()) ? now : when
  const hhmmss = time.toTimeString().slice(0, 8)
  const o = e.involvedObject
  const ns = o.namespace && o.namespace !== 'default' ? `${o.namespace}/` : ''
  const what = `${ns}${(o.kind ?? '').toLowerCase()}/${o.name ?? ''}`
  const warn = e.type === 'Warning' ? 'Warning ' : ''
  const count = (e.count ?? 1) > 1 ? ` (x${e.count})` : ''
  const message = (e.message ?? '').replace(/\s+/g, ' ').trim()
  return `${hhmmss}  ${warn}${what}  ${e.reason ?? ''}: ${message}${count}`
}

/**
 * Follows Events in every namespace from now until `signal` aborts, calling `print` for each
 * new or repeated one. Watches resume from the last version seen; an expired version relists
 * quietly (what was missed is not replayed).
 */
export async function followEvents(client: Client, print: (line: string) => void, signal: AbortSignal): Promise<void> {
  const seen = new Map<string, number>()
  let rv = (await client.list<Event>(EVENT, { limit: 1, signal })).metadata.resourceVersion ?? '0'
  while (!signal.aborted) {
    try {
      for await (const ev of client.watch<Event>(EVENT, { resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: 300, signal })) {
        rv = ev.object.metadata?.resourceVersion ?? rv
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue
        const uid = ev.object.metadata?.uid ?? ''
        const count = ev.object.count ?? 1
        if ((seen.get(uid) ?? 0) >= count) continue
        seen.set(uid, count)
        if (seen.size > 10_000) seen.delete(seen.keys().next().value!)
        print(formatEvent(ev.object))
      }
    } catch (err) {
      if (signal.aborted) return
      // 410: the version is too old to resume from.
      if (isStatusError(err) && err.status.code === 410) {
        rv = (await client.list<Event>(EVENT, { limit: 1, signal })).metadata.resourceVersion ?? '0'
        continue
      }
      // The server going away ends the stream; `up` notices that on its own.
      await new Promise((r) => setTimeout(r, 1000))
    }
  }
}
