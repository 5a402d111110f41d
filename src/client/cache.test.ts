import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Cached, KubeObject } from '../api/index.js'
import { informerCache } from './cache.js'

type Obj = KubeObject & { spec?: { owner?: string } }
const obj = (name: string, owner: string, rv: number): Cached<Obj> =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: String(rv) }, spec: { owner } }) as Cached<Obj>

describe('informer cache indexes', () => {
  it('stay equal to a recomputation through random adds, moves and deletes', () => {
    const cache = informerCache<Obj>({ apiVersion: 'v1', kind: 'ConfigMap' })
    cache.addIndex('owner', (o) => (o.spec?.owner ? [o.spec.owner] : []))
    let seed = 7
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
    for (let step = 1; step <= 3000; step++) {
      const name = `o${rand(40)}`
      if (rand(4) === 0) cache.remove(obj(name, '', step))
      else cache.upsert(obj(name, `owner-${rand(6)}`, step))
      if (step % 50 === 0) {
        for (let i = 0; i < 6; i++) {
          const want = cache.list('ns').filter((o) => o.spec?.owner === `owner-${i}`).map((o) => o.metadata?.name).sort()
          assert.deepEqual(cache.byIndex('owner', `owner-${i}`).map((o) => o.metadata?.name).sort(), want, `step ${step} owner-${i}`)
        }
      }
    }
  })

  it('a value naming one object, then two, then one again', () => {
    const cache = informerCache<Obj>({ apiVersion: 'v1', kind: 'ConfigMap' })
    cache.addIndex('owner', (o) => [o.spec?.owner ?? ''])
    cache.upsert(obj('a', 'x', 1))
    assert.deepEqual(cache.byIndex('owner', 'x').map((o) => o.metadata?.name), ['a'])
    cache.upsert(obj('b', 'x', 2))
    assert.deepEqual(cache.byIndex('owner', 'x').map((o) => o.metadata?.name).sort(), ['a', 'b'])
    cache.remove(obj('a', 'x', 3))
    assert.deepEqual(cache.byIndex('owner', 'x').map((o) => o.metadata?.name), ['b'])
    cache.upsert(obj('b', 'y', 4))
    assert.deepEqual(cache.byIndex('owner', 'x'), [])
    assert.deepEqual(cache.byIndex('owner', 'y').map((o) => o.metadata?.resourceVersion), ['4'])
  })
})
