import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { coreV1 } from './index.js'

// Identity as `kubectl api-resources` shows it on a 1.32 cluster.
const expected: Record<string, [kind: string, namespaced: boolean, short: string[]]> = {
  bindings: ['Binding', true, []], configmaps: ['ConfigMap', true, ['cm']], endpoints: ['Endpoints', true, ['ep']],
  events: ['Event', true, ['ev']], limitranges: ['LimitRange', true, ['limits']], namespaces: ['Namespace', false, ['ns']],
  nodes: ['Node', false, ['no']], persistentvolumeclaims: ['PersistentVolumeClaim', true, ['pvc']],
  persistentvolumes: ['PersistentVolume', false, ['pv']], pods: ['Pod', true, ['po']], podtemplates: ['PodTemplate', true, []],
  replicationcontrollers: ['ReplicationController', true, ['rc']], resourcequotas: ['ResourceQuota', true, ['quota']],
  secrets: ['Secret', true, []], serviceaccounts: ['ServiceAccount', true, ['sa']], services: ['Service', true, ['svc']],
}

describe('coreV1', () => {
  it('serves every core/v1 resource with upstream identity', () => {
    assert.deepEqual(coreV1.map((r) => r.resource).sort(), Object.keys(expected).sort())
    for (const r of coreV1) {
      const [kind, namespaced, short] = expected[r.resource]!
      assert.deepEqual([r.group, r.version, r.kind, r.namespaced, r.shortNames ?? []], ['', 'v1', kind, namespaced, short], r.resource)
      assert.equal(r.schema, `io.k8s.api.core.v1.${kind}`)
    }
  })
  it('puts pods, services and replication controllers in "all"', () => {
    assert.deepEqual(coreV1.filter((r) => r.categories?.includes('all')).map((r) => r.resource).sort(), ['pods', 'replicationcontrollers', 'services'])
  })
  it('declares the subresources the API server serves', () => {
    const subs = (name: string) => {
      const r = coreV1.find((x) => x.resource === name)!
      return [...(r.subresources?.status ? ['status'] : []), ...(r.subresources?.scale ? ['scale'] : []), ...(r.subresources?.extra ?? []).map((e) => e.name)]
    }
    assert.deepEqual(subs('pods'), ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'proxy', 'ephemeralcontainers'])
    assert.deepEqual(subs('services'), ['status', 'proxy'])
    assert.deepEqual(subs('nodes'), ['status', 'proxy'])
    assert.deepEqual(subs('namespaces'), ['status', 'finalize'])
    assert.deepEqual(subs('replicationcontrollers'), ['status', 'scale'])
    assert.deepEqual(subs('serviceaccounts'), ['token'])
    assert.deepEqual(coreV1.find((r) => r.resource === 'bindings')!.verbs, ['create'])
  })
  it('starts every table with the Name column (events print it last, wide)', () => {
    for (const r of coreV1) {
      if (!r.columns) continue
      const name = r.columns.find((c) => c.format === 'name')
      assert.ok(name && name.type === 'string', r.resource)
      if (r.resource !== 'events') assert.equal(r.columns[0], name, r.resource)
    }
  })
})
