import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { applyStrategicMergePatch } from './strategic-merge.js'
import { DEPLOYMENT, lookup } from './schema-fixture.test.js'

// The exact patches kubectl 1.32 sends (kubectl-contract.md §5.1, §5.4), against a live object.
const live = () => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"old":true}\n' }, finalizers: ['f'] },
  spec: {
    replicas: 1,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        restartPolicy: 'Always',
        containers: [{ name: 'nginx', image: 'nginx:1.25', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }] }],
      },
    },
  },
})

describe('kubectl patches', () => {
  it('client-side apply: containers and env merged by name, B deleted, order from $setElementOrder', () => {
    const patch = '{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"new\\":true}\\n"}},' +
      '"spec":{"replicas":3,"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],' +
      '"containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"C"}],' +
      '"env":[{"name":"C","value":"3"},{"$patch":"delete","name":"B"}],' +
      '"image":"nginx:1.26","name":"nginx"}]}}}}'
    const out = applyStrategicMergePatch(live(), patch, DEPLOYMENT, lookup)
    const expected = live()
    expected.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = '{"new":true}\n'
    expected.spec.replicas = 3
    expected.spec.template.spec.containers = [{ name: 'nginx', image: 'nginx:1.26', env: [{ name: 'A', value: '1' }, { name: 'C', value: '3' }], ports: [{ containerPort: 80 }] }]
    assert.deepEqual(out, expected)
  })
  it('set image: only the image changes, containers keep their order', () => {
    const original = live()
    original.spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox', env: [], ports: [] })
    const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }], containers: [{ image: 'nginx:1.27', name: 'nginx' }] } } } }
    const out = applyStrategicMergePatch(original, patch, DEPLOYMENT, lookup)
    const expected = live()
    expected.spec.template.spec.containers[0]!.image = 'nginx:1.27'
    expected.spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox', env: [], ports: [] })
    assert.deepEqual(out, expected)
  })
  it('rollout pause/resume and restart', () => {
    const paused = applyStrategicMergePatch(live(), { spec: { paused: true } }, DEPLOYMENT, lookup) as any
    assert.equal(paused.spec.paused, true)
    assert.equal('paused' in applyStrategicMergePatch(paused, { spec: { paused: null } }, DEPLOYMENT, lookup).spec, false)
    const restarted = applyStrategicMergePatch(live(), { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } } } } }, DEPLOYMENT, lookup) as any
    assert.deepEqual(restarted.spec.template.metadata, { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } })
  })
  it('apply switching strategy to Recreate with $retainKeys', () => {
    const out = applyStrategicMergePatch(live(), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, DEPLOYMENT, lookup) as any
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' })
  })
})
