import { after, afterEach, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { ConfigMap, Container, PersistentVolume, PersistentVolumeClaim, Pod, PodSpec, Secret, Volume } from 'kubernetes-types/core/v1.js'
import { ContainerConfigError, VolumeSetupError, type PodRuntimeFacts, type VolumeManager } from '../types.js'
import { fakeObjectSource } from './fake-source.js'
import { mountsUnder, unmountAll } from './mounts.js'
import { createVolumeManager, VolumeMountError } from './volume-manager.js'

const run = promisify(execFile)
const isRoot = process.getuid?.() === 0
const facts: PodRuntimeFacts = { podIP: '10.244.0.7', podIPs: ['10.244.0.7'], hostIP: '10.0.0.1', nodeName: 'node-1' }
const b64 = (s: string) => Buffer.from(s).toString('base64')
const modeOf = async (p: string) => (await stat(p)).mode & 0o7777

/** Polls until `check` passes (live updates are periodic); fails after `ms`. */
async function eventually(check: () => Promise<void>, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    try {
      return await check()
    } catch (err) {
      if (Date.now() > end) throw err
      await new Promise((r) => setTimeout(r, 25))
    }
  }
}

describe('volume manager', () => {
  let root: string
  let hostDir: string
  let objects: Array<ConfigMap | Secret | PersistentVolumeClaim | PersistentVolume>
  let clock = 1_700_000_000_000
  let tokenCalls: Array<{ audiences: string[]; seconds: number; sa: string }>
  let vm: VolumeManager
  let uid = 0
  const pods: string[] = []

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kl-volumes-'))
    hostDir = join(root, 'host')
    await mkdir(hostDir)
    objects = [
      { kind: 'ConfigMap', metadata: { namespace: 'ns', name: 'cfg' }, data: { 'app.conf': 'v=1', other: 'o' }, binaryData: { 'logo.bin': b64('\x00\x01') } },
      { kind: 'Secret', metadata: { namespace: 'ns', name: 'creds' }, data: { password: b64('hunter2') } },
      { kind: 'PersistentVolumeClaim', metadata: { namespace: 'ns', name: 'data' }, spec: { volumeName: 'pv-1' }, status: { phase: 'Bound' } },
      { kind: 'PersistentVolumeClaim', metadata: { namespace: 'ns', name: 'pending' }, status: { phase: 'Pending' } },
      { kind: 'PersistentVolume', metadata: { name: 'pv-1' }, spec: { hostPath: { path: hostDir } } },
    ]
    tokenCalls = []
    vm = createVolumeManager({
      rootDir: root, source: fakeObjectSource(objects), nodeName: 'node-1', syncPeriodMs: 30, now: () => clock,
      nodeAllocatable: { cpu: '4', memory: '8Gi' },
      async requestToken(ns, sa, audiences, seconds, pod) {
        tokenCalls.push({ audiences, seconds, sa })
        return { token: `token-${tokenCalls.length}-${ns}-${pod.name}`, expirationTimestamp: new Date(clock + seconds * 1000).toISOString() }
      },
    })
  })
  afterEach(async () => {
    for (const u of pods.splice(0)) await vm.tearDownPod(u)
  })
  after(async () => {
    vm.stop()
    await unmountAll(root).catch(() => {})
    await rm(root, { recursive: true, force: true })
  })

  function podWith(volumes: Volume[], containers: Container[] = [{ name: 'c' }], extra: Partial<PodSpec> = {}): Pod {
    const id = `pod-${++uid}`
    pods.push(id)
    return {
      metadata: { namespace: 'ns', name: `web-${uid}`, uid: id, labels: { tier: 'front', app: 'web' }, annotations: { build: '42' } },
      spec: { nodeName: 'node-1', containers, volumes, ...extra },
    }
  }
  const volumeDir = (pod: Pod, plugin: string, name: string) => join(root, 'pods', pod.metadata!.uid!, 'volumes', `kubernetes.io~${plugin}`, name)

  it('sets up an emptyDir with mode 0777 at upstream’s path', async () => {
    const pod = podWith([{ name: 'scratch', emptyDir: {} }])
    await vm.setUpPod(pod, facts)
    const dir = volumeDir(pod, 'empty-dir', 'scratch')
    assert.equal(await modeOf(dir), 0o777)
    await vm.setUpPod(pod, facts) // idempotent
  })

  it('projects a configMap with items, modes and binaryData', async () => {
    const pod = podWith([
      { name: 'all', configMap: { name: 'cfg' } },
      { name: 'some', configMap: { name: 'cfg', defaultMode: 0o600, items: [{ key: 'app.conf', path: 'conf/app.conf' }, { key: 'other', path: 'o.txt', mode: 0o444 }] } },
    ])
    await vm.setUpPod(pod, facts)
    const all = volumeDir(pod, 'configmap', 'all')
    assert.equal(await readFile(join(all, 'app.conf'), 'utf8'), 'v=1')
    assert.deepEqual([...await readFile(join(all, 'logo.bin'))], [0, 1])
    assert.equal(await modeOf(join(all, 'app.conf')), 0o644)
    assert.equal(await readlink(join(all, 'app.conf')), '..data/app.conf')
    const some = volumeDir(pod, 'configmap', 'some')
    assert.equal(await readFile(join(some, 'conf/app.conf'), 'utf8'), 'v=1')
    assert.equal(await modeOf(join(some, 'conf/app.conf')), 0o600)
    assert.equal(await modeOf(join(some, 'o.txt')), 0o444)
    assert.deepEqual((await readdir(some)).filter((f) => !f.startsWith('..')).sort(), ['conf', 'o.txt'])
  })

  it('decodes secrets and honours defaultMode', async () => {
    const pod = podWith([{ name: 's', secret: { secretName: 'creds', defaultMode: 0o400 } }])
    await vm.setUpPod(pod, facts)
    const file = join(volumeDir(pod, 'secret', 's'), 'password')
    assert.equal(await readFile(file, 'utf8'), 'hunter2')
    assert.equal(await modeOf(file), 0o400)
    if (isRoot) assert.deepEqual(await mountsUnder(volumeDir(pod, 'secret', 's')), [volumeDir(pod, 'secret', 's')], 'secrets live on tmpfs')
  })

  it('fails with upstream messages for missing objects and keys, and leaves optional ones empty', async () => {
    const failing: [Volume, string][] = [
      [{ name: 'v', configMap: { name: 'nope' } }, 'MountVolume.SetUp failed for volume "v" : configmap "nope" not found'],
      [{ name: 'v', secret: { secretName: 'nope' } }, 'MountVolume.SetUp failed for volume "v" : secret "nope" not found'],
      [{ name: 'v', configMap: { name: 'cfg', items: [{ key: 'k', path: 'k' }] } }, 'MountVolume.SetUp failed for volume "v" : configmap references non-existent config key: k'],
      [{ name: 'v', secret: { secretName: 'creds', items: [{ key: 'k', path: 'k' }] } }, 'MountVolume.SetUp failed for volume "v" : secret references non-existent secret key: k'],
    ]
    for (const [volume, message] of failing) {
      await assert.rejects(vm.setUpPod(podWith([volume]), facts), (err: unknown) =>
        err instanceof VolumeSetupError && err instanceof VolumeMountError && err.reason === 'FailedMount' && err.message === message && err.volume === 'v')
    }
    const pod = podWith([
      { name: 'a', configMap: { name: 'nope', optional: true } },
      { name: 'b', secret: { secretName: 'nope', optional: true } },
      { name: 'c', configMap: { name: 'cfg', optional: true, items: [{ key: 'k', path: 'k' }, { key: 'other', path: 'o' }] } },
    ])
    await vm.setUpPod(pod, facts)
    assert.deepEqual((await readdir(volumeDir(pod, 'configmap', 'a'))).filter((f) => !f.startsWith('..')), [])
    assert.deepEqual((await readdir(volumeDir(pod, 'secret', 'b'))).filter((f) => !f.startsWith('..')), [])
    assert.deepEqual((await readdir(volumeDir(pod, 'configmap', 'c'))).filter((f) => !f.startsWith('..')), ['o'])
  })

  it('writes downwardAPI files in upstream’s format', async () => {
    const pod = podWith([{
      name: 'info', downwardAPI: { defaultMode: 0o640, items: [
        { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
        { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' }, mode: 0o600 },
        { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
        { path: 'tier', fieldRef: { fieldPath: "metadata.labels['tier']" } },
        { path: 'mem_limit_mi', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } },
        { path: 'cpu_limit', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu' } },
        { path: 'cpu_request_m', resourceFieldRef: { containerName: 'c', resource: 'requests.cpu', divisor: '1m' } },
      ] },
    }], [{ name: 'c', resources: { requests: { cpu: '100m' }, limits: { memory: '200Mi' } } }])
    await vm.setUpPod(pod, facts)
    const dir = volumeDir(pod, 'downward-api', 'info')
    const read = (f: string) => readFile(join(dir, f), 'utf8')
    assert.equal(await read('labels'), 'app="web"\ntier="front"')
    assert.equal(await read('annotations'), 'build="42"')
    assert.equal(await read('name'), pod.metadata!.name)
    assert.equal(await read('tier'), 'front')
    assert.equal(await read('mem_limit_mi'), '200')
    assert.equal(await read('cpu_limit'), '4') // unset: the node's allocatable
    assert.equal(await read('cpu_request_m'), '100')
    assert.equal(await modeOf(join(dir, 'labels')), 0o640)
    assert.equal(await modeOf(join(dir, 'annotations')), 0o600)
  })

  it('projects several sources with a service account token, renewed at 80% of its life', async () => {
    const pod = podWith([{
      name: 'proj', projected: { defaultMode: 0o440, sources: [
        { configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'app.conf' }] } },
        { secret: { name: 'creds' } },
        { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        { serviceAccountToken: { path: 'token', audience: 'vault', expirationSeconds: 600 } },
      ] },
    }], [{ name: 'c' }], { serviceAccountName: 'robot' })
    await vm.setUpPod(pod, facts)
    const dir = volumeDir(pod, 'projected', 'proj')
    assert.deepEqual((await readdir(dir)).filter((f) => !f.startsWith('..')).sort(), ['app.conf', 'labels', 'password', 'token'])
    assert.equal(await readFile(join(dir, 'token'), 'utf8'), `token-1-ns-${pod.metadata!.name}`)
    assert.equal(await modeOf(join(dir, 'token')), 0o440)
    assert.deepEqual(tokenCalls.at(-1), { audiences: ['vault'], seconds: 600, sa: 'robot' })
    clock += 400_000 // 67% of the token's life: still good
    await new Promise((r) => setTimeout(r, 100))
    assert.equal(tokenCalls.length, 1)
    clock += 100_000 // past 80%: the next sync renews it and rewrites the file
    await eventually(async () => assert.equal(await readFile(join(dir, 'token'), 'utf8'), `token-2-ns-${pod.metadata!.name}`))
  })

  it('updates configMap volumes live, but not a subPath mount of one (as upstream)', async (t) => {
    const cm = objects[0] as ConfigMap
    const pod = podWith([{ name: 'cfg', configMap: { name: 'cfg' } }],
      [{ name: 'c', volumeMounts: [{ name: 'cfg', mountPath: '/etc/app' }, { name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' }] }])
    await vm.setUpPod(pod, facts)
    const [whole, sub] = await vm.containerMounts(pod, pod.spec!.containers[0]!)
    const dir = volumeDir(pod, 'configmap', 'cfg')
    assert.deepEqual(whole, { hostPath: dir, containerPath: '/etc/app', readOnly: false })
    assert.match(sub!.hostPath, /\/\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+\/app\.conf$/)
    // What the runtime does with a subPath: bind the resolved file (root only).
    let bound: string | undefined
    if (isRoot) {
      bound = join(root, 'bound-app.conf')
      await writeFile(bound, '')
      await run('mount', ['--bind', sub!.hostPath, bound])
    }
    try {
      const old = cm.data!['app.conf']
      cm.data = { ...cm.data, 'app.conf': 'v=2' }
      try {
        await eventually(async () => assert.equal(await readFile(join(dir, 'app.conf'), 'utf8'), 'v=2'))
      } finally {
        cm.data = { ...cm.data, 'app.conf': old! }
      }
      if (!bound) return t.skip('binding a subPath needs root: the bind half was not checked')
      assert.equal(await readFile(bound, 'utf8'), 'v=1')
    } finally {
      if (bound) await run('umount', [bound])
    }
  })

  it('keeps the old files when a live update fails', async () => {
    const warnings: string[] = []
    const local = createVolumeManager({ rootDir: root, source: fakeObjectSource(objects), nodeName: 'n', syncPeriodMs: 20, warn: (_p, r, m) => warnings.push(`${r}: ${m}`) })
    try {
      objects.push({ kind: 'ConfigMap', metadata: { namespace: 'ns', name: 'gone' }, data: { k: 'v' } })
      const pod = podWith([{ name: 'g', configMap: { name: 'gone' } }])
      await local.setUpPod(pod, facts)
      objects.pop()
      await eventually(async () => assert.ok(warnings.length > 0))
      assert.equal(warnings[0], 'FailedMount: MountVolume.SetUp failed for volume "g" : configmap "gone" not found')
      assert.equal(await readFile(join(volumeDir(pod, 'configmap', 'g'), 'k'), 'utf8'), 'v')
      await local.tearDownPod(pod.metadata!.uid!)
    } finally {
      local.stop()
    }
  })

  it('follows label changes in downwardAPI files when the kubelet passes the new pod', async () => {
    const pod = podWith([{ name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } }])
    await vm.setUpPod(pod, facts)
    const changed = { ...pod, metadata: { ...pod.metadata, labels: { app: 'web', tier: 'back' } } }
    await vm.setUpPod(changed, facts)
    assert.equal(await readFile(join(volumeDir(pod, 'downward-api', 'info'), 'labels'), 'utf8'), 'app="web"\ntier="back"')
  })

  it('resolves subPath and subPathExpr, creating missing directories with the volume’s mode', async () => {
    const pod = podWith([{ name: 'scratch', emptyDir: {} }], [{
      name: 'c', volumeMounts: [
        { name: 'scratch', mountPath: '/data', readOnly: true },
        { name: 'scratch', mountPath: '/logs', subPath: 'logs/app' },
        { name: 'scratch', mountPath: '/mine', subPathExpr: 'pods/$(POD_NAME)' },
      ],
    }])
    await vm.setUpPod(pod, facts)
    const dir = volumeDir(pod, 'empty-dir', 'scratch')
    const mounts = await vm.containerMounts(pod, pod.spec!.containers[0]!, [['POD_NAME', 'web-x']])
    assert.deepEqual(mounts, [
      { hostPath: dir, containerPath: '/data', readOnly: true },
      { hostPath: join(dir, 'logs/app'), containerPath: '/logs', readOnly: false },
      { hostPath: join(dir, 'pods/web-x'), containerPath: '/mine', readOnly: false },
    ])
    assert.equal(await modeOf(join(dir, 'logs/app')), 0o777)
  })

  it('rejects bad subPaths and unknown volumes with upstream messages', async () => {
    const pod = podWith([{ name: 'scratch', emptyDir: {} }])
    await vm.setUpPod(pod, facts)
    await symlink('/etc', join(volumeDir(pod, 'empty-dir', 'scratch'), 'escape'))
    const cases: [Container['volumeMounts'], string][] = [
      [[{ name: 'scratch', mountPath: '/x', subPath: '../../etc' }], "unable to provision SubPath `../../etc`: must not contain '..'"],
      [[{ name: 'scratch', mountPath: '/x', subPath: '/etc' }], 'error SubPath `/etc` must not be an absolute path'],
      [[{ name: 'scratch', mountPath: '/x', subPathExpr: '$(A)/$(B)' }], 'missing value for A, B'],
      [[{ name: 'nope', mountPath: '/x' }], 'cannot find volume "nope" to mount into container "c"'],
    ]
    for (const [volumeMounts, message] of cases) {
      await assert.rejects(vm.containerMounts(pod, { name: 'c', volumeMounts }), (err: unknown) =>
        err instanceof ContainerConfigError && err.reason === 'CreateContainerConfigError' && err.message === message, message)
    }
    await assert.rejects(vm.containerMounts(pod, { name: 'c', volumeMounts: [{ name: 'scratch', mountPath: '/x', subPath: 'escape' }] }),
      (err: unknown) => err instanceof ContainerConfigError && /^subpath "\/etc" not within volume path/.test(err.message))
  })

  it('checks hostPath types and never removes hostPath or claim data', async () => {
    await writeFile(join(hostDir, 'keep.txt'), 'precious')
    const pod = podWith([
      { name: 'host', hostPath: { path: hostDir, type: 'Directory' } },
      { name: 'made', hostPath: { path: join(hostDir, 'made'), type: 'DirectoryOrCreate' } },
      { name: 'claim', persistentVolumeClaim: { claimName: 'data', readOnly: true } },
    ], [{ name: 'c', volumeMounts: [{ name: 'host', mountPath: '/h' }, { name: 'claim', mountPath: '/d' }, { name: 'claim', mountPath: '/s', subPath: 'sub' }] }])
    await vm.setUpPod(pod, facts)
    assert.ok((await stat(join(hostDir, 'made'))).isDirectory())
    assert.deepEqual(await vm.containerMounts(pod, pod.spec!.containers[0]!), [
      { hostPath: hostDir, containerPath: '/h', readOnly: false },
      { hostPath: hostDir, containerPath: '/d', readOnly: true },
      { hostPath: join(hostDir, 'sub'), containerPath: '/s', readOnly: true },
    ])
    await vm.tearDownPod(pod.metadata!.uid!)
    assert.equal(await readFile(join(hostDir, 'keep.txt'), 'utf8'), 'precious')
    await assert.rejects(vm.setUpPod(podWith([{ name: 'h', hostPath: { path: join(hostDir, 'keep.txt'), type: 'Directory' } }]), facts),
      { message: `MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${join(hostDir, 'keep.txt')} is not a directory, it's a File` })
  })

  it('refuses claims that are not bound or not found', async () => {
    await assert.rejects(vm.setUpPod(podWith([{ name: 'p', persistentVolumeClaim: { claimName: 'pending' } }]), facts), {
      message: 'MountVolume.SetUp failed for volume "p" : error processing PVC ns/pending: PVC ns/pending has non-bound phase ("Pending") or empty pvc.Spec.VolumeName ("")',
    })
    await assert.rejects(vm.setUpPod(podWith([{ name: 'p', persistentVolumeClaim: { claimName: 'missing' } }]), facts), {
      message: 'MountVolume.SetUp failed for volume "p" : error processing PVC ns/missing: failed to fetch PVC from API server: persistentvolumeclaims "missing" not found',
    })
  })

  it('removes the pod’s volumes directory on teardown', async () => {
    const pod = podWith([{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg' } }])
    await vm.setUpPod(pod, facts)
    await writeFile(join(volumeDir(pod, 'empty-dir', 'scratch'), 'f'), 'x')
    await vm.tearDownPod(pod.metadata!.uid!)
    await assert.rejects(stat(join(root, 'pods', pod.metadata!.uid!, 'volumes')), { code: 'ENOENT' })
    await vm.tearDownPod(pod.metadata!.uid!) // idempotent
  })

  it('mounts a size-limited tmpfs for medium Memory as root, and unmounts it on teardown', async (t) => {
    if (!isRoot) return t.skip('mounting tmpfs needs root (or the agent’s user namespace)')
    const pod = podWith([{ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }])
    await vm.setUpPod(pod, facts)
    const dir = volumeDir(pod, 'empty-dir', 'mem')
    const info = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').find((l) => l.split(' ')[4] === dir)
    assert.ok(info, 'a mount at the volume')
    assert.match(info, / - tmpfs tmpfs .*size=16384k/)
    assert.equal(await modeOf(dir), 0o777)
    await vm.setUpPod(pod, facts) // idempotent: not mounted twice
    assert.deepEqual(await mountsUnder(dir), [dir])
    await vm.tearDownPod(pod.metadata!.uid!)
    assert.deepEqual(await mountsUnder(join(root, 'pods', pod.metadata!.uid!)), [])
    await assert.rejects(stat(dir), { code: 'ENOENT' })
  })

  it('applies fsGroup to emptyDir and configMap files as root', async (t) => {
    if (!isRoot) return t.skip('changing a file’s group to an arbitrary fsGroup needs root')
    const gidMap = (await readFile('/proc/self/gid_map', 'utf8')).trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number))
    if (!gidMap.some(([inside, , count]) => 2345 >= inside! && 2345 < inside! + count!)) {
      return t.skip('gid 2345 is not mapped in this user namespace')
    }
    const pod = podWith([{ name: 'scratch', emptyDir: {} }, { name: 's', secret: { secretName: 'creds', defaultMode: 0o400 } }],
      [{ name: 'c' }], { securityContext: { fsGroup: 2345 } })
    await vm.setUpPod(pod, facts)
    const scratch = await stat(volumeDir(pod, 'empty-dir', 'scratch'))
    assert.equal(scratch.gid, 2345)
    assert.equal(scratch.mode & 0o7777, 0o2777)
    const file = await stat(join(volumeDir(pod, 'secret', 's'), 'password'))
    assert.equal(file.gid, 2345)
    assert.equal(file.mode & 0o777, 0o440)
  })
})

describe('tmpfs for unprivileged agents', () => {
  it('falls back when not root, and works inside a user namespace the agent owns', async (t) => {
    if (!isRoot) return t.skip('switching to uid 65534 needs root')
    const ok = await run('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'unshare', '-Urm', 'true']).then(() => true, () => false)
    if (!ok) return t.skip('user namespaces are not available to uid 65534 here')
    const dir = await mkdtemp(join(tmpdir(), 'kl-tmpfs-'))
    await chmod(dir, 0o777)
    try {
      const mounts = new URL('./mounts.js', import.meta.url).pathname
      const script = `import(${JSON.stringify(mounts)}).then(async (m) => console.log(JSON.stringify({ why: await m.mountTmpfs(${JSON.stringify(dir)}, 1048576) ?? null, under: await m.mountsUnder(${JSON.stringify(dir)}) })))`
      const plain = await run('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', process.execPath, '-e', script])
      assert.deepEqual(JSON.parse(plain.stdout), { why: 'not running as root (in the node namespace)', under: [] })
      const inNs = await run('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'unshare', '-Urm', process.execPath, '-e', script])
      assert.deepEqual(JSON.parse(inNs.stdout), { why: null, under: [dir] })
      assert.deepEqual(await mountsUnder(dir), [], 'the mount stayed in the namespace that made it')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
