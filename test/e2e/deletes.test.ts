/**
 * kubectl delete in its forms (name, -f DIR, -l, --all, --cascade=orphan, --force) and
 * kubectl wait on a condition and on a jsonpath, with statuses the test writes itself
 * (there is no kubelet yet).
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startCluster, type Cluster } from './harness.js'

const cm = (name: string, labels: Record<string, string> = {}) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  labels: ${JSON.stringify(labels)}\ndata:\n  k: v\n`
const pod = (name: string, nodeName?: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n${nodeName ? `  nodeName: ${nodeName}\n` : ''}  containers:\n  - name: c\n    image: busybox\n`

describe('kubectl delete and wait', () => {
  let c: Cluster
  const names = async (...args: string[]) => (await c.ok(['get', ...args, '-o', 'name'])).split('\n').filter(Boolean).sort()
  before(async () => { c = await startCluster() })
  after(() => c?.stop())

  it('delete by name, then NotFound', async () => {
    await c.ok(['create', 'configmap', 'gone', '--from-literal=a=b'])
    assert.equal(await c.ok(['delete', 'cm', 'gone']), 'configmap "gone" deleted\n')
    const r = await c.kubectl(['get', 'cm', 'gone'])
    assert.equal(r.code, 1)
    assert.equal(r.stderr.trim(), 'Error from server (NotFound): configmaps "gone" not found')
    const again = await c.kubectl(['delete', 'cm', 'gone'])
    assert.equal(again.code, 1)
    assert.equal(again.stderr.trim(), 'Error from server (NotFound): configmaps "gone" not found')
  })

  it('delete -f DIR deletes every object in the directory', async () => {
    const dir = join(dirname(c.file('dir-marker', '')), 'manifests')
    mkdirSync(dir)
    writeFileSync(join(dir, 'a.yaml'), cm('from-dir-a'))
    writeFileSync(join(dir, 'b.yaml'), `${cm('from-dir-b')}---\n${pod('from-dir-p')}`)
    const created = (await c.ok(['create', '-f', dir])).split('\n').filter(Boolean).sort()
    assert.deepEqual(created, ['configmap/from-dir-a created', 'configmap/from-dir-b created', 'pod/from-dir-p created'])
    const deleted = (await c.ok(['delete', '-f', dir])).split('\n').filter(Boolean).sort()
    assert.deepEqual(deleted, ['configmap "from-dir-a" deleted', 'configmap "from-dir-b" deleted', 'pod "from-dir-p" deleted'])
    const left = (await names('cm')).filter((n) => n.startsWith('configmap/from-dir'))
    assert.deepEqual(left, [])
    const p = await c.kubectl(['get', 'pod', 'from-dir-p'])
    assert.equal(p.code, 1)
  })

  it('delete -l deletes only the matching objects', async () => {
    for (const [n, app] of [['lx-1', 'x'], ['lx-2', 'x'], ['ly-1', 'y']] as const) {
      await c.ok(['create', '-f', c.file(`${n}.yaml`, cm(n, { app }))])
    }
    const out = (await c.ok(['delete', 'cm', '-l', 'app=x'])).split('\n').filter(Boolean).sort()
    assert.deepEqual(out, ['configmap "lx-1" deleted', 'configmap "lx-2" deleted'])
    assert.deepEqual(await names('cm', '-l', 'app in (x,y)'), ['configmap/ly-1'])
  })

  it('delete --all empties one namespace and leaves the others alone', async () => {
    await c.ok(['create', 'namespace', 'scratch'])
    for (const n of ['s1', 's2', 's3']) await c.ok(['create', 'secret', 'generic', n, '-n', 'scratch', '--from-literal=a=b'])
    await c.ok(['create', 'secret', 'generic', 'keep', '--from-literal=a=b'])
    const out = (await c.ok(['delete', 'secrets', '--all', '-n', 'scratch'])).split('\n').filter(Boolean).sort()
    assert.deepEqual(out, ['secret "s1" deleted', 'secret "s2" deleted', 'secret "s3" deleted'])
    const r = await c.kubectl(['get', 'secrets', '-n', 'scratch'])
    assert.equal(r.code, 0)
    assert.equal(r.stderr.trim(), 'No resources found in scratch namespace.')
    assert.deepEqual(await names('secret', 'keep'), ['secret/keep'])
  })

  it('delete deploy --cascade=orphan keeps its ReplicaSet and drops the owner reference', async () => {
    await c.ok(['create', 'deployment', 'orph', '--image=nginx'])
    const uid = await c.ok(['get', 'deploy', 'orph', '-o', 'jsonpath={.metadata.uid}'])
    const rs = `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: orph-manual\n  labels: {app: orph-manual}\n  ownerReferences:\n` +
      `  - {apiVersion: apps/v1, kind: Deployment, name: orph, uid: ${uid}, controller: true, blockOwnerDeletion: true}\n` +
      'spec:\n  replicas: 0\n  selector: {matchLabels: {app: orph-manual}}\n  template:\n    metadata: {labels: {app: orph-manual}}\n' +
      '    spec: {containers: [{name: c, image: nginx}]}\n'
    await c.ok(['create', '-f', c.file('orph-rs.yaml', rs)])
    assert.equal(await c.ok(['delete', 'deploy', 'orph', '--cascade=orphan']), 'deployment.apps "orph" deleted\n')
    const gone = await c.kubectl(['get', 'deploy', 'orph'])
    assert.equal(gone.stderr.trim(), 'Error from server (NotFound): deployments.apps "orph" not found')
    const refs = await c.ok(['get', 'rs', 'orph-manual', '-o', 'jsonpath={.metadata.ownerReferences}'])
    assert.equal(refs, '')
  })

  it('delete pod --grace-period=0 --force removes a bound pod at once and warns', async () => {
    await c.ok(['create', '-f', c.file('bound.yaml', pod('bound', 'node-a'))])
    const r = await c.kubectl(['delete', 'pod', 'bound', '--grace-period=0', '--force'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stderr, /^[Ww]arning: Immediate deletion does not wait for confirmation that the running resource has been terminated\. The resource may continue to run on the cluster indefinitely\.$/m)
    assert.equal(r.stdout, 'pod "bound" force deleted\n')
    const g = await c.kubectl(['get', 'pod', 'bound'])
    assert.equal(g.stderr.trim(), 'Error from server (NotFound): pods "bound" not found')
  })

  it('a pod never scheduled is deleted immediately', async () => {
    await c.ok(['create', '-f', c.file('unbound.yaml', pod('unbound'))])
    // With kubectl's default --wait, a graceful deletion would make this time out.
    assert.equal(await c.ok(['delete', 'pod', 'unbound', '--timeout=10s']), 'pod "unbound" deleted\n')
    const g = await c.kubectl(['get', 'pod', 'unbound'])
    assert.equal(g.stderr.trim(), 'Error from server (NotFound): pods "unbound" not found')
  })

  it('wait --for=condition=Ready sees a status written while it waits', async () => {
    await c.ok(['create', '-f', c.file('p.yaml', pod('p'))])
    const notYet = await c.kubectl(['wait', '--for=condition=Ready', 'pod/p', '--timeout=1s'])
    assert.equal(notYet.code, 1)
    assert.equal(notYet.stderr.trim(), 'error: timed out waiting for the condition on pods/p')
    const waiting = c.kubectl(['wait', '--for=condition=Ready', 'pod/p', '--timeout=20s'])
    const status = '{"status":{"conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2025-01-01T00:00:00Z"}]}}'
    assert.equal(await c.ok(['patch', 'pod', 'p', '--subresource=status', '--type=merge', '-p', status]), 'pod/p patched\n')
    const r = await waiting
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'pod/p condition met\n')
    // The status write changed only status.
    assert.equal(await c.ok(['get', 'pod', 'p', '-o', 'jsonpath={.spec.containers[0].image}']), 'busybox')
  })

  it('wait --for=jsonpath on status.phase', async () => {
    const waiting = c.kubectl(['wait', "--for=jsonpath={.status.phase}=Running", 'pod/p', '--timeout=20s'])
    assert.equal(await c.ok(['patch', 'pod', 'p', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running"}}']), 'pod/p patched\n')
    const r = await waiting
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'pod/p condition met\n')
    assert.equal(await c.ok(['wait', "--for=jsonpath={.status.phase}=Running", 'pod/p', '--timeout=5s']), 'pod/p condition met\n')
  })

  it('wait --for=delete returns once the object is gone', async () => {
    await c.ok(['create', 'configmap', 'doomed', '--from-literal=a=b'])
    const waiting = c.kubectl(['wait', '--for=delete', 'cm/doomed', '--timeout=20s'])
    await c.ok(['delete', 'cm', 'doomed'])
    const r = await waiting
    assert.equal(r.code, 0, r.stderr)
    // kubectl prints "condition met" when it saw the deletion, nothing when it was already gone.
    assert.ok(r.stdout === 'configmap/doomed condition met\n' || r.stdout === '', r.stdout)
  })
})
