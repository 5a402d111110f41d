import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Deployment } from 'kubernetes-types/apps/v1.js'
import { deployments, type Kube } from './index.js'

/** The body `kubectl create deployment web --image=nginx` sends. */
const kubectlCreate = (): Kube<Deployment> => ({
  kind: 'Deployment', apiVersion: 'apps/v1',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    replicas: 1, selector: { matchLabels: { app: 'web' } }, strategy: {},
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] } },
  },
  status: {},
})

/** What the store does on create, in its order. */
function create(d: Kube<Deployment>): { obj: Kube<Deployment>; errors: string[] } {
  deployments.defaults(d)
  deployments.prepareForCreate(d)
  return { obj: d, errors: deployments.validate(d).map((e) => e.error) }
}

const errorsOf = (d: Kube<Deployment>) => deployments.validate(d).map((e) => e.error)

describe('deployments', () => {
  it('defaults a kubectl-created Deployment as a 1.32 cluster stores it', () => {
    const { obj, errors } = create(kubectlCreate())
    assert.deepEqual(errors, [])
    assert.deepEqual(obj.spec, {
      progressDeadlineSeconds: 600,
      replicas: 1,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'web' } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
      template: {
        metadata: { creationTimestamp: null, labels: { app: 'web' } } as never,
        spec: {
          containers: [{
            image: 'nginx', imagePullPolicy: 'Always', name: 'nginx', resources: {},
            terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
          }],
          dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler',
          securityContext: {}, terminationGracePeriodSeconds: 30,
        },
      },
    })
    assert.deepEqual(obj.status, {})
    assert.equal(obj.metadata?.generation, 1)
  })

  it('keeps explicit values and fills only what is missing', () => {
    const d = kubectlCreate()
    d.spec!.strategy = { rollingUpdate: { maxSurge: 2 } }
    d.spec!.revisionHistoryLimit = 0
    deployments.defaults(d)
    assert.deepEqual(d.spec!.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: '25%' } })
    assert.equal(d.spec!.revisionHistoryLimit, 0)
  })

  it('says the selector does not match the template labels, with the labels as Go prints them', () => {
    const d = kubectlCreate()
    d.spec!.selector = { matchLabels: { app: 'other' } }
    assert.deepEqual(create(d).errors,
      ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`'])
  })

  it('requires a selector, and a non-empty one', () => {
    const d = kubectlCreate()
    d.spec!.selector = undefined as never
    deployments.defaults(d)
    assert.ok(errorsOf(d).includes('spec.selector: Required value'))
    d.spec!.selector = {}
    assert.ok(errorsOf(d).includes('spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment'))
  })

  it('rejects restartPolicy other than Always', () => {
    const d = kubectlCreate()
    d.spec!.template.spec!.restartPolicy = 'Never'
    assert.deepEqual(create(d).errors, ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'])
  })

  it('checks rolling update bounds', () => {
    const d = kubectlCreate()
    d.spec!.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }
    assert.deepEqual(create(d).errors, ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0'])
    d.spec!.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'x', maxUnavailable: '150%' } }
    assert.deepEqual(errorsOf(d), [
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"x\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
    ])
    d.spec!.strategy = { type: 'Blue' }
    assert.deepEqual(errorsOf(d), ['spec.strategy.type: Unsupported value: "Blue": supported values: "Recreate", "RollingUpdate"'])
    d.spec!.replicas = -1
    d.spec!.strategy = { type: 'Recreate' }
    assert.deepEqual(errorsOf(d), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'])
  })

  it('forbids changing the selector', () => {
    const old = create(kubectlCreate()).obj
    const d = structuredClone(old)
    d.spec!.selector = { matchLabels: { app: 'web2' } }
    assert.deepEqual(deployments.validateUpdate(d, old).map((e) => e.error),
      ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable'])
    assert.deepEqual(deployments.validateUpdate(structuredClone(old), old), [])
  })

  it('bumps generation on spec or annotation changes only, and keeps status', () => {
    const old = create(kubectlCreate()).obj
    old.status = { replicas: 1, readyReplicas: 1 }
    const labelsOnly = structuredClone(old)
    labelsOnly.metadata!.labels = { app: 'web', tier: 'x' }
    labelsOnly.status = { replicas: 99 }
    deployments.prepareForUpdate(labelsOnly, old)
    assert.equal(labelsOnly.metadata?.generation, 1)
    assert.deepEqual(labelsOnly.status, { replicas: 1, readyReplicas: 1 })

    const scaled = structuredClone(old)
    scaled.spec!.replicas = 3
    deployments.prepareForUpdate(scaled, old)
    assert.equal(scaled.metadata?.generation, 2)

    const restarted = structuredClone(old)
    restarted.metadata!.annotations = { 'kubectl.kubernetes.io/restartedAt': 'now' }
    deployments.prepareForUpdate(restarted, old)
    assert.equal(restarted.metadata?.generation, 2)
  })

  it('status updates keep spec and labels', () => {
    const old = create(kubectlCreate()).obj
    const upd = structuredClone(old)
    upd.spec!.replicas = 7
    upd.metadata!.labels = { hacked: 'yes' }
    upd.status = { replicas: 1, observedGeneration: 1 }
    deployments.status.prepareForUpdate(upd, old)
    assert.equal(upd.spec!.replicas, 1)
    assert.deepEqual(upd.metadata!.labels, { app: 'web' })
    assert.deepEqual(upd.status, { replicas: 1, observedGeneration: 1 })
  })

  it('prints the columns kubectl shows', () => {
    const d = create(kubectlCreate()).obj
    d.spec!.replicas = 3
    d.metadata = { ...d.metadata, creationTimestamp: '2024-01-01T00:00:00Z' }
    d.status = { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 }
    const now = Date.parse('2024-01-01T00:05:00Z')
    assert.deepEqual(deployments.columns.map((c) => c.name), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector'])
    assert.deepEqual(deployments.columns.map((c) => c.cell(d, now)), ['web', '2/3', 3, 2, '5m', 'nginx', 'nginx', 'app=web'])
    assert.deepEqual(deployments.columns.map((c) => c.priority ?? 0), [0, 0, 0, 0, 0, 1, 1, 1])
  })

  it('describes itself as discovery does', () => {
    assert.deepEqual([deployments.shortNames, deployments.categories, deployments.singular], [['deploy'], ['all'], 'deployment'])
    assert.deepEqual(deployments.subresources.scale, { specReplicasPath: ['spec', 'replicas'], statusReplicasPath: ['status', 'replicas'], labelSelectorPath: ['spec', 'selector'] })
  })
})
