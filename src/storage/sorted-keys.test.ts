// The sorted key set against a plain sorted array, through random inserts and removals.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { prefixEnd, sortedKeys } from './sorted-keys.js'

it('matches a sorted array through random inserts and removals', () => {
  let seed = 42
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
  const set = sortedKeys(['/r/m/5', '/r/a/1'])
  const model = new Set(['/r/m/5', '/r/a/1'])
  for (let step = 0; step < 20_000; step++) {
    const key = `/r/${String.fromCharCode(97 + rand(6))}/${rand(400)}`
    if (rand(3) === 0) assert.equal(set.remove(key), model.delete(key))
    else assert.equal(set.insert(key), !model.has(key) && !!model.add(key))
  }
  const sorted = [...model].sort()
  assert.equal(set.size, sorted.length)
  assert.deepEqual([...set.range('')], sorted)
  for (const from of ['/r/b/', '/r/c/17', '/r/f/999', '/s', '']) {
    const end = prefixEnd(from)
    const want = sorted.filter((k) => k >= from && (end === undefined || k < end))
    assert.deepEqual([...set.range(from, end)], want)
    assert.equal(set.countRange(from, end), want.length)
    assert.equal(set.rank(from), sorted.filter((k) => k < from).length)
    assert.equal(set.has(from), model.has(from))
  }
})

it('bounds a prefix range, including prefixes ending in U+FFFF', () => {
  assert.equal(prefixEnd('/registry/core/pods/'), '/registry/core/pods0')
  assert.equal(prefixEnd('a\uffff'), 'b')
  assert.equal(prefixEnd(''), undefined)
})
