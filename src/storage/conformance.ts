/**
 * @module
 * The Backend contract, executable: every backend's test file runs this suite. Each case opens
 * a fresh store, so revisions are predictable.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isStorageError, type Backend, type KeyValue, type StorageErrorCode, type WatchEvent } from './types.js'

const enc = new TextEncoder()
const dec = new TextDecoder()
const bytes = (s: string) => enc.encode(s)
const text = (v: Uint8Array | undefined) => (v === undefined ? undefined : dec.decode(v))
const P = '/registry/core/pods/'

async function rejectsWith(p: Promise<unknown>, code: StorageErrorCode) {
  await assert.rejects(p, (err) => isStorageError(err, code))
}

/** Takes events until `n` were seen (progress events skipped unless asked), then aborts. */
async function take(db: Backend, prefix: string, after: number, n: number, progress = false): Promise<WatchEvent[]> {
  const ac = new AbortController()
  const out: WatchEvent[] = []
  for await (const ev of db.watch(prefix, after, ac.signal, progress ? { progressMs: 10 } : undefined)) {
    if (ev.type === 'progress' && !progress) continue
    out.push(ev)
    if (out.length === n) ac.abort()
  }
  return out
}

const describeEvent = (ev: WatchEvent) =>
  ev.type === 'put' ? `put ${ev.kv.key}@${ev.kv.modRevision}=${text(ev.kv.value)} prev=${text(ev.prev?.value)}`
    : ev.type === 'delete' ? `delete ${ev.key}@${ev.revision} prev=${text(ev.prev.value)}` : `progress@${ev.revision}`

/** Registers the conformance suite for the backend that `open` creates. */
export function backendConformance(name: string, open: () => Promise<Backend>): void {
  describe(`storage backend conformance: ${name}`, () => {
    const withDb = (fn: (db: Backend) => Promise<void>) => async () => {
      const db = await open()
      try {
        await fn(db)
      } finally {
        await db.close()
      }
    }

    it('creates and gets, with a fresh revision per write', withDb(async (db) => {
      const r0 = db.currentRevision()
      const kv = await db.create(P + 'ns/a', bytes('v1'))
      assert.equal(kv.createRevision, r0 + 1)
      assert.equal(kv.modRevision, r0 + 1)
      assert.equal(db.currentRevision(), r0 + 1)
      const got = await db.get(P + 'ns/a')
      assert.equal(got.revision, r0 + 1)
      assert.equal(text(got.kv?.value), 'v1')
      assert.deepEqual({ ...got.kv, value: undefined }, { ...kv, value: undefined })
      assert.equal((await db.get(P + 'ns/missing')).kv, undefined)
    }))

    it('refuses to create a live key, and re-creates after a delete with a new createRevision', withDb(async (db) => {
      const first = await db.create(P + 'ns/a', bytes('v1'))
      await rejectsWith(db.create(P + 'ns/a', bytes('v2')), 'KeyExists')
      assert.equal(text((await db.get(P + 'ns/a')).kv?.value), 'v1')
      assert.equal((await db.delete(P + 'ns/a')).ok, true)
      const again = await db.create(P + 'ns/a', bytes('v3'))
      assert.ok(again.createRevision > first.createRevision)
      assert.equal(again.createRevision, again.modRevision)
    }))

    it('updates by compare-and-swap; a stale update loses and reports the winner', withDb(async (db) => {
      const kv = await db.create(P + 'ns/a', bytes('v1'))
      const won = await db.update(P + 'ns/a', bytes('v2'), kv.modRevision)
      assert.ok(won.ok)
      assert.equal(won.kv.createRevision, kv.createRevision)
      assert.ok(won.kv.modRevision > kv.modRevision)
      const stale = await db.update(P + 'ns/a', bytes('v3'), kv.modRevision)
      assert.equal(stale.ok, false)
      assert.equal(text(stale.current?.value), 'v2')
      assert.equal(stale.current?.modRevision, won.kv.modRevision)
      const missing = await db.update(P + 'ns/none', bytes('x'), 5)
      assert.deepEqual(missing, { ok: false, current: undefined })
    }))

    it('deletes with and without an expected revision', withDb(async (db) => {
      const a = await db.create(P + 'ns/a', bytes('a'))
      await db.create(P + 'ns/b', bytes('b'))
      const wrong = await db.delete(P + 'ns/a', a.modRevision + 100)
      assert.equal(wrong.ok, false)
      assert.equal(text(wrong.current?.value), 'a')
      const right = await db.delete(P + 'ns/a', a.modRevision)
      assert.ok(right.ok)
      assert.equal(text(right.kv.value), 'a')
      assert.equal((await db.delete(P + 'ns/b')).ok, true)
      assert.deepEqual(await db.delete(P + 'ns/b'), { ok: false, current: undefined })
      assert.equal((await db.get(P + 'ns/a')).kv, undefined)
      assert.equal(await db.count(P), 0)
    }))

    it('lists a prefix in key order, isolated from look-alike prefixes, and counts', withDb(async (db) => {
      for (const k of ['ns/c', 'ns/a', 'ns/b', 'other/a']) await db.create(P + k, bytes(k))
      await db.create('/registry/core/podsx/ns/a', bytes('x'))
      await db.create('/registry/core/pod', bytes('y'))
      const all = await db.list(P)
      assert.equal(all.revision, db.currentRevision())
      assert.deepEqual(all.kvs.map((kv) => kv.key), ['ns/a', 'ns/b', 'ns/c', 'other/a'].map((k) => P + k))
      assert.equal(all.more, false)
      assert.equal(await db.count(P), 4)
      assert.equal(await db.count(P + 'ns/'), 3)
      assert.equal(await db.count('/registry/core/podsx/'), 1)
      assert.deepEqual((await db.list(P + 'ns/')).kvs.map((kv) => text(kv.value)), ['ns/a', 'ns/b', 'ns/c'])
    }))

    it('paginates with startKey and limit, reporting more and remaining', withDb(async (db) => {
      for (let i = 0; i < 7; i++) await db.create(`${P}ns/p${i}`, bytes(String(i)))
      const seen: string[] = []
      let startKey: string | undefined
      let pages = 0
      for (;;) {
        const page = await db.list(P, { startKey, limit: 3 })
        pages++
        seen.push(...page.kvs.map((kv) => text(kv.value)!))
        if (page.more) assert.equal(page.remaining, 7 - seen.length)
        if (!page.more) break
        startKey = page.kvs[page.kvs.length - 1]!.key + '\0'
      }
      assert.equal(pages, 3)
      assert.deepEqual(seen, ['0', '1', '2', '3', '4', '5', '6'])
    }))

    it('lists at an older revision while writes go on', withDb(async (db) => {
      for (const k of ['a', 'b', 'c']) await db.create(P + k, bytes(k + '1'))
      const at = db.currentRevision()
      const a = (await db.get(P + 'a')).kv!
      await db.update(P + 'a', bytes('a2'), a.modRevision)
      await db.delete(P + 'b')
      await db.create(P + 'aa', bytes('aa1'))
      const first = await db.list(P, { at, limit: 2 })
      assert.equal(first.revision, at)
      assert.deepEqual(first.kvs.map((kv) => text(kv.value)), ['a1', 'b1'])
      assert.equal(first.more, true)
      assert.equal(first.remaining, 1)
      const rest = await db.list(P, { at, startKey: first.kvs[1]!.key + '\0' })
      assert.deepEqual(rest.kvs.map((kv) => text(kv.value)), ['c1'])
      assert.deepEqual((await db.list(P)).kvs.map((kv) => text(kv.value)), ['a2', 'aa1', 'c1'])
      await rejectsWith(db.list(P, { at: db.currentRevision() + 1 }), 'FutureRevision')
    }))

    it('replays a watch from a revision, then streams live events in order with prev values', withDb(async (db) => {
      const a = await db.create(P + 'ns/a', bytes('a1'))
      const start = a.modRevision
      const b = await db.create(P + 'ns/b', bytes('b1'))
      await db.create('/registry/core/podsx/ns/a', bytes('other'))
      await db.update(P + 'ns/b', bytes('b2'), b.modRevision)
      const events = take(db, P, start, 5)
      await db.delete(P + 'ns/a')
      await db.create(P + 'ns/c', bytes('c1'))
      await db.create('/registry/core/podsx/ns/b', bytes('other'))
      await db.delete(P + 'ns/c', (await db.get(P + 'ns/c')).kv!.modRevision)
      const got = await events
      assert.deepEqual(got.map(describeEvent), [
        `put ${P}ns/b@${start + 1}=b1 prev=undefined`,
        `put ${P}ns/b@${start + 3}=b2 prev=b1`,
        `delete ${P}ns/a@${start + 4} prev=a1`,
        `put ${P}ns/c@${start + 5}=c1 prev=undefined`,
        `delete ${P}ns/c@${start + 7} prev=c1`,
      ])
    }))

    it('ends a watch cleanly when its signal aborts', withDb(async (db) => {
      const ac = new AbortController()
      const seen: WatchEvent[] = []
      const done = (async () => { for await (const ev of db.watch(P, db.currentRevision(), ac.signal)) seen.push(ev) })()
      await db.create(P + 'x', bytes('x'))
      ac.abort()
      await done
      assert.ok(seen.length <= 1)
      const pre = new AbortController()
      pre.abort()
      for await (const ev of db.watch(P, 0, pre.signal)) assert.fail(`no event expected, got ${ev.type}`)
    }))

    it('refuses watches and reads from a compacted revision', withDb(async (db) => {
      const kv = await db.create(P + 'a', bytes('1'))
      let last = kv
      for (let i = 2; i <= 5; i++) {
        const r = await db.update(P + 'a', bytes(String(i)), last.modRevision)
        assert.ok(r.ok)
        last = r.kv
      }
      await db.compact(kv.modRevision + 2)
      assert.equal(db.compactedRevision(), kv.modRevision + 2)
      await rejectsWith(take(db, P, kv.modRevision, 1), 'Compacted')
      await rejectsWith(db.list(P, { at: kv.modRevision }), 'Compacted')
      const rest = await take(db, P, kv.modRevision + 2, 2)
      assert.deepEqual(rest.map((ev) => ev.type === 'put' && text(ev.kv.value)), ['4', '5'])
      assert.equal(text((await db.get(P + 'a')).kv?.value), '5')
      await rejectsWith(db.compact(db.currentRevision() + 1), 'FutureRevision')
    }))

    it('sends progress events when nothing under the prefix changes', withDb(async (db) => {
      await db.create(P + 'a', bytes('a'))
      const events = take(db, P, db.currentRevision(), 1, true)
      await db.create('/registry/core/podsx/b', bytes('b'))
      const [ev] = await events
      assert.equal(ev?.type, 'progress')
      assert.ok(ev.type === 'progress' && ev.revision >= db.currentRevision() - 1)
    }))

    it('lets exactly one of two concurrent creates of a key win', withDb(async (db) => {
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => db.create(P + 'race', bytes(String(i)))))
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
      for (const r of results) if (r.status === 'rejected') assert.ok(isStorageError(r.reason, 'KeyExists'))
      const kv = (await db.get(P + 'race')).kv!
      const racers = await Promise.all(Array.from({ length: 10 }, (_, i) => db.update(P + 'race', bytes('u' + i), kv.modRevision)))
      const winners = racers.filter((r) => r.ok)
      assert.equal(winners.length, 1)
      for (const r of racers) if (!r.ok) assert.equal(r.current?.modRevision, winners[0]!.ok && winners[0]!.kv.modRevision)
    }))

    it('keeps every revision of many concurrent writers, and watchers see each event once', withDb(async (db) => {
      const writers = 50
      const perWriter = 200
      const start = db.currentRevision()
      const total = writers * perWriter + writers * (perWriter / 4)
      const watched = take(db, '/registry/', start, total)
      const halfway = take(db, '/registry/apps/', start, writers * perWriter / 2)
      const acked: KeyValue[] = []
      await Promise.all(Array.from({ length: writers }, async (_, w) => {
        const group = w % 2 ? 'core' : 'apps'
        for (let i = 0; i < perWriter; i++) {
          const kv = await db.create(`/registry/${group}/things/w${w}/k${i}`, bytes(`${w}.${i}`))
          acked.push(kv)
          if (i % 4 === 0) {
            const up = await db.update(kv.key, bytes('u'), kv.modRevision)
            assert.ok(up.ok)
            acked.push(up.kv)
          }
        }
      }))
      const revs = acked.map((kv) => kv.modRevision).sort((x, y) => x - y)
      assert.equal(revs.length, total)
      assert.deepEqual(revs, Array.from({ length: total }, (_, i) => start + 1 + i))
      assert.equal(db.currentRevision(), start + total)
      assert.equal(await db.count('/registry/'), writers * perWriter)
      const seen = await watched
      assert.deepEqual(seen.map((ev) => ev.type === 'put' ? ev.kv.modRevision : -1), revs)
      assert.equal((await halfway).length, writers * perWriter / 2)
    }))
  })
}
