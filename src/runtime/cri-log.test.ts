import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { MAX_LOG_LINE_BYTES, openCriLog, rfc3339NanoNow } from './cri-log.js'

const RECORD = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (stdout|stderr) ([FP]) (.*)$/

function records(path: string) {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => {
    const m = RECORD.exec(line)
    assert.ok(m, `not a CRI log line: ${line.slice(0, 80)}`)
    return { time: m[1]!, stream: m[2]!, tag: m[3]!, text: m[4]! }
  })
}

describe('openCriLog', () => {
  let dir: string
  before(() => { dir = mkdtempSync(join(tmpdir(), 'kl-cri-log-')) })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('writes one F record per line, buffering partial lines per stream', async () => {
    const path = join(dir, 'a/0.log') // the directory is created
    const log = await openCriLog(path)
    log.write('stdout', Buffer.from('hello\nwor'))
    log.write('stderr', Buffer.from('oops\n'))
    log.write('stdout', Buffer.from('ld\n\nlast'))
    await log.close()
    assert.deepEqual(records(path).map((r) => [r.stream, r.tag, r.text]), [
      ['stdout', 'F', 'hello'], ['stderr', 'F', 'oops'], ['stdout', 'F', 'world'], ['stdout', 'F', ''],
      ['stdout', 'F', 'last'], // unterminated at close: flushed as a full line, like containerd at EOF
    ])
  })

  it('splits a line longer than 16 KiB into P records and a final F', async () => {
    const path = join(dir, 'long.log')
    const log = await openCriLog(path)
    const long = 'x'.repeat(MAX_LOG_LINE_BYTES * 2 + 10)
    log.write('stdout', Buffer.from(long.slice(0, 5000)))
    log.write('stdout', Buffer.from(`${long.slice(5000)}\n`))
    await log.close()
    const rs = records(path)
    assert.deepEqual(rs.map((r) => [r.tag, r.text.length]), [['P', MAX_LOG_LINE_BYTES], ['P', MAX_LOG_LINE_BYTES], ['F', 10]])
  })

  it('appends to an existing log and stamps increasing times', async () => {
    const path = join(dir, 'append.log')
    for (const word of ['one', 'two']) {
      const log = await openCriLog(path)
      log.write('stdout', Buffer.from(`${word}\n`))
      await log.close()
    }
    const rs = records(path)
    assert.deepEqual(rs.map((r) => r.text), ['one', 'two'])
    assert.ok(rs[0]!.time < rs[1]!.time)
    assert.ok(Math.abs(Date.parse(rfc3339NanoNow()) - Date.now()) < 1000)
  })
})
