import { execFileSync } from 'node:child_process'
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { extraFields, extraTypes } from './overlay-fields.js'
import { doubleFields, int64Fields } from './overlay-formats.js'
import { patchOverlay } from './overlay-patch.js'
import { allSchemas, lookupSchema, schemaNameForKind } from './table.js'

const field = (type: string, name: string) => {
  const f = lookupSchema(type)?.fields?.find((x) => x.name === name)
  assert.ok(f, `${type}.${name} missing`)
  return f
}

describe('schema table', () => {
  it('indexes top-level kinds by group/version/kind', () => {
    assert.equal(schemaNameForKind('apps', 'v1', 'Deployment'), 'io.k8s.api.apps.v1.Deployment')
    assert.equal(schemaNameForKind('', 'v1', 'Pod'), 'io.k8s.api.core.v1.Pod')
    assert.equal(schemaNameForKind('', 'v1', 'PodList'), 'io.k8s.api.core.v1.PodList')
    assert.equal(schemaNameForKind('autoscaling', 'v2', 'HorizontalPodAutoscaler'), 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler')
    assert.equal(schemaNameForKind('events.k8s.io', 'v1', 'Event'), 'io.k8s.api.events.v1.Event')
    assert.equal(schemaNameForKind('rbac.authorization.k8s.io', 'v1', 'ClusterRole'), 'io.k8s.api.rbac.v1.ClusterRole')
    assert.equal(schemaNameForKind('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'),
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition')
    assert.equal(schemaNameForKind('', 'v1', 'Status'), 'io.k8s.apimachinery.pkg.apis.meta.v1.Status')
    assert.equal(schemaNameForKind('apps', 'v1', 'Nope'), undefined)
    assert.deepEqual(lookupSchema('io.k8s.api.apps.v1.Deployment')?.gvk, [{ group: 'apps', version: 'v1', kind: 'Deployment' }])
  })

  it('carries field types, required-ness and descriptions from kubernetes-types', () => {
    const spec = lookupSchema('io.k8s.api.apps.v1.DeploymentSpec')
    assert.ok(spec?.description)
    assert.deepEqual(field('io.k8s.api.apps.v1.DeploymentSpec', 'selector').type,
      { kind: 'ref', name: 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector' })
    assert.equal(field('io.k8s.api.apps.v1.DeploymentSpec', 'selector').required, true)
    assert.equal(field('io.k8s.api.apps.v1.DeploymentSpec', 'replicas').required, undefined)
    assert.deepEqual(field('io.k8s.api.core.v1.ResourceRequirements', 'limits').type,
      { kind: 'map', values: { kind: 'ref', name: 'io.k8s.apimachinery.pkg.api.resource.Quantity' } })
    assert.deepEqual(field('io.k8s.api.apps.v1.RollingUpdateDeployment', 'maxSurge').type,
      { kind: 'ref', name: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString' })
    assert.deepEqual(field('io.k8s.api.apps.v1.ControllerRevision', 'data').type, { kind: 'any' })
    assert.match(field('io.k8s.api.core.v1.Container', 'image').description ?? '', /image/i)
  })

  it('has the special scalars', () => {
    assert.deepEqual(lookupSchema('io.k8s.apimachinery.pkg.api.resource.Quantity')?.scalar, { type: 'string' })
    assert.deepEqual(lookupSchema('io.k8s.apimachinery.pkg.util.intstr.IntOrString')?.scalar, { type: 'int-or-string' })
    assert.deepEqual(lookupSchema('io.k8s.apimachinery.pkg.apis.meta.v1.Time')?.scalar, { type: 'string', format: 'date-time' })
    assert.deepEqual(lookupSchema('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime')?.scalar, { type: 'string', format: 'date-time' })
  })

  it('applies the patch overlay', () => {
    const volumes = field('io.k8s.api.core.v1.PodSpec', 'volumes')
    assert.deepEqual([volumes.patchStrategy, volumes.patchMergeKey, volumes.listType, volumes.listMapKeys],
      ['merge,retainKeys', 'name', 'map', ['name']])
    assert.equal(field('io.k8s.api.apps.v1.DeploymentSpec', 'strategy').patchStrategy, 'retainKeys')
    assert.equal(field('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers').patchStrategy, 'merge')
    assert.equal(field('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'ownerReferences').patchMergeKey, 'uid')
    const byKey: [string, string, string][] = [
      ['io.k8s.api.core.v1.PodSpec', 'containers', 'name'], ['io.k8s.api.core.v1.PodSpec', 'imagePullSecrets', 'name'],
      ['io.k8s.api.core.v1.Container', 'env', 'name'], ['io.k8s.api.core.v1.Container', 'ports', 'containerPort'],
      ['io.k8s.api.core.v1.Container', 'volumeMounts', 'mountPath'], ['io.k8s.api.core.v1.ServiceSpec', 'ports', 'port'],
      ['io.k8s.api.core.v1.NodeStatus', 'addresses', 'type'], ['io.k8s.api.core.v1.PodStatus', 'podIPs', 'ip'],
      ['io.k8s.api.apps.v1.DeploymentStatus', 'conditions', 'type'], ['io.k8s.api.core.v1.ServiceAccount', 'secrets', 'name'],
      ['io.k8s.api.core.v1.PodSpec', 'hostAliases', 'ip'], ['io.k8s.api.core.v1.PodSpec', 'topologySpreadConstraints', 'topologyKey'],
    ]
    for (const [type, name, key] of byKey) {
      assert.equal(field(type, name).patchMergeKey, key, `${type}.${name}`)
      assert.match(field(type, name).patchStrategy ?? '', /merge/)
    }
    assert.equal(field('io.k8s.api.core.v1.PodSpec', 'tolerations').patchStrategy, undefined)
    assert.equal(field('io.k8s.api.core.v1.PodSpec', 'tolerations').listType, 'atomic')
  })

  it('applies number formats', () => {
    assert.deepEqual(field('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'generation').type,
      { kind: 'primitive', type: 'integer', format: 'int64' })
    assert.deepEqual(field('io.k8s.api.apps.v1.DeploymentSpec', 'replicas').type,
      { kind: 'primitive', type: 'integer', format: 'int32' })
    assert.deepEqual(field('io.k8s.api.core.v1.PodSecurityContext', 'supplementalGroups').type,
      { kind: 'array', items: { kind: 'primitive', type: 'integer', format: 'int64' } })
    assert.deepEqual(field('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', 'maximum').type,
      { kind: 'primitive', type: 'number', format: 'double' })
  })

  it('resolves every overlay entry to a type and field of the table', () => {
    const missing: string[] = []
    for (const [type, fields] of Object.entries({ ...patchOverlay, ...extraFields, ...extraTypes })) {
      for (const name of Object.keys(fields)) if (!lookupSchema(type)?.fields?.some((f) => f.name === name)) missing.push(`${type}.${name}`)
    }
    for (const list of [int64Fields, doubleFields]) {
      for (const [type, names] of Object.entries(list)) {
        for (const name of names.split(' ')) if (!lookupSchema(type)?.fields?.some((f) => f.name === name)) missing.push(`${type}.${name}`)
      }
    }
    assert.deepEqual(missing, [])
  })

  it('has no dangling references', () => {
    const dangling = new Set<string>()
    const visit = (ref: import('./types.js').TypeRef): void => {
      if (ref.kind === 'ref' && !lookupSchema(ref.name)) dangling.add(ref.name)
      if (ref.kind === 'array') visit(ref.items)
      if (ref.kind === 'map') visit(ref.values)
    }
    for (const t of allSchemas()) for (const f of t.fields ?? []) visit(f.type)
    assert.deepEqual([...dangling], [])
  })

  it('builds on first use, in a fresh process, within the start-up budget', () => {
    const url = new URL('./table.js', import.meta.url).href
    const ms = Number(execFileSync(process.execPath, ['--input-type=module', '-e',
      `const t0 = performance.now(); const m = await import(${JSON.stringify(url)}); const t1 = performance.now();` +
      `m.lookupSchema('io.k8s.api.core.v1.Pod'); console.log(performance.now() - t1)`], { encoding: 'utf8' }))
    // Measured ~10 ms on the dev machine; the bound leaves room for a slow CI box.
    assert.ok(ms < 100, `first lookup took ${ms} ms`)
  })
})
