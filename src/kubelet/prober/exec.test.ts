import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { expandStatic } from './exec.js'
import { probeOnce, runProbe } from './probe.js'
import { hostTarget } from './testing.js'

describe('exec probe', () => {
  const target = hostTarget({ name: 'app', env: [{ name: 'FILE', value: '/' }, { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] })

  it('is healthy on exit 0', async () => {
    assert.deepEqual(await probeOnce({ exec: { command: ['sh', '-c', 'echo fine'] } }, target), { result: 'success', output: 'fine\n' })
  })
  it('fails on a non-zero exit with the output as message', async () => {
    const r = await runProbe({ exec: { command: ['sh', '-c', 'echo no such file >&2; exit 1'] } }, target)
    assert.deepEqual(r, { ok: false, message: 'no such file\n' })
  })
  it('fails when the command outlives timeoutSeconds', async () => {
    const o = await probeOnce({ exec: { command: ['sleep', '5'] } }, target, 150)
    assert.deepEqual(o, { result: 'failure', output: 'command "sleep 5" timed out' })
  })
  it('errors when the command cannot be started', async () => {
    const o = await probeOnce({ exec: { command: ['/nonexistent/probe'] } }, target)
    assert.equal(o.result, 'unknown')
    assert.match(o.error ?? '', /ENOENT/)
  })
  it('expands $(VAR) from literal env only, as upstream', async () => {
    assert.deepEqual(expandStatic(['test', '-d', '$(FILE)', '$(SECRET)', '$$(FILE)', '$(NOPE)', '$(open', 'a$b'], target.container),
      ['test', '-d', '/', '$(SECRET)', '$(FILE)', '$(NOPE)', '$(open', 'a$b'])
    assert.equal((await probeOnce({ exec: { command: ['test', '-d', '$(FILE)'] } }, target)).result, 'success')
  })
  it('keeps at most 10 KiB of output', async () => {
    const o = await probeOnce({ exec: { command: ['sh', '-c', 'head -c 20000 /dev/zero | tr "\\0" x; exit 3'] } }, target)
    assert.equal(o.output.length, 10 * 1024)
  })
})
