// Type errors in decoded bodies, worded as Kubernetes' JSON decoder words them.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { firstTypeError } from './type-errors.js'

const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment'
const POD = 'io.k8s.api.core.v1.Pod'
const deploy = (spec: unknown) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec })

describe('firstTypeError', () => {
  it('accepts well-typed objects, nulls, quantities and int-or-strings in either form', () => {
    assert.equal(firstTypeError(deploy({ replicas: 3, paused: null, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } }), DEPLOYMENT), undefined)
    assert.equal(firstTypeError({ spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: 1, memory: '1Gi' } }, ports: [{ containerPort: 80 }] }] } }, POD), undefined)
    assert.equal(firstTypeError({ metadata: { creationTimestamp: null, labels: { a: 'b' } } }, POD), undefined)
  })

  it('names the struct, the dotted path and the Go type', () => {
    assert.equal(firstTypeError(deploy({ replicas: 'three' }), DEPLOYMENT),
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32')
    assert.equal(firstTypeError(deploy('nope'), DEPLOYMENT),
      'json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec')
    assert.equal(firstTypeError(deploy({ paused: 'yes' }), DEPLOYMENT),
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool')
    assert.equal(firstTypeError({ spec: { activeDeadlineSeconds: 'x' } }, POD),
      'json: cannot unmarshal string into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64')
  })

  it('reports bad list elements and map values at the field holding them, without indexes', () => {
    assert.equal(firstTypeError({ spec: { containers: ['nginx'] } }, POD),
      'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container')
    assert.equal(firstTypeError({ spec: { containers: [{ name: 'c', ports: [{ containerPort: '80' }] }] } }, POD),
      'json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32')
    assert.equal(firstTypeError({ metadata: { labels: { tier: 1 } } }, POD),
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string')
    assert.equal(firstTypeError({ spec: { containers: { name: 'c' } } }, POD),
      'json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container')
  })

  it('refuses numbers an integer field cannot hold', () => {
    assert.equal(firstTypeError(deploy({ replicas: 1.5 }), DEPLOYMENT),
      'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32')
    assert.equal(firstTypeError(deploy({ replicas: 2 ** 31 }), DEPLOYMENT),
      'json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32')
  })
})
