import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { findUnknownFields } from './unknown-fields.js'

const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment'

describe('findUnknownFields', () => {
  it('reports nested unknown fields with upstream path syntax, in document order', () => {
    const obj = {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'web', labels: { 'any/key': 'x' }, bogus: 1 },
      spec: {
        replicas: 2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxSurgex: 1 } },
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [
          { name: 'a', image: 'nginx' },
          { name: 'b', imagex: 'nginx', ports: [{ containerPort: 80, hostPortx: 1 }] },
        ] } },
      },
      extra: true,
    }
    assert.deepEqual(findUnknownFields(obj, DEPLOYMENT), [
      'metadata.bogus',
      'spec.strategy.rollingUpdate.maxSurgex',
      'spec.template.spec.containers[1].imagex',
      'spec.template.spec.containers[1].ports[0].hostPortx',
      'extra',
    ])
  })

  it('accepts a complete valid object, apiVersion/kind, nulls and free-form values', () => {
    const obj = {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'web', annotations: { a: 'b' }, finalizers: ['x'], creationTimestamp: null,
        managedFields: [{ manager: 'kubectl', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:anything': {} } } }] },
      spec: { selector: { matchLabels: { app: 'web' } }, strategy: null,
        template: { metadata: { labels: { app: 'web' } }, spec: {
          containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: 1, memory: '1Gi' } },
            env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }],
          volumes: [{ name: 'v', configMap: { name: 'cm' } }, { name: 'img', image: { reference: 'x' } }],
          resources: { limits: { cpu: '1' } } } } },
      status: {},
    }
    assert.deepEqual(findUnknownFields(obj, DEPLOYMENT), [])
  })

  it('checks top-level fields of kinds without a literal apiVersion/kind too', () => {
    assert.deepEqual(findUnknownFields({ apiVersion: 'v1', kind: 'Status', status: 'Failure', nope: 1 },
      'io.k8s.apimachinery.pkg.apis.meta.v1.Status'), ['nope'])
  })

  it('does not descend free-form values (RawExtension data)', () => {
    const rev = { apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: 1, data: { whatever: { deep: 1 } } }
    assert.deepEqual(findUnknownFields(rev, 'io.k8s.api.apps.v1.ControllerRevision'), [])
  })

  it('descends maps of object types, the key becoming a path segment', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'ws.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'ws', kind: 'W' }, versions: [{
        name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: { spec: { type: 'object', 'x-kubernetes-int-or-string': true, typo: 'x',
            items: { anything: 1 }, default: { free: 'form' } } } } } }] },
    }
    assert.deepEqual(findUnknownFields(crd, 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition'),
      ['spec.versions[0].schema.openAPIV3Schema.properties.spec.typo'])
  })

  it('matches names case-sensitively, as upstream does', () => {
    assert.deepEqual(findUnknownFields({ metadata: { Name: 'x' } }, 'io.k8s.api.core.v1.ConfigMap'), ['metadata.Name'])
  })

  it('returns nothing for unknown types or non-objects, and at most 100 paths', () => {
    assert.deepEqual(findUnknownFields({ a: 1 }, 'io.k8s.api.nope.v1.Nothing'), [])
    assert.deepEqual(findUnknownFields('text', DEPLOYMENT), [])
    const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`f${i}`, i]))
    const found = findUnknownFields({ metadata: many }, DEPLOYMENT)
    assert.equal(found.length, 100)
    assert.equal(found[0], 'metadata.f0')
  })

  it('is fast enough to run on every write', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } },
      spec: { containers: Array.from({ length: 5 }, (_, i) => ({ name: `c${i}`, image: 'i',
        env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }], volumeMounts: [{ name: 'v', mountPath: '/v' }] })) } }
    findUnknownFields(pod, 'io.k8s.api.core.v1.Pod') // warm: the table loads on first use
    const start = performance.now()
    for (let i = 0; i < 1000; i++) findUnknownFields(pod, 'io.k8s.api.core.v1.Pod')
    const perCallMs = (performance.now() - start) / 1000
    assert.ok(perCallMs < 0.5, `took ${perCallMs} ms per call`)
  })
})
