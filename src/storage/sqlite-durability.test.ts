// Durability: a child process writes as fast as it can and prints every acknowledged write; it
// is killed with SIGKILL mid-stream, and every acknowledged write must be in the reopened file.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { openSqlite } from './sqlite.js'

const moduleUrl = new URL('./sqlite.js', import.meta.url).href

const CHILD = `
import { openSqlite } from ${JSON.stringify(moduleUrl)}
const db = await openSqlite(process.argv[2])
const enc = new TextEncoder()
async function writer(w) {
  for (let i = 0; ; i++) {
    const kv = await db.create('/registry/d/w' + w + '/k' + i, enc.encode(w + ':' + i))
    process.stdout.write(kv.key + ' ' + kv.modRevision + '\\n') // a pipe: written synchronously
    if (i % 3 === 0) {
      const r = await db.update(kv.key, enc.encode('u'), kv.modRevision)
      if (!r.ok) throw new Error('lost an uncontended update')
      process.stdout.write(kv.key + ' ' + r.kv.modRevision + '\\n')
    }
  }
}
for (let w = 0; w < 8; w++) writer(w).catch((err) => { console.error(err); process.exit(1) })
`

it('loses no acknowledged write when the process is killed with SIGKILL', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kl-durability-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const script = join(dir, 'child.mjs')
  writeFileSync(script, CHILD)
  const dbPath = join(dir, 'data', 'state.db')
  const child = spawn(process.execPath, [script, dbPath], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })

  let out = ''
  let err = ''
  child.stderr.on('data', (d) => { err += d })
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d) => {
      out += d
      // Let it run a moment: enough acknowledged writes that batches are in flight when killed.
      if (out.length > 200_000) resolve()
    })
    child.on('exit', () => resolve())
  })
  assert.equal(err, '', 'the child failed before it was killed')
  child.kill('SIGKILL')
  assert.equal(await exited, 'SIGKILL')
  await new Promise((resolve) => setImmediate(resolve)) // let the last piped output arrive

  // A line cut by the kill is not an acknowledgement: only whole lines count.
  const acked = out.slice(0, out.lastIndexOf('\n')).split('\n').map((line) => {
    const [key, rev] = line.split(' ')
    return { key: key!, rev: Number(rev) }
  })
  assert.ok(acked.length > 1000, `only ${acked.length} writes acknowledged`)

  const db = await openSqlite(dbPath)
  t.after(() => db.close())
  const maxAcked = Math.max(...acked.map((a) => a.rev))
  assert.ok(db.currentRevision() >= maxAcked)
  // Every acknowledged write is in the log with its revision (replayed from the file: the ring is empty).
  const logged = new Set<string>()
  const ac = new AbortController()
  for await (const ev of db.watch('/registry/d/', 0, ac.signal)) {
    if (ev.type === 'put') logged.add(`${ev.kv.key} ${ev.kv.modRevision}`)
    if (ev.type !== 'progress' && (ev.type === 'put' ? ev.kv.modRevision : ev.revision) >= db.currentRevision()) ac.abort()
  }
  const missing = acked.filter((a) => !logged.has(`${a.key} ${a.rev}`))
  assert.deepEqual(missing.slice(0, 5), [], `${missing.length} acknowledged writes lost`)
  for (const a of acked.slice(-50)) {
    const kv = (await db.get(a.key)).kv
    assert.ok(kv && kv.modRevision >= a.rev, `${a.key} lost its write at ${a.rev}`)
  }
  const next = await db.create('/registry/d/after-restart', new TextEncoder().encode('x'))
  assert.ok(next.modRevision > maxAcked)
  assert.equal(db.currentRevision(), next.modRevision)
})
