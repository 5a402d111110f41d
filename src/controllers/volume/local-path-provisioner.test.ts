import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Node, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js'
import type { StorageClass } from 'kubernetes-types/storage/v1.js'
import type { KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import { persistentVolumeBinder } from './binder.js'
import { localPathProvisioner, localPathStorageClass } from './local-path-provisioner.js'

const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } } }
const claim = (): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'app', uid: 'u1', resourceVersion: '1' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } }, storageClassName: 'local-path' },
  status: { phase: 'Pending' },
})

async function exists(p: string) {
  return stat(p).then(() => true, () => false)
}

describe('localPathProvisioner with the binder', () => {
  let dataDir = ''
  before(async () => { dataDir = await mkdtemp(join(tmpdir(), 'kl-localpath-')) })
  after(() => rm(dataDir, { recursive: true, force: true }))

  function setup(objects: object[]) {
    const f = fakeContext([node, ...objects] as KubeObject[])
    f.ctx.dataDir = dataDir
    const binder = persistentVolumeBinder(f.ctx)
    const provisioner = localPathProvisioner(f.ctx)
    const signal = AbortSignal.timeout(5000)
    return {
      ...f, provisioner,
      bind: (key: string) => binder.sync(key, signal),
      provision: (key: string) => provisioner.sync(key, signal),
      pvc: () => f.informers.of<PersistentVolumeClaim>('v1', 'PersistentVolumeClaim').get('app/data'),
      pv: () => f.informers.of<PersistentVolume>('v1', 'PersistentVolume').get('pvc-u1'),
    }
  }

  it('ensures the default local-path StorageClass when it starts, without touching an existing one', async () => {
    const f = setup([])
    await f.provisioner.tick!.run(AbortSignal.timeout(5000))
    const sc = f.informers.of<StorageClass>('storage.k8s.io/v1', 'StorageClass').get('local-path')
    assert.equal(sc?.provisioner, 'rancher.io/local-path')
    assert.equal(sc?.volumeBindingMode, 'WaitForFirstConsumer')
    assert.equal(sc?.reclaimPolicy, 'Delete')
    assert.equal(sc?.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'], 'true')
    const g = setup([{ ...localPathStorageClass(), reclaimPolicy: 'Retain' }])
    await g.provisioner.tick!.run(AbortSignal.timeout(5000))
    assert.deepEqual(g.client.verbs(), [])
  })

  it('WaitForFirstConsumer: waits, then provisions on the selected node and binds; Delete removes PV and directory', async () => {
    const f = setup([localPathStorageClass(), claim()])
    await f.bind('app/data')
    await f.provision('app/data')
    assert.deepEqual(f.recorder.events, ['Normal WaitForFirstConsumer waiting for first consumer to be created before binding'])
    assert.equal(f.pv(), undefined)

    // The scheduler picks a node for the claim's first pod.
    const picked = claim()
    picked.metadata!.annotations = { 'volume.kubernetes.io/selected-node': 'node-1' }
    f.informers.set(picked as KubeObject)
    await f.bind('app/data')
    assert.equal(f.pvc()?.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'], 'rancher.io/local-path')
    await f.provision('app/data')
    const dir = join(dataDir, 'storage', 'pvc-u1_app_data')
    assert.ok(await exists(dir))
    const pv = f.pv()
    assert.deepEqual(pv?.spec?.hostPath, { path: dir, type: 'DirectoryOrCreate' })
    assert.deepEqual(pv?.spec?.capacity, { storage: '2Gi' })
    assert.equal(pv?.spec?.persistentVolumeReclaimPolicy, 'Delete')
    assert.equal(pv?.spec?.storageClassName, 'local-path')
    assert.equal(pv?.spec?.claimRef?.uid, 'u1')
    assert.equal(pv?.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path')
    assert.deepEqual(pv?.spec?.nodeAffinity?.required?.nodeSelectorTerms, [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] }])
    assert.ok(f.recorder.events.includes('Normal ProvisioningSucceeded Successfully provisioned volume pvc-u1'))

    await f.bind('pvc-u1')
    await f.bind('app/data')
    assert.equal(f.pvc()?.status?.phase, 'Bound')
    assert.equal(f.pvc()?.spec?.volumeName, 'pvc-u1')
    assert.equal(f.pv()?.status?.phase, 'Bound')
    // Provisioned for this claim: the PV is not marked as bound by the controller.
    assert.equal(f.pv()?.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined)

    // The claim goes away: Released, then the provisioner deletes directory and PV.
    await writeFile(join(dir, 'file'), 'x')
    f.informers.remove(f.pvc() as KubeObject)
    await f.bind('pvc-u1')
    assert.equal(f.pv()?.status?.phase, 'Released')
    await f.provision('pvc-u1')
    assert.equal(f.pv(), undefined)
    assert.equal(await exists(dir), false)
  })

  it('reports an unsupported access mode instead of provisioning', async () => {
    const c = claim()
    c.spec!.accessModes = ['ReadWriteMany']
    c.metadata!.annotations = { 'volume.kubernetes.io/selected-node': 'node-1', 'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path' }
    const f = setup([localPathStorageClass(), c])
    await f.provision('app/data')
    assert.equal(f.pv(), undefined)
    assert.equal(f.recorder.events.at(-1),
      'Warning ProvisioningFailed failed to provision volume with StorageClass "local-path": NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes')
  })
})
