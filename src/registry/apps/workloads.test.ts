import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { ControllerRevision, DaemonSet, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js'
import { controllerRevisions, daemonSets, replicaSets, setStatus, statefulSets, TEMPLATE_GENERATION_ANNOTATION, type Kube } from './index.js'

const template = (labels: Record<string, string> = { app: 'db' }) =>
  ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'postgres' }] } })
const errs = (list: { error: string }[]) => list.map((e) => e.error)

describe('replicasets', () => {
  const rs = (): Kube<ReplicaSet> => ({ metadata: { name: 'web-1' }, spec: { selector: { matchLabels: { app: 'db' } }, template: template() } })

  it('defaults replicas to 1 and starts status at replicas 0', () => {
    const r = rs()
    replicaSets.defaults(r)
    replicaSets.prepareForCreate(r)
    assert.equal(r.spec!.replicas, 1)
    assert.deepEqual(r.status, { replicas: 0 })
    assert.equal(r.metadata?.generation, 1)
    assert.deepEqual(errs(replicaSets.validate(r)), [])
  })

  it('validates selector match and restartPolicy', () => {
    const r = rs()
    r.spec!.template!.metadata!.labels = { app: 'web' }
    r.spec!.template!.spec!.restartPolicy = 'OnFailure'
    replicaSets.defaults(r)
    assert.deepEqual(errs(replicaSets.validate(r)), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    ])
  })

  it('prints Desired/Current/Ready and selects on status.replicas', () => {
    const r = rs()
    replicaSets.defaults(r)
    setStatus(r, { replicas: 2, readyReplicas: 1 })
    assert.deepEqual(replicaSets.columns.map((c) => c.name), ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers', 'Images', 'Selector'])
    assert.deepEqual(replicaSets.columns.map((c) => c.cell(r, 0)), ['web-1', 1, 2, 1, '<unknown>', 'c', 'postgres', 'app=db'])
    assert.deepEqual(replicaSets.selectableFields(r), { 'status.replicas': '2' })
    assert.deepEqual(replicaSets.shortNames, ['rs'])
  })

  it('status updates keep the spec and check counts', () => {
    const old = rs()
    replicaSets.defaults(old)
    const upd = structuredClone(old)
    upd.spec!.replicas = 5
    setStatus(upd, { replicas: 1, readyReplicas: 2 })
    replicaSets.status.prepareForUpdate(upd, old)
    assert.equal(upd.spec!.replicas, 1)
    assert.deepEqual(errs(replicaSets.status.validateUpdate(upd)), ['status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas'])
  })
})

describe('statefulsets', () => {
  const sts = (): Kube<StatefulSet> => ({
    metadata: { name: 'db' },
    spec: {
      serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template(),
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  })

  it('defaults as upstream, claim templates included', () => {
    const s = sts()
    statefulSets.defaults(s)
    statefulSets.prepareForCreate(s)
    assert.equal(s.spec!.replicas, 1)
    assert.equal(s.spec!.podManagementPolicy, 'OrderedReady')
    assert.deepEqual(s.spec!.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } })
    assert.equal(s.spec!.revisionHistoryLimit, 10)
    assert.deepEqual(s.spec!.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' })
    const claim = s.spec!.volumeClaimTemplates![0]!
    assert.equal(claim.spec!.volumeMode, 'Filesystem')
    assert.deepEqual(claim.status, { phase: 'Pending' })
    assert.deepEqual([claim.apiVersion, claim.kind], ['v1', 'PersistentVolumeClaim'])
    assert.equal(s.spec!.template.spec!.restartPolicy, 'Always')
    assert.deepEqual(s.status, { replicas: 0, availableReplicas: 0 })
    assert.deepEqual(errs(statefulSets.validate(s)), [])
  })

  it('an OnDelete strategy gets no rolling update', () => {
    const s = sts()
    s.spec!.updateStrategy = { type: 'OnDelete' }
    statefulSets.defaults(s)
    assert.deepEqual(s.spec!.updateStrategy, { type: 'OnDelete' })
  })

  it('forbids updates outside the mutable fields', () => {
    const old = sts()
    statefulSets.defaults(old)
    const upd = structuredClone(old)
    upd.spec!.replicas = 3
    upd.spec!.template.spec!.containers[0]!.image = 'postgres:17'
    assert.deepEqual(statefulSets.validateUpdate(upd, old), [])
    upd.spec!.serviceName = 'other'
    assert.deepEqual(errs(statefulSets.validateUpdate(upd, old)), [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ])
  })

  it('bumps generation only on spec changes', () => {
    const old = sts()
    statefulSets.defaults(old)
    statefulSets.prepareForCreate(old)
    const same = structuredClone(old)
    same.metadata!.annotations = { a: 'b' }
    statefulSets.prepareForUpdate(same, old)
    assert.equal(same.metadata?.generation, 1)
    const scaled = structuredClone(old)
    scaled.spec!.replicas = 2
    statefulSets.prepareForUpdate(scaled, old)
    assert.equal(scaled.metadata?.generation, 2)
  })

  it('prints Ready as ready/desired', () => {
    const s = sts()
    statefulSets.defaults(s)
    s.spec!.replicas = 3
    s.status = { replicas: 3, readyReplicas: 1 }
    assert.deepEqual(statefulSets.columns.map((c) => c.cell(s, 0)), ['db', '1/3', '<unknown>', 'c', 'postgres'])
  })
})

describe('daemonsets', () => {
  const ds = (): Kube<DaemonSet> => ({ metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'db' } }, template: template() } })

  it('defaults, and keeps the template generation in its annotation', () => {
    const d = ds()
    daemonSets.defaults(d)
    daemonSets.prepareForCreate(d)
    assert.deepEqual(d.spec!.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } })
    assert.equal(d.spec!.revisionHistoryLimit, 10)
    assert.equal(d.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION], '1')
    assert.deepEqual(d.status, { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 })
    assert.deepEqual(errs(daemonSets.validate(d)), [])

    const upd = structuredClone(d)
    upd.spec!.template.spec!.containers[0]!.image = 'postgres:17'
    daemonSets.prepareForUpdate(upd, d)
    assert.equal(upd.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION], '2')
    assert.equal(upd.metadata?.generation, 2)
    const noop = structuredClone(upd)
    noop.metadata!.annotations = {}
    daemonSets.prepareForUpdate(noop, upd)
    assert.equal(noop.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION], '2')
    assert.equal(noop.metadata?.generation, 2)
  })

  it('needs exactly one of maxSurge and maxUnavailable', () => {
    const d = ds()
    d.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } }
    daemonSets.defaults(d)
    assert.deepEqual(errs(daemonSets.validate(d)), ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0'])
    d.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '10%' } }
    assert.deepEqual(errs(daemonSets.validate(d)), ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"10%"}: may not be set when maxUnavailable is non-zero'])
  })

  it('prints its columns', () => {
    const d = ds()
    daemonSets.defaults(d)
    d.spec!.template.spec!.nodeSelector = { 'kubernetes.io/os': 'linux' }
    setStatus(d, { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2, numberMisscheduled: 0 })
    assert.deepEqual(daemonSets.columns.map((c) => c.name), ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers', 'Images', 'Selector'])
    assert.deepEqual(daemonSets.columns.map((c) => c.cell(d, 0)), ['agent', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '<unknown>', 'c', 'postgres', 'app=db'])
  })
})

describe('controllerrevisions', () => {
  const cr = (): Kube<ControllerRevision> => ({
    metadata: { name: 'agent-5d4f', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }] },
    revision: 2, data: { spec: {} },
  })
  it('prints the controller as kind.group/name', () => {
    assert.deepEqual(controllerRevisions.columns.map((c) => c.cell(cr(), 0)), ['agent-5d4f', 'daemonset.apps/agent', 2, '<unknown>'])
  })
  it('requires data and keeps it immutable', () => {
    const bad = cr()
    delete bad.data
    assert.deepEqual(errs(controllerRevisions.validate(bad)), ['data: Required value: data is mandatory'])
    const upd = cr()
    upd.data = { spec: { x: 1 } }
    assert.equal(controllerRevisions.validateUpdate(upd, cr()).length, 1)
  })
})
