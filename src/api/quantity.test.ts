import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { isStatusError } from './errors.js'
import {
  addQuantities, canonicalQuantity, compareQuantities, formatQuantity, parseQuantity, quantityFromMilli,
  quantityFromValue, quantityMilliValue, quantityToNumber, quantityValue,
} from './quantity.js'

// Cases follow upstream's documented examples (resource/quantity_test.go tables), restated.
const N = 1_000_000_000n
const KI = 1024n

describe('parseQuantity: values', () => {
  const table: [string, bigint, string][] = [
    ['0', 0n, 'DecimalSI'], ['0Ki', 0n, 'BinarySI'], ['0m', 0n, 'DecimalSI'],
    ['1', N, 'DecimalSI'], ['8Ki', 8n * KI * N, 'BinarySI'], ['3Ei', 3n * KI ** 6n * N, 'BinarySI'],
    ['5n', 5n, 'DecimalSI'], ['4u', 4000n, 'DecimalSI'], ['3m', 3_000_000n, 'DecimalSI'],
    ['50k', 50_000n * N, 'DecimalSI'], ['1E', 10n ** 18n * N, 'DecimalSI'],
    ['1E-3', 1_000_000n, 'DecimalExponent'], ['1.3E+6', 1_300_000n * N, 'DecimalExponent'],
    ['100.035k', 100_035n * N, 'DecimalSI'], ['0.0005k', N / 2n, 'DecimalSI'],
    // Rounded up to the next whole nano-unit, away from zero.
    ['3.001n', 4n, 'DecimalSI'], ['0.0000000001', 1n, 'DecimalSI'], ['0.00000012354', 124n, 'DecimalSI'],
    ['1.1E-9', 2n, 'DecimalExponent'],
    // Binary values are capped at 2^63-1.
    ['9Ei', 9223372036854775807n * N, 'BinarySI'], ['9223372036854775807Ki', 9223372036854775807n * N, 'BinarySI'],
    ['0.5Mi', 512n * KI * N, 'BinarySI'],
    // Below one unit, a binary quantity is shown in decimal.
    ['0.000000000001Ki', 2n, 'DecimalSI'],
    ['.001', 1_000_000n, 'DecimalSI'], ['1.', N, 'DecimalSI'], ['1.G', N * N, 'DecimalSI'],
    ['-1.5', -1_500_000_000n, 'DecimalSI'],
  ]
  for (const [input, nanos, format] of table) {
    it(input, () => {
      const q = parseQuantity(input)
      assert.equal(q.nanos, nanos)
      assert.equal(q.format, format)
    })
  }
})

describe('parseQuantity: canonical text', () => {
  const table: [string, string][] = [
    ['1Ki', '1Ki'], ['1024Mi', '1Gi'], ['1000M', '1G'], ['.001Ki', '1024m'], ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'], ['.000000000001Ki', '2n'],
    ['1000m', '1'], ['0.5', '500m'], ['1.5Gi', '1536Mi'], ['1e3', '1e3'], ['1e4', '10e3'],
    ['307200Ki', '300Mi'], ['1025024Mi', '1001Gi'], ['1024Gi', '1Ti'], ['5000m', '5'], ['0.001T', '1G'],
    ['1000u', '1m'], ['1.08', '1080m'], ['1080000000n', '1080m'], ['.001e12', '1e9'], ['0.001e0', '1e-3'],
    ['1000e-12', '1e-9'], ['00', '0'], ['1.1Ki', '1126400m'], ['0.5Ki', '512'], ['1.5', '1500m'],
    ['-1000m', '-1'], ['-1024Mi', '-1Gi'], ['9Ei', '9223372036854775807'],
  ]
  for (const [input, text] of table) {
    it(`${input} → ${text}`, () => {
      assert.equal(parseQuantity(input).text, text)
      assert.equal(canonicalQuantity(input), text)
    })
  }
  it('reads JSON numbers from their text', () => {
    assert.equal(parseQuantity(1.5).text, '1500m')
    assert.equal(parseQuantity(1e21).text, '1e+21') // already canonical, so kept as spelled
    assert.equal(parseQuantity(2).nanos, 2n * N)
  })
  it('keeps an already-canonical spelling as given, as upstream caches it', () => {
    for (const s of ['1Gi', '300Mi', '1001Gi', '1e-3', '80e-3', '1234567m', '1025', '3k', '1E3', '+1Gi']) {
      assert.equal(parseQuantity(s).text, s)
    }
    // ...but not when digits could move into the suffix.
    assert.equal(parseQuantity('8Ki').text, '8Ki')
    assert.equal(parseQuantity('1000k').text, '1M')
  })
})

describe('parseQuantity: errors', () => {
  const formatWrong = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
  for (const bad of ['', '1.1.M', '1+1.0M', '0.1am', 'aoeu', ' 1', '1 ']) {
    it(`"${bad}" does not match the format`, () => {
      assert.throws(() => parseQuantity(bad), (err) => isStatusError(err) && err.status.code === 400 && err.message === formatWrong)
    })
  }
  for (const bad of ['0.1mi', '.5i', '1i', '-3.01i', '-3.01e-']) {
    it(`"${bad}" has an unknown suffix`, () => {
      assert.throws(() => parseQuantity(bad), { message: "unable to parse quantity's suffix" })
    })
  }
})

describe('quantity numbers', () => {
  it('Value and MilliValue round up', () => {
    assert.equal(quantityValue('1500m'), 2)
    assert.equal(quantityValue('1Gi'), 1073741824)
    assert.equal(quantityMilliValue('1'), 1000)
    assert.equal(quantityMilliValue('0.1m'), 1)
    assert.equal(quantityMilliValue('250m'), 250)
    assert.equal(quantityMilliValue('-1.5m'), -2)
  })
  it('compares across formats', () => {
    assert.equal(compareQuantities('1Gi', '1073741824'), 0)
    assert.equal(compareQuantities('1G', '1Gi'), -1)
    assert.equal(compareQuantities('1100m', '1'), 1)
    assert.equal(compareQuantities(parseQuantity('2'), '2000m'), 0)
  })
  it('converts to a float', () => {
    assert.equal(quantityToNumber('1.5'), 1.5)
    assert.equal(quantityToNumber('128Mi'), 134217728)
  })
  it('builds quantities from milli-units and whole units', () => {
    assert.equal(quantityFromMilli(1500).text, '1500m')
    assert.equal(quantityFromMilli(2000).text, '2')
    assert.equal(quantityFromValue(1073741824, 'BinarySI').text, '1Gi')
    assert.equal(quantityFromValue(110).text, '110')
    assert.equal(formatQuantity(0n, 'BinarySI'), '0')
    assert.equal(formatQuantity(5n * N, 'BinarySI'), '5')
  })
  it('adds, keeping the first format', () => {
    assert.equal(addQuantities('1Gi', '512Mi').text, '1536Mi')
    assert.equal(addQuantities('100m', '900m', '1').text, '2')
  })
})
