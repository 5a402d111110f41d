import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import { persistentVolumeBinder } from './binder.js'

type PVOpts = { modes?: string[]; cls?: string; policy?: string; labels?: Record<string, string>; hostPath?: string }
function pv(name: string, size: string, o: PVOpts = {}): PersistentVolume {
  return {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      capacity: { storage: size }, accessModes: o.modes ?? ['ReadWriteOnce'], storageClassName: o.cls ?? '',
      persistentVolumeReclaimPolicy: o.policy ?? 'Retain', hostPath: { path: o.hostPath ?? `/srv/${name}` },
    },
    status: { phase: 'Available' },
  }
}

function pvc(name: string, size: string, spec: PersistentVolumeClaim['spec'] = {}): PersistentVolumeClaim {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, storageClassName: '', ...spec },
    status: { phase: 'Pending' },
  }
}

function setup(objects: object[]) {
  const f = fakeContext(objects as KubeObject[])
  const c = persistentVolumeBinder(f.ctx)
  const sync = (key: string) => c.sync(key, AbortSignal.timeout(5000))
  const claim = (name: string) => f.informers.of<PersistentVolumeClaim>('v1', 'PersistentVolumeClaim').get(`default/${name}`)
  const volume = (name: string) => f.informers.of<PersistentVolume>('v1', 'PersistentVolume').get(name)
  return { ...f, sync, claim, volume }
}

describe('persistentVolumeBinder', () => {
  it('binds a claim to the smallest Available volume that fits, preferring fewer extra access modes', async () => {
    const f = setup([
      pv('tiny', '500Mi'), pv('big', '5Gi'), pv('two', '2Gi'), pv('rwx', '1Gi', { modes: ['ReadWriteOnce', 'ReadWriteMany'] }),
      pv('other-class', '1Gi', { cls: 'fast' }), pvc('data', '1Gi'),
    ])
    await f.sync('default/data')
    assert.deepEqual(f.client.verbs(), ['update persistentvolumes', 'update persistentvolumes/status', 'update persistentvolumeclaims', 'update persistentvolumeclaims/status'])
    const v = f.volume('two')
    assert.deepEqual(v?.spec?.claimRef, { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: 'uid-data', apiVersion: 'v1', resourceVersion: '1' })
    assert.equal(v?.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes')
    assert.equal(v?.status?.phase, 'Bound')
    const c = f.claim('data')
    assert.equal(c?.spec?.volumeName, 'two')
    assert.deepEqual(c?.metadata?.annotations, { 'pv.kubernetes.io/bound-by-controller': 'yes', 'pv.kubernetes.io/bind-completed': 'yes' })
    assert.deepEqual(c?.status, { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '2Gi' } })
    // Converged: neither side writes again.
    await f.sync('default/data')
    await f.sync('two')
    assert.equal(f.client.verbs().length, 4)
  })

  it('honours the claim selector and a volume the claim names', async () => {
    const f = setup([pv('a', '1Gi'), pv('b', '3Gi', { labels: { tier: 'gold' } }), pv('named', '10Gi'),
      pvc('sel', '1Gi', { selector: { matchLabels: { tier: 'gold' } } }), pvc('pinned', '1Gi', { volumeName: 'named' })])
    await f.sync('default/sel')
    await f.sync('default/pinned')
    assert.equal(f.claim('sel')?.spec?.volumeName, 'b')
    assert.equal(f.volume('named')?.spec?.claimRef?.name, 'pinned')
    // The user named the volume: the claim is not marked bound-by-controller.
    assert.equal(f.claim('pinned')?.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined)
    assert.equal(f.claim('pinned')?.status?.phase, 'Bound')
  })

  it('leaves a claim without class and without a fitting volume Pending, saying why', async () => {
    const f = setup([pv('small', '1Gi'), pvc('huge', '10Gi')])
    await f.sync('default/huge')
    assert.deepEqual(f.recorder.events, ['Normal FailedBinding no persistent volumes available for this claim and no storage class is set'])
    assert.deepEqual(f.client.verbs(), [])
  })

  it('Retain: a volume whose claim is deleted becomes Released and keeps its claimRef and data', async () => {
    const f = setup([pv('keep', '1Gi'), pvc('data', '1Gi')])
    await f.sync('default/data')
    f.informers.remove(f.claim('data') as KubeObject)
    await f.sync('keep')
    const v = f.volume('keep')
    assert.equal(v?.status?.phase, 'Released')
    assert.equal(v?.spec?.claimRef?.name, 'data')
    // Released, not Available: a new claim cannot take it.
    f.informers.set(pvc('again', '1Gi') as KubeObject)
    await f.sync('default/again')
    assert.equal(f.claim('again')?.spec?.volumeName, undefined)
  })

  it('marks a bound claim Lost when its volume disappears', async () => {
    const f = setup([pv('gone', '1Gi'), pvc('data', '1Gi')])
    await f.sync('default/data')
    f.informers.remove(f.volume('gone') as KubeObject)
    await f.sync('default/data')
    assert.equal(f.claim('data')?.status?.phase, 'Lost')
    assert.ok(f.recorder.events.includes('Warning ClaimLost Bound claim has lost its PersistentVolume. Data on the volume is lost!'))
  })

  describe('Recycle', () => {
    let dir = ''
    before(async () => { dir = await mkdtemp(join(tmpdir(), 'kl-recycle-')) })
    after(() => rm(dir, { recursive: true, force: true }))

    it('scrubs the directory and makes the volume Available again', async () => {
      const path = join(dir, 'vol')
      await mkdir(join(path, 'sub'), { recursive: true })
      await writeFile(join(path, 'sub', 'file'), 'data')
      const f = setup([pv('r', '1Gi', { policy: 'Recycle', hostPath: path }), pvc('data', '1Gi')])
      f.ctx.dataDir = dir
      await f.sync('default/data')
      f.informers.remove(f.claim('data') as KubeObject)
      await f.sync('r')
      assert.deepEqual(await readdir(path), [])
      assert.equal(f.volume('r')?.status?.phase, 'Available')
      assert.equal(f.volume('r')?.spec?.claimRef, undefined)
      assert.ok(f.recorder.events.includes('Normal VolumeRecycled Volume recycled'))
    })

    it('refuses to scrub a directory outside /tmp and the data directory', async () => {
      const f = setup([pv('r', '1Gi', { policy: 'Recycle', hostPath: '/srv/precious' }), pvc('data', '1Gi')])
      f.ctx.dataDir = dir
      await f.sync('default/data')
      f.informers.remove(f.claim('data') as KubeObject)
      await f.sync('r')
      assert.equal(f.volume('r')?.status?.phase, 'Failed')
      assert.match(f.recorder.events.at(-1) ?? '', /^Warning VolumeFailedRecycle Recycle failed: kubelite recycles only/)
    })
  })

  it('assigns the default StorageClass to a claim that has none, then asks its provisioner', async () => {
    const sc = {
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path', volumeBindingMode: 'Immediate',
    }
    const claim = pvc('data', '1Gi')
    delete claim.spec!.storageClassName
    const f = setup([sc, claim])
    await f.sync('default/data')
    assert.equal(f.claim('data')?.spec?.storageClassName, 'local-path')
    await f.sync('default/data')
    assert.equal(f.claim('data')?.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'], 'rancher.io/local-path')
    assert.equal(f.claim('data')?.metadata?.annotations?.['volume.beta.kubernetes.io/storage-provisioner'], 'rancher.io/local-path')
    assert.match(f.recorder.events.at(-1) ?? '', /^Normal ExternalProvisioning Waiting for a volume to be created either by the external provisioner 'rancher.io\/local-path'/)
  })
})
