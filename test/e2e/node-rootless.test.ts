/**
 * End-to-end: the core of the node as an ordinary user (uid 65534): `kubelite server` starts
 * its agent in a user namespace of its own, and pods still get their own IPs, exec, logs and
 * probes. Needs root only to start the server under another uid.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { CLI, poll, startCluster, type Cluster } from './harness.js'
import { containerStatus, inNode, isRunningReady, leftovers, waitNodeReady, waitPod } from './node-helpers.js'
import { yamlOf } from './workloads-helpers.js'

const NOBODY = 65534
function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to start the server as uid 65534'
  const r = spawnSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'unshare', '-Urnm', 'true'])
  return r.status === 0 ? undefined : `user namespaces are not available to uid ${NOBODY}: ${r.stderr}`
}

describe('node agent as an ordinary user', { skip: skipReason(), timeout: 300_000 }, () => {
  let c: Cluster
  before(async () => {
    c = await startCluster({ agent: true, uid: NOBODY, extraArgs: ['--image-fallback', 'host'] })
    await waitNodeReady(c)
  })
  after(async () => {
    await c?.stop()
  })

  it('runs pods with their own IPs, probes, exec and logs, and says limits are not enforced', async () => {
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: web}', 'spec:', '  containers:',
      '  - name: web', '    image: python:3', '    command: [sh, -c, "echo started; exec python3 -m http.server 8080 --directory /etc"]',
      '    readinessProbe: {httpGet: {path: /hostname, port: 8080}, periodSeconds: 1}',
      '  - name: peer', '    image: busybox', '    command: [sh, -c, "sleep 3600"]',
    ]) })
    const p = await waitPod(c, 'web', isRunningReady, 40_000)
    assert.match(p.status!.podIP, /^10\.244\./)
    const r = inNode(c, ['curl', '-s', '--max-time', '5', `http://${p.status!.podIP}:8080/hostname`])
    assert.equal(r.stdout.trim(), 'web', r.stderr)
    assert.equal((await c.ok(['exec', 'web', '-c', 'peer', '--', 'id', '-u'])).trim(), '0')
    assert.match(await c.ok(['logs', 'web', '-c', 'web']), /^started\n/)
    assert.equal(containerStatus(p, 'web').restartCount, 0)
    assert.match(c.output(), /limits are not enforced/)
  })

  it('serves a Service by name, and a LoadBalancer and ingress on the host on port + 8000 (no low ports)', async () => {
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: v1', 'kind: Service', 'metadata: {name: web}',
      'spec: {type: LoadBalancer, selector: {run: web}, ports: [{port: 80, targetPort: 8080}]}',
    ]) })
    await c.ok(['label', 'pod', 'web', 'run=web'])
    const inPod = await poll('the Service by name from a pod', async () => {
      const r = await c.kubectl(['exec', 'web', '-c', 'peer', '--', 'curl', '-s', '--max-time', '3', 'http://web.default/hostname'])
      return r.code === 0 && r.stdout.trim() === 'web' ? r.stdout : undefined
    }, 20_000, 200)
    assert.equal(inPod.trim(), 'web')
    const lb = await c.ok(['get', 'svc', 'web', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])
    const fromHost = await poll('the LoadBalancer from the host', () => {
      const r = spawnSync('curl', ['-s', '--max-time', '3', `http://${lb}:8080/hostname`], { encoding: 'utf8' })
      return r.status === 0 ? r.stdout : undefined
    }, 10_000, 100)
    assert.equal(fromHost.trim(), 'web')
    assert.match(c.output(), new RegExp(`${lb.replace(/\./g, '\\.')}:80 needs privileges on the host: relaying default/web:/TCP on ${lb.replace(/\./g, '\\.')}:8080 instead`))
    const url = spawnSync(process.execPath, [CLI, 'service', 'web', '--url', '--kubeconfig', c.kubeconfig], { encoding: 'utf8' })
    assert.equal(url.stdout, `http://${lb}:8080\n`, url.stderr)
    assert.match(c.output(), /ingress at http:\/\/127\.0\.0\.1:8080/)
  })

  it('leaves nothing behind when the server stops', async () => {
    const dataDir = c.dataDir
    await c.stop()
    assert.deepEqual(leftovers(dataDir), [])
  })
})
