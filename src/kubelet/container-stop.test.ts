import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { ContainerExit, ContainerHandle } from '../runtime/types.js'
import { stopContainer } from './container-stop.js'

function handle(ignoreTerm: boolean) {
  const signals: string[] = []
  let finish!: (e: ContainerExit) => void
  const exited = new Promise<ContainerExit>((r) => (finish = r))
  const h: ContainerHandle = {
    id: 'c', pid: 1, startedAt: new Date(), exited,
    kill(signal) {
      signals.push(signal)
      if (signal === 'SIGKILL' || !ignoreTerm) finish({ exitCode: signal === 'SIGKILL' ? 137 : 143, oomKilled: false, finishedAt: new Date() })
    },
  }
  return { h, signals }
}

describe('stopContainer', () => {
  it('sends SIGTERM and is done when the container exits', async () => {
    const { h, signals } = handle(false)
    assert.equal(await stopContainer(h, { graceMs: 5000, now: Date.now, onPreStopFailed: () => {} }), false)
    assert.deepEqual(signals, ['SIGTERM'])
  })
  it('sends SIGKILL when the grace period runs out', async () => {
    const { h, signals } = handle(true)
    const t0 = Date.now()
    assert.equal(await stopContainer(h, { graceMs: 100, now: Date.now, onPreStopFailed: () => {} }), true)
    assert.ok(Date.now() - t0 >= 90)
    assert.deepEqual(signals, ['SIGTERM', 'SIGKILL'])
  })
  it('runs preStop first within the grace period and reports its failure', async () => {
    const { h, signals } = handle(false)
    const seen: string[] = []
    await stopContainer(h, {
      graceMs: 3000, now: Date.now, onPreStopFailed: (m) => seen.push(`failed ${m}`),
      preStop: async (timeoutMs) => { seen.push(`preStop ${timeoutMs} ${signals.length}`); return { ok: false, message: 'boom' } },
    })
    assert.deepEqual(seen, ['preStop 3000 0', 'failed boom'])
    assert.deepEqual(signals, ['SIGTERM'])
  })
  it('kills at once with a zero grace period', async () => {
    const { h, signals } = handle(true)
    assert.equal(await stopContainer(h, { graceMs: 0, now: Date.now, onPreStopFailed: () => {}, preStop: async () => ({ ok: true, message: '' }) }), true)
    assert.deepEqual(signals, ['SIGTERM', 'SIGKILL'])
  })
})
