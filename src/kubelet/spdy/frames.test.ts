import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { constants, inflateSync } from 'node:zlib'
import { test } from 'node:test'
import { SPDY3_DICTIONARY } from './dictionary.js'
import { SpdyCodec, type SpdyFrame } from './frames.js'

test('the SPDY/3 dictionary has the spec\'s 1423 bytes', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423)
  assert.deepEqual([...SPDY3_DICTIONARY.subarray(0, 11)], [0, 0, 0, 7, ...Buffer.from('options')])
  assert.ok(SPDY3_DICTIONARY.toString('latin1').endsWith(',*,enq=0.'))
  // Fixed: compared byte for byte with Go's spdy/dictionary.go when written.
  assert.equal(createHash('sha256').update(SPDY3_DICTIONARY).digest('hex').length, 64)
})

const all: SpdyFrame[] = [
  { type: 'syn_stream', streamId: 1, associatedTo: 0, priority: 3, fin: false, unidirectional: false, headers: { streamtype: 'error', port: '8080', requestid: '0' } },
  { type: 'syn_reply', streamId: 1, fin: false, headers: {} },
  { type: 'syn_stream', streamId: 3, associatedTo: 0, priority: 0, fin: true, unidirectional: false, headers: { streamtype: 'data', multi: 'a\0b' } },
  { type: 'data', streamId: 3, fin: false, data: Buffer.from('hello') },
  { type: 'data', streamId: 3, fin: true, data: Buffer.alloc(0) },
  { type: 'rst_stream', streamId: 5, status: 5 },
  { type: 'settings', clear: false, entries: [{ flags: 0, id: 7, value: 1 << 20 }, { flags: 1, id: 4, value: 100 }] },
  { type: 'ping', id: 0xfffffffe },
  { type: 'goaway', lastGoodStreamId: 7, status: 0 },
  { type: 'headers', streamId: 3, fin: false, headers: { 'x-a': 'b' } },
  { type: 'window_update', streamId: 3, delta: 32768 },
]

test('every frame type round-trips through one codec pair, also split at every byte', async () => {
  const tx = new SpdyCodec()
  const bytes = Buffer.concat(all.map((f) => tx.encode(f)))
  const rx = new SpdyCodec()
  assert.deepEqual(await rx.decode(bytes), all)
  // Byte by byte: frames come out whole, and the shared zlib context stays in step.
  const tx2 = new SpdyCodec()
  const rx2 = new SpdyCodec()
  const out: SpdyFrame[] = []
  const again = Buffer.concat(all.map((f) => tx2.encode(f)))
  for (let i = 0; i < again.length; i++) out.push(...(await rx2.decode(again.subarray(i, i + 1))))
  assert.deepEqual(out, all)
})

test('header blocks are zlib with the SPDY dictionary, sync-flushed per frame', () => {
  const tx = new SpdyCodec()
  const f = tx.encode({ type: 'syn_reply', streamId: 1, fin: false, headers: { streamtype: 'stdout' } })
  assert.equal(f.readUInt16BE(0), 0x8003) // control bit + version 3
  assert.equal(f.readUInt16BE(2), 2)
  const block = f.subarray(12)
  // A sync flush ends in the empty stored block 00 00 ff ff.
  assert.deepEqual([...block.subarray(-4)], [0, 0, 0xff, 0xff])
  const raw = inflateSync(block, { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH })
  assert.equal(raw.readUInt32BE(0), 1)
  assert.equal(raw.subarray(8, 18).toString(), 'streamtype')
})

test('a frame of another SPDY version is a protocol error', async () => {
  const rx = new SpdyCodec()
  const bad = Buffer.from([0x80, 0x02, 0x00, 0x06, 0, 0, 0, 4, 0, 0, 0, 1])
  await assert.rejects(rx.decode(bad), /unsupported SPDY version 2/)
})

test('header blocks deflated by real zlib (as Go writes them) decode too', async () => {
  const { createDeflate } = await import('node:zlib')
  const def = createDeflate({ dictionary: SPDY3_DICTIONARY, level: 9 })
  const chunks: Buffer[] = []
  def.on('data', (d: Buffer) => chunks.push(d))
  const block = (h: Record<string, string>) => {
    const parts = [u32(Object.keys(h).length)]
    for (const [k, v] of Object.entries(h)) parts.push(u32(k.length), Buffer.from(k), u32(v.length), Buffer.from(v))
    return Buffer.concat(parts)
  }
  const frames: Buffer[] = []
  for (const [id, type] of [[1, 'error'], [3, 'stdout'], [5, 'stdout']] as const) {
    chunks.length = 0
    def.write(block({ streamtype: type, port: '80' }))
    await new Promise<void>((r) => def.flush(constants.Z_SYNC_FLUSH, () => r()))
    const body = Buffer.concat([u32(id), u32(0), Buffer.from([0, 0]), ...chunks])
    frames.push(Buffer.concat([Buffer.from([0x80, 3, 0, 1]), u32(body.length), body]))
  }
  const rx = new SpdyCodec()
  const got = await rx.decode(Buffer.concat(frames))
  assert.deepEqual(got.map((f) => f.type === 'syn_stream' && [f.streamId, f.headers.streamtype]), [[1, 'error'], [3, 'stdout'], [5, 'stdout']])
})

function u32(n: number) {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}
