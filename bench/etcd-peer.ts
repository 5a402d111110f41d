/**
 * @module
 * etcd as a peer for the write benchmark, when the machine has it (Debian: etcd-server):
 * started on 127.0.0.1 with its own temp dir, written through its JSON gateway over HTTP
 * with the same concurrency, so its put path stands beside kubelite's create path.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { load } from './lib.js'

export function etcdBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v etcd'], { encoding: 'utf8' }).stdout.trim()
  return found || undefined
}

export async function etcdWrites(total: number, concurrency: number, valueBytes: number) {
  const bin = etcdBinary()
  if (!bin) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-bench-etcd-'))
  const port = 23790 + Math.floor(Math.random() * 100)
  const child = spawn(bin, [
    '--data-dir', join(dir, 'data'), '--name', 'bench',
    '--listen-client-urls', `http://127.0.0.1:${port}`, '--advertise-client-urls', `http://127.0.0.1:${port}`,
    '--listen-peer-urls', `http://127.0.0.1:${port + 1000}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${port + 1000}`,
    '--initial-cluster', `bench=http://127.0.0.1:${port + 1000}`,
  ], { stdio: 'ignore' })
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const put = (key: string, value: string) => new Promise<number>((resolve, reject) => {
    const body = JSON.stringify({ key: Buffer.from(key).toString('base64'), value: Buffer.from(value).toString('base64') })
    const r = request({ host: '127.0.0.1', port, path: '/v3/kv/put', method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    r.on('error', reject)
    r.end(body)
  })
  try {
    const deadline = Date.now() + 10_000
    while ((await put('/warmup', 'x').catch(() => 0)) !== 200) {
      if (Date.now() > deadline) throw new Error('etcd did not start')
      await new Promise((r) => setTimeout(r, 50))
    }
    const value = 'x'.repeat(valueBytes)
    return await load(total, concurrency, async (i) => {
      if ((await put(`/registry/configmaps/bench/cm-${i}`, value)) !== 200) throw new Error('etcd put failed')
    })
  } finally {
    agent.destroy()
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    rmSync(dir, { recursive: true, force: true })
  }
}
