/**
 * Pod admission as a real cluster runs it: Priority and DefaultTolerationSeconds.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { startCluster, type Cluster } from './harness.js'

const pod = (name: string, spec: Record<string, unknown> = {}) => stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
})

describe('pod admission', () => {
  let c: Cluster
  before(async () => { c = await startCluster() })
  after(() => c?.stop())
  const spec = async (name: string) => JSON.parse(await c.ok(['get', 'pod', name, '-o', 'jsonpath={.spec}']))

  it('gives a pod priority 0, PreemptLowerPriority and the 300 s NoExecute tolerations', async () => {
    await c.ok(['run', 'plain', '--image=nginx'])
    const s = await spec('plain')
    assert.equal(s.priority, 0)
    assert.equal(s.preemptionPolicy, 'PreemptLowerPriority')
    assert.deepEqual(s.tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ])
  })

  it('keeps a toleration the pod brings and adds only the missing one', async () => {
    await c.ok(['create', '-f', c.file('tol.yaml', pod('tol', { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }] }))])
    assert.deepEqual((await spec('tol')).tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ])
  })

  it('resolves priority from a named class, a system class and a global default', async () => {
    await c.ok(['create', '-f', c.file('crit.yaml', pod('crit', { priorityClassName: 'system-cluster-critical' }))])
    assert.equal((await spec('crit')).priority, 2000000000)
    await c.ok(['create', 'priorityclass', 'batch-low', '--value=-10', '--preemption-policy=Never', '--global-default=true'])
    await c.ok(['run', 'defaulted', '--image=nginx'])
    const s = await spec('defaulted')
    assert.equal(s.priorityClassName, 'batch-low')
    assert.equal(s.priority, -10)
    assert.equal(s.preemptionPolicy, 'Never')
  })

  it('refuses unknown classes and priorities that disagree with the class, as upstream words it', async () => {
    const missing = await c.kubectl(['create', '-f', c.file('missing.yaml', pod('missing', { priorityClassName: 'nope' }))])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /Error from server \(Forbidden\): error when creating ".*missing\.yaml": pods "missing" is forbidden: no PriorityClass with name nope was found/)
    const wrong = await c.kubectl(['create', '-f', c.file('wrong.yaml', pod('wrong', { priorityClassName: 'system-cluster-critical', priority: 5 }))])
    assert.equal(wrong.code, 1)
    assert.match(wrong.stderr, /pods "wrong" is forbidden: the integer value of priority \(5\) must not be provided in pod spec; priority admission controller computed 2000000000 from the given PriorityClass name/)
  })
})
