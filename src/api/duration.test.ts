import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { formatGoDuration, parseGoDuration } from './duration.js'

describe('parseGoDuration', () => {
  const ok: [string, number][] = [
    ['0', 0], ['32s', 32_000], ['1m30s', 90_000], ['500ms', 500], ['1h', 3_600_000], ['1.5h', 5_400_000],
    ['-2s', -2000], ['+5m', 300_000], ['100us', 0.1], ['100µs', 0.1], ['1ns', 1e-6], ['1h2m3.5s', 3_723_500],
    ['.5s', 500], ['1.s', 1000],
  ]
  for (const [s, ms] of ok) it(`${s} = ${ms}ms`, () => assert.equal(parseGoDuration(s), ms))
  for (const bad of ['', '1', 's', '.s', '1x', '1s ', ' 1s', '1ss', '-', '1e3s', '3000000h']) {
    it(`"${bad}" is not a duration`, () => assert.equal(parseGoDuration(bad), undefined))
  }
  it('treats a missing parameter as absent', () => {
    assert.equal(parseGoDuration(null), undefined)
    assert.equal(parseGoDuration(undefined), undefined)
  })
})

describe('formatGoDuration', () => {
  const table: [number, string][] = [[0, '0s'], [1500, '1.5s'], [90_000, '1m30s'], [3_723_000, '1h2m3s'], [500, '500ms'], [-2000, '-2s'], [0.5, '500µs']]
  for (const [ms, s] of table) it(`${ms}ms = ${s}`, () => assert.equal(formatGoDuration(ms), s))
})
