import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { probeOnce } from './probe.js'
import { freePort, hostTarget, listen } from './testing.js'

describe('tcpSocket probe', () => {
  it('succeeds when the port accepts, by number and by name', async () => {
    const server = createServer((s) => s.destroy())
    const port = await listen(server)
    try {
      const container = { name: 'db', ports: [{ name: 'pg', containerPort: port }] }
      assert.deepEqual(await probeOnce({ tcpSocket: { port } }, hostTarget(container)), { result: 'success', output: '' })
      assert.equal((await probeOnce({ tcpSocket: { port: 'pg' } }, hostTarget(container))).result, 'success')
    } finally {
      server.close()
    }
  })
  it('fails with Go\'s message when refused', async () => {
    const port = await freePort()
    const o = await probeOnce({ tcpSocket: { port } }, hostTarget({ name: 'db' }))
    assert.deepEqual(o, { result: 'failure', output: `dial tcp 127.0.0.1:${port}: connect: connection refused` })
  })
  it('uses tcpSocket.host when given', async () => {
    const server = createServer((s) => s.destroy())
    const port = await listen(server)
    try {
      const target = { ...hostTarget({ name: 'db' }), podIP: '127.0.0.2' } // nothing listens there
      assert.equal((await probeOnce({ tcpSocket: { host: '127.0.0.1', port } }, target)).result, 'success')
    } finally {
      server.close()
    }
  })
})
