import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { matchesNodeSelectorAndAffinity, nodeNameAffinity, nodeShouldRunDaemonPod, targetNodeName, toleratesTaint } from './node-eligibility.js'
import { daemonSet, node } from './testing.js'

describe('daemonset node eligibility', () => {
  it('tolerates taints as the scheduler does', () => {
    const taint = { key: 'k', value: 'v', effect: 'NoSchedule' }
    assert.equal(toleratesTaint({ operator: 'Exists' }, taint), true, 'empty key with Exists tolerates everything')
    assert.equal(toleratesTaint({ key: 'k', operator: 'Equal', value: 'v' }, taint), true)
    assert.equal(toleratesTaint({ key: 'k', value: 'v' }, taint), true, 'Equal is the default operator')
    assert.equal(toleratesTaint({ key: 'k', operator: 'Equal', value: 'w' }, taint), false)
    assert.equal(toleratesTaint({ key: 'k', operator: 'Exists', effect: 'NoExecute' }, taint), false)
  })

  it('matches node affinity terms: ORed terms, ANDed requirements, Gt/Lt, and metadata.name fields', () => {
    const n = node('n1', { cpus: '8', zone: 'a' })
    const spec = (terms: object[]) => ({ containers: [], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } }) as never
    assert.equal(matchesNodeSelectorAndAffinity(spec([{ matchExpressions: [{ key: 'cpus', operator: 'Gt', values: ['4'] }] }]), n), true)
    assert.equal(matchesNodeSelectorAndAffinity(spec([{ matchExpressions: [{ key: 'cpus', operator: 'Lt', values: ['4'] }] }]), n), false)
    assert.equal(matchesNodeSelectorAndAffinity(spec([
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
    ]), n), true)
    assert.equal(matchesNodeSelectorAndAffinity(spec([{}]), n), false, 'an empty term matches nothing')
    assert.equal(matchesNodeSelectorAndAffinity(spec([]), n), false)
  })

  it('lets a running pod stay past NoSchedule taints but not untolerated NoExecute ones', () => {
    const ds = daemonSet()
    assert.deepEqual(nodeShouldRunDaemonPod(node('n', {}, [{ key: 'x', effect: 'NoSchedule' }]), ds), { shouldRun: false, shouldContinueRunning: true })
    assert.deepEqual(nodeShouldRunDaemonPod(node('n', {}, [{ key: 'x', effect: 'NoExecute' }]), ds), { shouldRun: false, shouldContinueRunning: false })
    assert.deepEqual(nodeShouldRunDaemonPod(node('n', {}, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]), ds),
      { shouldRun: true, shouldContinueRunning: true }, 'daemon pods tolerate not-ready')
  })

  it('replaces only the required node affinity, keeping preferences', () => {
    const a = nodeNameAffinity({ nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }],
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }] } } }, 'n9')
    assert.equal(a.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length, 1)
    assert.equal(targetNodeName({ spec: { containers: [], affinity: a } }), 'n9')
    assert.equal(targetNodeName({ spec: { containers: [], nodeName: 'bound', affinity: a } }), 'bound')
  })
})
