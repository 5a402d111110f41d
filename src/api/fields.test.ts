import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { isStatusError } from './errors.js'
import { escapeFieldValue, fieldSelectorFromSet, parseFieldSelector } from './fields.js'

// Cases restate upstream's documented behaviour (fields/selector_test.go).
describe('parseFieldSelector', () => {
  it('parses =, == and != terms, sorted', () => {
    const s = parseFieldSelector('status.phase!=Running,metadata.name==web,spec.nodeName=n1')
    assert.deepEqual(s.requirements, [
      { field: 'metadata.name', op: '==', value: 'web' },
      { field: 'spec.nodeName', op: '=', value: 'n1' },
      { field: 'status.phase', op: '!=', value: 'Running' },
    ])
    assert.equal(s.toString(), 'metadata.name=web,spec.nodeName=n1,status.phase!=Running')
    assert.equal(s.empty, false)
  })
  it('treats the empty string and empty terms as everything', () => {
    assert.equal(parseFieldSelector('').empty, true)
    assert.equal(parseFieldSelector(',,').empty, true)
    assert.equal(parseFieldSelector('').matches({ a: 'b' }), true)
  })
  it('unescapes backslash sequences and round-trips them', () => {
    const s = parseFieldSelector('a=x\\,y\\=z\\\\,b=')
    assert.deepEqual(s.requirements.map((r) => r.value), ['x,y=z\\', ''])
    assert.equal(parseFieldSelector(s.toString()).toString(), s.toString())
    assert.equal(escapeFieldValue('a,b=c\\'), 'a\\,b\\=c\\\\')
  })
  it('splits a term at the first operator', () => {
    assert.deepEqual(parseFieldSelector('a=b=c'.replace('b=c', 'b\\=c')).requirements, [{ field: 'a', op: '=', value: 'b=c' }])
    assert.deepEqual(parseFieldSelector('x!=y').requirements, [{ field: 'x', op: '!=', value: 'y' }])
  })
  const bad: [string, string][] = [
    ['a', "invalid selector: 'a'; can't understand 'a'"],
    ['x=a,b', "invalid selector: 'x=a,b'; can't understand 'b'"],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['a=\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ]
  for (const [s, message] of bad) {
    it(`rejects ${JSON.stringify(s)}`, () => {
      assert.throws(() => parseFieldSelector(s), (err) => isStatusError(err) && err.status.code === 400 && err.message === message)
    })
  }
})

describe('field selector matching', () => {
  it('compares with a missing field reading as ""', () => {
    const fields = { 'metadata.name': 'web', 'status.phase': 'Running', 'spec.nodeName': '' }
    assert.equal(parseFieldSelector('metadata.name=web').matches(fields), true)
    assert.equal(parseFieldSelector('metadata.name!=web').matches(fields), false)
    assert.equal(parseFieldSelector('status.phase!=Pending,metadata.name=web').matches(fields), true)
    assert.equal(parseFieldSelector('spec.nodeName=').matches(fields), true)
    assert.equal(parseFieldSelector('metadata.namespace=').matches(fields), true)
    assert.equal(parseFieldSelector('metadata.namespace!=').matches(fields), false)
    assert.equal(parseFieldSelector('constructor=').matches({}), true)
  })
  it('reports the exact value a selector pins', () => {
    const s = parseFieldSelector('spec.nodeName=n1,status.phase!=Failed')
    assert.equal(s.requiresExactMatch('spec.nodeName'), 'n1')
    assert.equal(s.requiresExactMatch('status.phase'), undefined)
  })
  it('builds a selector from a set', () => {
    assert.equal(fieldSelectorFromSet({ 'metadata.name': 'a' }).matches({ 'metadata.name': 'a' }), true)
  })
})
