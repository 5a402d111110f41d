import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { after, test } from 'node:test'
import { parseCriLine, readContainerLog, type LogOptions } from './log-reader.js'

const dir = mkdtempSync(join(tmpdir(), 'kl-logs-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const LOG = [
  '2024-01-01T00:00:01.000000001Z stdout F one',
  '2024-01-01T00:00:02.5Z stderr F two',
  '2024-01-01T00:00:03Z stdout P thr',
  '2024-01-01T00:00:03.1Z stdout P e',
  '2024-01-01T00:00:03.2Z stdout F e',
  '2024-01-01T00:00:04Z stdout F four',
  '',
].join('\n')

let n = 0
function file(content: string) {
  const p = join(dir, `${n++}.log`)
  writeFileSync(p, content)
  return p
}

async function read(path: string, opts: LogOptions, running = () => false, signal?: AbortSignal) {
  const out = new PassThrough()
  const chunks: Buffer[] = []
  out.on('data', (c: Buffer) => chunks.push(c))
  await readContainerLog(path, opts, out, { isRunning: running, signal, pollMs: 10 })
  return Buffer.concat(chunks).toString()
}

test('parseCriLine splits time, stream, tag and text', () => {
  assert.deepEqual(parseCriLine(Buffer.from('2024-01-01T00:00:00Z stderr P:x a b')), {
    time: '2024-01-01T00:00:00Z', stream: 'stderr', partial: true, content: Buffer.from('a b'),
  })
  assert.equal(parseCriLine(Buffer.from('garbage')), undefined)
  assert.equal(parseCriLine(Buffer.from('t stdin F x')), undefined)
  assert.deepEqual(parseCriLine(Buffer.from('t stdout F'))?.content, Buffer.alloc(0))
})

test('the whole log, partial records joined into one line', async () => {
  assert.equal(await read(file(LOG), {}), 'one\ntwo\nthree\nfour\n')
})

test('tailLines counts records from the end; 0 gives nothing; more than there are gives all', async () => {
  const p = file(LOG)
  assert.equal(await read(p, { tailLines: 1 }), 'four\n')
  assert.equal(await read(p, { tailLines: 2 }), 'e\nfour\n')
  assert.equal(await read(p, { tailLines: 0 }), '')
  assert.equal(await read(p, { tailLines: 100 }), 'one\ntwo\nthree\nfour\n')
})

test('timestamps prefix each line once, with the time of its first piece', async () => {
  assert.equal(await read(file(LOG), { timestamps: true }), [
    '2024-01-01T00:00:01.000000001Z one', '2024-01-01T00:00:02.5Z two', '2024-01-01T00:00:03Z three', '2024-01-01T00:00:04Z four', '',
  ].join('\n'))
})

test('sinceTime drops older records', async () => {
  assert.equal(await read(file(LOG), { sinceTime: new Date('2024-01-01T00:00:02.5Z') }), 'two\nthree\nfour\n')
  assert.equal(await read(file(LOG), { sinceTime: new Date('2030-01-01T00:00:00Z') }), '')
})

test('limitBytes cuts the output at exactly that many bytes', async () => {
  assert.equal(await read(file(LOG), { limitBytes: 6 }), 'one\ntw')
  assert.equal(await read(file(LOG), { limitBytes: 1 }), 'o')
})

test('follow streams appended lines until the container stops and the file is drained', async () => {
  const p = file('2024-01-01T00:00:01Z stdout F a\n')
  let running = true
  const got = read(p, { follow: true }, () => running)
  await new Promise((r) => setTimeout(r, 50))
  appendFileSync(p, '2024-01-01T00:00:02Z stdout P b\n')
  await new Promise((r) => setTimeout(r, 50))
  appendFileSync(p, '2024-01-01T00:00:03Z stdout F c\n')
  running = false
  appendFileSync(p, '2024-01-01T00:00:04Z stderr F last\n')
  assert.equal(await got, 'a\nbc\nlast\n')
})

test('follow stops when the client goes', async () => {
  const p = file('2024-01-01T00:00:01Z stdout F a\n')
  const ac = new AbortController()
  const got = read(p, { follow: true, tailLines: 5 }, () => true, ac.signal)
  setTimeout(() => ac.abort(), 50)
  assert.equal(await got, 'a\n')
})

test('a record split across read chunks is still one record', async () => {
  const long = 'x'.repeat(70 * 1024)
  assert.equal(await read(file(`2024-01-01T00:00:01Z stdout F ${long}\n2024-01-01T00:00:02Z stdout F y\n`), {}), `${long}\ny\n`)
})
