import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js'
import { persistentvolumeclaims, persistentvolumes } from './volumes.js'
import { create, row, update } from './testing.js'

const NOW = Date.parse('2024-05-01T12:00:00Z')
const claim = (): PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
})

describe('persistentvolumeclaims', () => {
  it('defaults volumeMode and phase Pending', () => {
    const { obj, errors } = create(persistentvolumeclaims, claim())
    assert.deepEqual(errors, [])
    assert.deepEqual(obj.spec, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' })
    assert.deepEqual(obj.status, { phase: 'Pending' })
  })
  it('requires access modes and a storage request; the spec is immutable', () => {
    assert.deepEqual(create(persistentvolumeclaims, { metadata: { name: 'x' }, spec: {} } as PersistentVolumeClaim).errors,
      ['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value'])
    const old = create(persistentvolumeclaims, claim()).obj
    const next = structuredClone(old)
    next.spec!.accessModes = ['ReadWriteMany']
    assert.deepEqual(update(persistentvolumeclaims, next, old).errors, ['spec: Forbidden: spec is immutable after creation except resources.requests for bound claims'])
    const bind = structuredClone(old)
    bind.spec!.volumeName = 'pv-1'
    assert.deepEqual(update(persistentvolumeclaims, bind, old).errors, [])
  })
  it('prints capacity and modes only once bound', () => {
    const c = create(persistentvolumeclaims, claim()).obj
    assert.deepEqual(row(persistentvolumeclaims, c, NOW), {
      Name: 'data', Status: 'Pending', Volume: '', Capacity: '', 'Access Modes': '', StorageClass: '', VolumeAttributesClass: '<unset>', Age: '60m', VolumeMode: 'Filesystem',
    })
    const bound = { ...c, spec: { ...c.spec, volumeName: 'pv-1', storageClassName: 'local-path' }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] } }
    const r = row(persistentvolumeclaims, bound, NOW)
    assert.deepEqual([r.Status, r.Volume, r.Capacity, r['Access Modes'], r.StorageClass], ['Bound', 'pv-1', '1Gi', 'RWO,ROX', 'local-path'])
  })
})

describe('persistentvolumes', () => {
  const pv = (): PersistentVolume => ({ metadata: { name: 'pv-1', creationTimestamp: '2024-05-01T11:00:00Z' }, spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } } })
  it('defaults reclaim policy, volume mode, hostPath type and phase', () => {
    const { obj, errors } = create(persistentvolumes, pv())
    assert.deepEqual(errors, [])
    assert.equal(obj.spec!.persistentVolumeReclaimPolicy, 'Retain')
    assert.equal(obj.spec!.volumeMode, 'Filesystem')
    assert.equal(obj.spec!.hostPath!.type, '')
    assert.equal(obj.status!.phase, 'Pending')
    assert.match(obj.status!.lastPhaseTransitionTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  })
  it('requires a source, capacity and access modes', () => {
    assert.deepEqual(create(persistentvolumes, { metadata: { name: 'x' }, spec: {} } as PersistentVolume).errors,
      ['spec.accessModes: Required value', 'spec.capacity: Required value', 'spec: Required value: must specify a volume type'])
  })
  it('prints claim, class and reclaim policy', () => {
    const p = create(persistentvolumes, pv()).obj
    p.spec!.claimRef = { namespace: 'default', name: 'data' }
    assert.deepEqual(row(persistentvolumes, p, NOW), {
      Name: 'pv-1', Capacity: '5Gi', 'Access Modes': 'RWO', 'Reclaim Policy': 'Retain', Status: 'Pending', Claim: 'default/data',
      StorageClass: '', VolumeAttributesClass: '<unset>', Reason: '', Age: '60m', VolumeMode: 'Filesystem',
    })
  })
})
