import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { firstPendingIndexes, formatIntervals, parseIntervals, withIndexes } from './indexes.js'

const pod = (ix: number): Pod => ({ metadata: { annotations: { 'batch.kubernetes.io/job-completion-index': String(ix) } }, spec: { containers: [] } })

describe('completion indexes', () => {
  it('writes neighbours with a comma and longer runs as ranges', () => {
    assert.equal(formatIntervals(withIndexes([], [1, 3, 4, 5, 7, 9, 10])), '1,3-5,7,9,10')
  })
  it('parses lists back, dropping indexes at or beyond completions and corrupt parts', () => {
    assert.equal(formatIntervals(parseIntervals('0-2,x,4,6-9', 8)), '0-2,4,6,7')
    assert.deepEqual(parseIntervals('', 3), [])
  })
  it('finds the first indexes neither succeeded nor running', () => {
    assert.deepEqual(firstPendingIndexes(parseIntervals('0,2', 6), [pod(3)], 3, 6), [1, 4, 5])
    assert.deepEqual(firstPendingIndexes(parseIntervals('0-1', 3), [], 5, 3), [2])
  })
  it('skips indexes that failed for good', () => {
    assert.deepEqual(firstPendingIndexes(parseIntervals('0', 8), [pod(3)], 3, 8, parseIntervals('1,2,5', 8)), [4, 6, 7])
  })
})
