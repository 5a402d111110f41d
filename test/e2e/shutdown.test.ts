/**
 * SIGINT with a watch open: the server ends the watch, exits 0, and starts again on the
 * same data with everything it acknowledged.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { kubectlDir, poll, startCluster, type Cluster } from './harness.js'

describe('shutdown', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubelite-e2e-shutdown-'))
  const clusters: Cluster[] = []
  after(async () => {
    for (const c of clusters) await c.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('exits 0 on SIGINT with a watch open, and restarts with its data', async () => {
    const c = await startCluster({ dataDir })
    clusters.push(c)
    await c.ok(['create', 'configmap', 'kept', '--from-literal=a=b'])
    const watcher = spawn(join(kubectlDir(), 'kubectl.1.32'), ['get', 'configmaps', '-w'], { env: { ...process.env, HOME: c.home, KUBECONFIG: c.kubeconfig } })
    let out = ''
    watcher.stdout.on('data', (d) => (out += d))
    const watcherExit = new Promise<number | null>((resolve) => watcher.on('exit', (code) => resolve(code)))
    await poll('the watch to list', async () => /kept/.test(out) || undefined)
    const exit = new Promise<number | null>((resolve) => c.process.once('exit', (code) => resolve(code)))
    c.process.kill('SIGINT')
    assert.equal(await exit, 0)
    // The server ends the stream; kubectl get -w exits 0 when that happens, as upstream's does.
    assert.equal(await watcherExit, 0)
    const again = await startCluster({ dataDir })
    clusters.push(again)
    assert.equal(await again.ok(['get', 'configmap', 'kept', '-o', 'jsonpath={.data.a}']), 'b')
  })
})
