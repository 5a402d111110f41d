import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { builtinResources } from '../registry/index.js'
import { BUILTIN_KINDS } from './builtin-kinds.js'

describe('BUILTIN_KINDS', () => {
  it('is the registry\'s list of built-in kinds and their resources', () => {
    const fromRegistry = builtinResources()
      .map((rt) => [`${rt.group ? `${rt.group}/` : ''}${rt.version}`, rt.kind, rt.resource, rt.namespaced].join(' '))
      .sort()
    assert.deepEqual(BUILTIN_KINDS.map((r) => r.join(' ')).sort(), fromRegistry)
  })
})
