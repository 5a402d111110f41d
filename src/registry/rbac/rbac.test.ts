// Tests for rbac.authorization.k8s.io/v1: names, rules, subjects, defaults, roleRef immutability, cells.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { clusterRoleBindings, clusterRoles, rbacV1, roleBindings, roles } from './index.js'

const errors = (errs: { error: string }[]) => errs.map((e) => e.error)
const now = Date.parse('2024-01-01T00:05:00Z')
const meta = { name: 'r', namespace: 'dev', creationTimestamp: '2024-01-01T00:00:00.000Z' }

describe('rbac', () => {
  it('serves the four kinds with path-segment names', () => {
    assert.deepEqual(rbacV1.map((r) => `${r.resource}:${r.namespaced}`), ['roles:true', 'rolebindings:true', 'clusterroles:false', 'clusterrolebindings:false'])
    assert.deepEqual(roles.validateName('..'), ["may not be '..'"])
    assert.deepEqual(clusterRoles.validateName('a/b%c'), ["may not contain '/'", "may not contain '%'"])
    assert.deepEqual(clusterRoles.validateName('system:controller:Foo'), [])
  })
  it('validates rules', () => {
    const role: any = { metadata: meta, rules: [{ apiGroups: [''], resources: ['pods'] }, { verbs: ['get'] }, { nonResourceURLs: ['/healthz'], verbs: ['get'] }] }
    assert.deepEqual(errors(roles.validate(role)), [
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[1].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[1].resources: Required value: resource rules must supply at least one resource',
      'rules[2].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
    ])
    const cr: any = { metadata: { name: 'c' }, rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }, { nonResourceURLs: ['*'], resources: ['pods'], verbs: ['*'] }] }
    assert.deepEqual(errors(clusterRoles.validate(cr)), ['rules[1].nonResourceURLs: Invalid value: []string{"*"}: rules cannot apply to both regular resources and non-resource URLs'])
  })
  it('defaults apiGroups and validates subjects', () => {
    const b: any = { metadata: meta, roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'jane' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', name: 'default' }] }
    roleBindings.defaults(b)
    assert.deepEqual([b.roleRef.apiGroup, ...b.subjects.map((s: any) => s.apiGroup)], ['rbac.authorization.k8s.io', 'rbac.authorization.k8s.io', 'rbac.authorization.k8s.io', ''])
    assert.deepEqual(roleBindings.validate(b), [])
    // A cluster binding must say which namespace the service account lives in.
    assert.deepEqual(errors(clusterRoleBindings.validate({ ...b, roleRef: { ...b.roleRef, kind: 'Role' }, subjects: [...b.subjects, { kind: 'Robot', name: 'x' }] })), [
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      'subjects[2].namespace: Required value',
      'subjects[3].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    ])
    assert.deepEqual(errors(roleBindings.validate({ metadata: meta, roleRef: { apiGroup: 'x', kind: 'Role', name: '' }, subjects: [{ kind: 'User', apiGroup: 'x', name: '' }] } as any)), [
      'roleRef.apiGroup: Unsupported value: "x": supported values: "rbac.authorization.k8s.io"',
      'roleRef.name: Required value',
      'subjects[0].name: Required value',
      'subjects[0].apiGroup: Unsupported value: "x": supported values: "rbac.authorization.k8s.io"',
    ])
  })
  it('refuses to change roleRef', () => {
    const ref = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }
    const errs = errors(roleBindings.validateUpdate({ metadata: meta, roleRef: { ...ref, name: 'edit' } } as any, { metadata: meta, roleRef: ref } as any))
    assert.equal(errs.length, 1)
    assert.match(errs[0]!, /^roleRef: Invalid value: .*"edit".*: cannot change roleRef$/)
    assert.deepEqual(clusterRoleBindings.validateUpdate({ metadata: meta, roleRef: { ...ref } } as any, { metadata: meta, roleRef: ref } as any), [])
  })
  it('prints roles with Created At and bindings with Role and wide subjects', () => {
    assert.deepEqual(roles.columns.map((c) => [c.name, c.type, c.cell({ metadata: meta }, now)]), [['Name', 'string', 'r'], ['Created At', 'date', '2024-01-01T00:00:00Z']])
    const b: any = { metadata: meta, roleRef: { kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'User', name: 'a' }, { kind: 'User', name: 'b' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'dev' }] }
    assert.deepEqual(roleBindings.columns.map((c) => [c.name, c.priority ?? 0, c.cell(b, now)]), [
      ['Name', 0, 'r'], ['Role', 0, 'ClusterRole/edit'], ['Age', 0, '5m'], ['Users', 1, 'a, b'], ['Groups', 1, ''], ['ServiceAccounts', 1, 'dev/sa'],
    ])
  })
})
