import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { PodTemplate, PodTemplateSpec, ReplicationController } from 'kubernetes-types/core/v1.js'
import { defaultPodTemplateSpec, validatePodTemplateSpec } from './index.js'
import { podtemplates, replicationcontrollers } from './workloads.js'
import { create, row, update } from './testing.js'
import { w } from './util.js'

const NOW = Date.parse('2024-05-01T12:00:00Z')
const rc = (): ReplicationController => ({
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z' },
  spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'log', image: 'busybox' }] } } },
})

describe('pod templates shared with apps/batch', () => {
  it('defaults the spec but not the pod-only fields, and shows creationTimestamp: null', () => {
    const t: PodTemplateSpec = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } }
    defaultPodTemplateSpec(t)
    assert.deepEqual(t, {
      metadata: { labels: { app: 'web' }, creationTimestamp: null },
      spec: {
        containers: [{ name: 'web', image: 'nginx', imagePullPolicy: 'Always', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
        dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30,
      },
    })
  })
  it('validates template labels at <path>.labels and the spec at <path>.spec', () => {
    const errs = validatePodTemplateSpec({ metadata: { labels: { 'a b': 'x' } }, spec: { containers: [] } }, 'spec.template').map((e) => e.error)
    assert.ok(errs[0]!.startsWith('spec.template.labels: Invalid value: "a b"'))
    assert.ok(errs.includes('spec.template.spec.containers: Required value'))
  })
})

describe('replicationcontrollers', () => {
  it('takes selector and labels from the template, one replica, generation 1', () => {
    const { obj, errors } = create(replicationcontrollers, rc())
    assert.deepEqual(errors, [])
    assert.deepEqual(obj.spec!.selector, { app: 'web' })
    assert.deepEqual(obj.metadata!.labels, { app: 'web' })
    assert.equal(obj.spec!.replicas, 1)
    assert.equal(obj.metadata!.generation, 1)
    assert.deepEqual(obj.status, { replicas: 0 })
  })
  it('rejects a selector that misses the template and a non-Always restart policy', () => {
    const r = rc()
    r.spec!.selector = { app: 'other' }
    r.spec!.template!.spec!.restartPolicy = 'Never'
    assert.deepEqual(create(replicationcontrollers, r).errors, [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ])
  })
  it('bumps generation on spec changes only', () => {
    const old = create(replicationcontrollers, rc()).obj
    const same = structuredClone(old)
    same.metadata!.labels = { app: 'web', x: 'y' }
    assert.equal(update(replicationcontrollers, same, old).obj.metadata!.generation, 1)
    const scaled = structuredClone(old)
    scaled.spec!.replicas = 3
    assert.equal(update(replicationcontrollers, scaled, old).obj.metadata!.generation, 2)
    const st = structuredClone(old)
    w(st).status = { replicas: 1, readyReplicas: 2 }
    assert.deepEqual(update(replicationcontrollers, st, old, { status: true }).errors, ['status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas'])
  })
  it('prints desired/current/ready and wide containers', () => {
    const r = create(replicationcontrollers, rc()).obj
    assert.deepEqual(row(replicationcontrollers, r, NOW), {
      Name: 'web', Desired: 1, Current: 0, Ready: 0, Age: '60m', Containers: 'web,log', Images: 'nginx:1.27,busybox', Selector: 'app=web',
    })
    assert.deepEqual(replicationcontrollers.selectableFields(r), { 'status.replicas': '0' })
  })
})

describe('podtemplates', () => {
  it('defaults, validates and prints', () => {
    const { obj, errors } = create(podtemplates, { metadata: { name: 'pt' }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } } } as PodTemplate)
    assert.deepEqual(errors, [])
    assert.equal(obj.template!.spec!.containers[0]!.imagePullPolicy, 'IfNotPresent')
    assert.deepEqual(row(podtemplates, obj, NOW), { Name: 'pt', Containers: 'c', Images: 'i:1', 'Pod Labels': 'a=b' })
  })
})
