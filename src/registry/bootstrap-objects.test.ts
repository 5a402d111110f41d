// Bootstrap objects must pass the same defaults and validation as objects users create.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { bootstrapObjects } from './bootstrap-objects.js'
import { rbacV1 } from './rbac/index.js'
import { schedulingV1 } from './scheduling/index.js'
import { networkingV1 } from './networking/index.js'

const entries = [...rbacV1, ...schedulingV1, ...networkingV1]

describe('bootstrapObjects', () => {
  it('passes its own defaults and validation', () => {
    const objs = bootstrapObjects()
    assert.ok(objs.length >= 8)
    for (const obj of objs) {
      const entry = entries.find((e) => `${e.group}/${e.version}` === obj.apiVersion && e.kind === obj.kind)
      assert.ok(entry, `no entry for ${obj.apiVersion} ${obj.kind}`)
      entry.defaults?.(obj)
      assert.deepEqual(entry.validate?.(obj) ?? [], [], `${obj.kind} ${obj.metadata?.name}`)
      assert.deepEqual((entry.validateName ?? (() => []))(obj.metadata!.name!), [])
    }
  })
  it('has the system priority classes and the cluster-admin grant for system:masters', () => {
    const objs = bootstrapObjects() as any[]
    const pcs = objs.filter((o) => o.kind === 'PriorityClass').map((o) => [o.metadata.name, o.value])
    assert.deepEqual(pcs, [['system-node-critical', 2000001000], ['system-cluster-critical', 2000000000]])
    const crb = objs.find((o) => o.kind === 'ClusterRoleBinding' && o.metadata.name === 'cluster-admin')
    assert.deepEqual([crb.roleRef.name, crb.subjects[0].kind, crb.subjects[0].name], ['cluster-admin', 'Group', 'system:masters'])
    assert.deepEqual(crb.metadata.labels, { 'kubernetes.io/bootstrapping': 'rbac-defaults' })
    assert.deepEqual(crb.metadata.annotations, { 'rbac.authorization.kubernetes.io/autoupdate': 'true' })
    const roles = new Map(objs.filter((o) => o.kind === 'ClusterRole').map((o) => [o.metadata.name, o]))
    for (const name of ['cluster-admin', 'admin', 'edit', 'view']) assert.ok(roles.has(name), name)
    assert.deepEqual(roles.get('cluster-admin').rules, [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }])
    // edit includes everything view grants; admin includes everything edit grants.
    const has = (outer: string, inner: string) => roles.get(inner).rules.every((r: unknown) => roles.get(outer).rules.some((o: unknown) => JSON.stringify(o) === JSON.stringify(r)))
    assert.ok(has('edit', 'view') && has('admin', 'edit'))
    assert.notEqual(bootstrapObjects()[0], bootstrapObjects()[0]) // fresh copies each call
  })
  it('has the ingress classes kubelite serves, its own the default', () => {
    const classes = (bootstrapObjects() as any[]).filter((o) => o.kind === 'IngressClass')
      .map((o) => [o.metadata.name, o.spec.controller, o.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] ?? ''])
    assert.deepEqual(classes, [['kubelite', 'kubelite.io/ingress-controller', 'true'], ['nginx', 'k8s.io/ingress-nginx', '']])
  })
})
