import assert from 'node:assert/strict'
import { fork } from 'node:child_process'
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { serveHostPorts } from './host-ports.js'

const brokerModule = fileURLToPath(new URL('./host-ports.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'kl-hostports-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('host ports through the launcher', () => {
  it('hands the agent a listening socket it accepts on, and reports a port that is taken', async () => {
    // The "agent": asks for a port over IPC, echoes on it, and reports a refusal for a taken port.
    const agent = join(dir, 'agent.mjs')
    writeFileSync(agent, [
      `import { hostPortBroker } from ${JSON.stringify(brokerModule)}`,
      'const broker = hostPortBroker()',
      'const server = await broker.listenTcp("127.0.0.1", 0)',
      'server.on("connection", (s) => s.end("served by the agent"))',
      'const port = server.address().port',
      'const err = await broker.listenTcp("127.0.0.1", Number(process.argv[2])).then(() => "none", (e) => e.code)',
      'process.send({ test: "ready", mode: broker.mode, port, err })',
    ].join('\n'))
    const taken = net.createServer()
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r))
    const child = fork(agent, [String((taken.address() as net.AddressInfo).port)], { stdio: 'ignore' })
    try {
      serveHostPorts(child)
      const ready = await new Promise<{ mode: string; port: number; err: string }>((resolve) => child.on('message', (m: { test?: string }) => { if (m.test) resolve(m as never) }))
      assert.equal(ready.mode, 'ipc')
      assert.equal(ready.err, 'EADDRINUSE')
      const body = await new Promise<string>((resolve, reject) => {
        let got = ''
        net.connect(ready.port, '127.0.0.1').on('data', (d) => { got += d }).on('end', () => resolve(got)).on('error', reject)
      })
      assert.equal(body, 'served by the agent')
    } finally {
      child.kill()
      taken.close()
    }
  })
})
