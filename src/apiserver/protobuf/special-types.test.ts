// goDuration must print what Go's time.Duration.String() prints, since metav1.Duration's
// JSON form is that string.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { goDuration } from './special-types.js'

it('formats durations like Go', () => {
  const cases: [number, string][] = [
    [0, '0s'], [1, '1ns'], [1500, '1.5µs'], [1_500_000, '1.5ms'], [2e9, '2s'], [90e9, '1m30s'],
    [3.6e12, '1h0m0s'], [3.6e12 + 1_500_000_000, '1h0m1.5s'], [-2e9, '-2s'], [100e9 + 1, '1m40.000000001s'],
  ]
  for (const [ns, want] of cases) assert.equal(goDuration(ns), want, `${ns}ns`)
})
