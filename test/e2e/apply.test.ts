/**
 * Client-side `kubectl apply` of a directory of mixed kinds: create, no-op, three-way
 * strategic merge by name, diff, and server-side dry run.
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { startCluster, type Cluster } from './harness.js'

const deployment = (image: string, env: { name: string; value: string }[]) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    replicas: 2, selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [
        { name: 'nginx', image, env, ports: [{ containerPort: 80 }] },
        { name: 'sidecar', image: 'busybox', command: ['sleep', '3600'] },
      ] },
    },
  },
})
const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] } }
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config' }, data: { MODE: 'dev' } }

describe('kubectl apply', () => {
  let c: Cluster
  let dir: string
  before(async () => {
    c = await startCluster()
    dir = join(c.home, '..', 'manifests')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'config.yaml'), stringify(configMap))
    writeFileSync(join(dir, 'deploy.yaml'), stringify(deployment('nginx:1.26', [{ name: 'A', value: '1' }, { name: 'B', value: '2' }])))
    writeFileSync(join(dir, 'svc.yaml'), stringify(service))
  })
  after(() => c?.stop())

  it('creates every object, then finds them unchanged', async () => {
    const first = await c.ok(['apply', '-f', dir])
    assert.deepEqual(first.trim().split('\n').sort(), ['configmap/web-config created', 'deployment.apps/web created', 'service/web created'])
    const again = await c.ok(['apply', '-f', dir])
    assert.deepEqual(again.trim().split('\n').sort(), ['configmap/web-config unchanged', 'deployment.apps/web unchanged', 'service/web unchanged'])
  })

  it('merges containers and env by name on change, keeping what others set', async () => {
    await c.ok(['label', 'deployment', 'web', 'team=blue'])
    await c.ok(['annotate', 'deployment', 'web', 'note=kept'])
    writeFileSync(join(dir, 'deploy.yaml'), stringify(deployment('nginx:1.27', [{ name: 'A', value: '1' }, { name: 'C', value: '3' }])))
    const diff = await c.kubectl(['diff', '-f', join(dir, 'deploy.yaml')])
    assert.equal(diff.code, 1, diff.stderr) // 1: differences found
    assert.match(diff.stdout, /^-\s+image: nginx:1\.26$/m)
    assert.match(diff.stdout, /^\+\s+image: nginx:1\.27$/m)
    assert.match(diff.stdout, /^-\s+- name: B$/m)
    const out = await c.ok(['apply', '-f', dir])
    assert.deepEqual(out.trim().split('\n').sort(), ['configmap/web-config unchanged', 'deployment.apps/web configured', 'service/web unchanged'])
    const d = JSON.parse(await c.ok(['get', 'deployment', 'web', '-o', 'json']))
    const [nginx, sidecar] = d.spec.template.spec.containers
    assert.equal(nginx.name, 'nginx')
    assert.equal(nginx.image, 'nginx:1.27')
    assert.deepEqual(nginx.env, [{ name: 'A', value: '1' }, { name: 'C', value: '3' }])
    assert.deepEqual(nginx.ports, [{ containerPort: 80, protocol: 'TCP' }])
    assert.equal(sidecar.name, 'sidecar')
    assert.deepEqual(sidecar.command, ['sleep', '3600'])
    assert.equal(d.metadata.labels.team, 'blue')
    assert.equal(d.metadata.annotations.note, 'kept')
    // Upstream bumps a Deployment's generation for annotation changes too: annotate, then apply.
    assert.equal(d.metadata.generation, 3)
    const noDiff = await c.kubectl(['diff', '-f', dir])
    assert.equal(noDiff.code, 0, noDiff.stdout + noDiff.stderr)
  })

  it('--dry-run=server stores nothing', async () => {
    const f = c.file('dry.yaml', stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' }, data: { a: 'b' } }))
    assert.equal((await c.ok(['apply', '--dry-run=server', '-f', f])).trim(), 'configmap/dry created (server dry run)')
    assert.equal((await c.kubectl(['get', 'configmap', 'dry'])).code, 1)
    writeFileSync(join(dir, 'deploy.yaml'), stringify(deployment('nginx:1.28', [])))
    assert.match(await c.ok(['apply', '--dry-run=server', '-f', join(dir, 'deploy.yaml')]), /deployment\.apps\/web configured \(server dry run\)/)
    const image = await c.ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])
    assert.equal(image, 'nginx:1.27')
  })

  it('server-side apply creates, then updates', async () => {
    const f = c.file('ssa.yaml', stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { a: '1' } }))
    assert.equal((await c.ok(['apply', '--server-side', '-f', f])).trim(), 'configmap/ssa serverside-applied')
    writeFileSync(f, stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { a: '2' } }))
    assert.equal((await c.ok(['apply', '--server-side', '-f', f])).trim(), 'configmap/ssa serverside-applied')
    assert.equal(await c.ok(['get', 'cm', 'ssa', '-o', 'jsonpath={.data.a}']), '2')
  })
})
