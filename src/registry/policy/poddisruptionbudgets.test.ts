import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js'
import { setStatus, type Kube } from '../apps/index.js'
import { podDisruptionBudgets } from './index.js'

const pdb = (): Kube<PodDisruptionBudget> => ({ metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } })
const errs = (p: Kube<PodDisruptionBudget>) => podDisruptionBudgets.validate(p).map((e) => e.error)

describe('poddisruptionbudgets', () => {
  it('starts with the status counts Go always writes', () => {
    const p = pdb()
    podDisruptionBudgets.prepareForCreate(p)
    assert.deepEqual(p.status, { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 })
    assert.equal(p.metadata?.generation, 1)
    assert.deepEqual(errs(p), [])
  })

  it('takes minAvailable or maxUnavailable, not both, each an int or percentage', () => {
    const p = pdb()
    p.spec!.maxUnavailable = '150%'
    const e = errs(p)
    assert.equal(e.length, 2)
    assert.ok(e[0]!.startsWith('spec: Invalid value: ') && e[0]!.endsWith(': minAvailable and maxUnavailable cannot be both set'))
    assert.equal(e[1], 'spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%')
    const neg = pdb()
    neg.spec!.minAvailable = -1
    assert.deepEqual(errs(neg), ['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0'])
  })

  it('bumps generation on spec changes and keeps status apart', () => {
    const old = pdb()
    podDisruptionBudgets.prepareForCreate(old)
    const upd = structuredClone(old)
    upd.spec!.minAvailable = '50%'
    setStatus(upd, { disruptionsAllowed: 9, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 })
    podDisruptionBudgets.prepareForUpdate(upd, old)
    assert.equal(upd.metadata?.generation, 2)
    assert.equal(upd.status?.disruptionsAllowed, 0)
    const st = structuredClone(old)
    st.spec!.minAvailable = 5
    podDisruptionBudgets.status.prepareForUpdate(st, old)
    assert.equal(st.spec!.minAvailable, 1)
  })

  it('prints N/A for the bound not in use', () => {
    const p = pdb()
    setStatus(p, { disruptionsAllowed: 2, currentHealthy: 3, desiredHealthy: 1, expectedPods: 3 })
    assert.deepEqual(podDisruptionBudgets.columns.map((c) => c.name), ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age'])
    assert.deepEqual(podDisruptionBudgets.columns.map((c) => c.cell(p, 0)), ['web', '1', 'N/A', 2, '<unknown>'])
    assert.deepEqual(podDisruptionBudgets.shortNames, ['pdb'])
  })
})
