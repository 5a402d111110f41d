// The wire reader against protobufjs's Writer: varint edges, skipping, truncation.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import pb from 'protobufjs/minimal.js'
import { reader, WireError } from './wire.js'

it('reads varints of every width, including sign-extended negatives', () => {
  const values = [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 32, 2 ** 53 - 1, -1, -(2 ** 31), -123456789012]
  const w = pb.Writer.create()
  for (const v of values) w.int64(v)
  w.int32(-7)
  const r = reader(w.finish())
  for (const v of values) assert.equal(r.int64(), v)
  assert.equal(r.int32(), -7)
  assert.ok(r.done())
})

it('reads tags, strings and doubles, skips fields and reports truncation', () => {
  const w = pb.Writer.create()
  w.uint32((5 << 3) | 2).string('héllo').uint32((6 << 3) | 1).double(1.25).uint32((7 << 3) | 5).fixed32(9)
  const bytes = w.finish()
  const r = reader(bytes)
  assert.deepEqual(r.tag(), { no: 5, wireType: 2 })
  assert.equal(r.string(), 'héllo')
  assert.deepEqual(r.tag(), { no: 6, wireType: 1 })
  assert.equal(r.double(), 1.25)
  r.skip(r.tag().wireType)
  assert.ok(r.done())
  const cut = reader(bytes.subarray(0, 4))
  cut.tag()
  assert.throws(() => cut.string(), WireError)
  assert.throws(() => reader(new Uint8Array([0x0b])).skip(reader(new Uint8Array([0x0b])).tag().wireType), /wire type 3/)
})
