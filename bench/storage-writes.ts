/**
 * @module
 * Storage write and list throughput: creates/s from 50 concurrent in-process writers on the
 * memory and sqlite backends, and the time to list 10,000 keys out of 100,000. Prints figures;
 * asserts nothing about time. Run: node <outDir>/bench/storage-writes.js
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openMemory, openSqlite, type Backend } from '../src/storage/index.js'

const WRITERS = 50
const PER_WRITER = 400
const value = new TextEncoder().encode(JSON.stringify({ kind: 'Pod', spec: { containers: [{ name: 'c', image: 'x'.repeat(700) }] } }))

async function creates(name: string, db: Backend): Promise<void> {
  const latencies: number[] = []
  const t0 = performance.now()
  await Promise.all(Array.from({ length: WRITERS }, async (_, w) => {
    for (let i = 0; i < PER_WRITER; i++) {
      const s = performance.now()
      await db.create(`/registry/core/pods/ns${w % 10}/w${w}-${i}`, value)
      latencies.push(performance.now() - s)
    }
  }))
  const seconds = (performance.now() - t0) / 1000
  latencies.sort((a, b) => a - b)
  const p = (q: number) => latencies[Math.floor(q * (latencies.length - 1))]!.toFixed(2)
  console.log(`${name}: ${Math.round((WRITERS * PER_WRITER) / seconds)} creates/s with ${WRITERS} writers ` +
    `(p50 ${p(0.5)} ms, p99 ${p(0.99)} ms)`)
}

async function lists(name: string, db: Backend): Promise<void> {
  const batch: Promise<unknown>[] = []
  for (let i = 0; i < 100_000; i++) {
    batch.push(db.create(`/registry/group/r${i % 10}/ns/obj-${i}`, value))
    if (batch.length === 5_000) await Promise.all(batch.splice(0))
  }
  await Promise.all(batch)
  const t0 = performance.now()
  const { kvs } = await db.list('/registry/group/r3/')
  const t1 = performance.now()
  const count = await db.count('/registry/group/r3/')
  const t2 = performance.now()
  console.log(`${name}: listed ${kvs.length} of 100,000 keys in ${(t1 - t0).toFixed(1)} ms; counted ${count} in ${(t2 - t1).toFixed(2)} ms`)
}

const dir = mkdtempSync(join(tmpdir(), 'kl-bench-storage-'))
try {
  for (const [name, open] of [['memory', () => openMemory()], ['sqlite', () => openSqlite(join(dir, `w-${Date.now()}.db`))]] as const) {
    const db = await open()
    await creates(name, db)
    await lists(name, db)
    await db.close()
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
