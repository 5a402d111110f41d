import { describe, it, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ContainerStatus, Event, Pod } from 'kubernetes-types/core/v1.js'
import { isNotFound } from '../api/index.js'
import { createInformers, eventBroadcaster, startTestServer, until } from '../client/index.js'
import type { ImageStore } from './images.js'
import { objectSourceFromInformers, startKubelet, type Kubelet, type KubeletOptions } from './kubelet.js'
import type { RunLifecycleHandler } from './deps.js'
import { fakeEnvironment, fakeProbes, fakeRuntime, fakeVolumes } from './testing.js'

const NODE = 'node-1'
const POD = { apiVersion: 'v1', kind: 'Pod' }
const images: ImageStore = {
  resolve: async (ref) => (ref.startsWith('app:')
    ? { id: `sha256:${ref.replace(':', '')}`, names: [ref], layers: ['/images/app1'], config: { env: ['PATH=/bin', 'FROM_IMAGE=yes'], entrypoint: ['run'] }, created: '', size: 1 }
    : undefined),
}

async function setup(t: TestContext, extra: Partial<KubeletOptions> = {}) {
  const server = await startTestServer()
  const dir = await mkdtemp(join(tmpdir(), 'kl-kubelet-'))
  const fake = fakeRuntime()
  const vols = fakeVolumes()
  const probes = fakeProbes()
  const hooks: string[] = []
  const runLifecycleHandler: RunLifecycleHandler = async (handler, target) => {
    hooks.push(`${target.container.name} ${handler.exec?.command?.join(' ')}`)
    return handler.exec?.command?.[0] === 'fail' ? { ok: false, message: 'hook failed' } : { ok: true, message: '' }
  }
  const ac = new AbortController()
  const objectInformers = createInformers(server.client, { onError: () => {} })
  const objects = objectSourceFromInformers(objectInformers)
  objectInformers.start(ac.signal)
  await objectInformers.waitForSync()
  const opts: KubeletOptions = {
    client: server.client, nodeName: NODE, runtime: fake.runtime, volumes: vols.volumes, images, imageFallback: 'host',
    objects, recorder: eventBroadcaster(server.client)('kubelet', NODE), rootDir: join(dir, 'root'), logDir: join(dir, 'logs'),
    clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', nodeIP: '192.168.0.2', hostResolvConf: join(dir, 'none'),
    probeManager: probes.factory, runLifecycleHandler, environment: fakeEnvironment, retryMs: 100, ...extra,
  }
  const kubelets: Kubelet[] = [await startKubelet(opts)]
  t.after(async () => {
    for (const k of kubelets) await k.stop()
    ac.abort()
    await fake.runtime.close()
    await server.close()
    await rm(dir, { recursive: true, force: true })
  })
  const create = (name: string, spec: Partial<NonNullable<Pod['spec']>>, meta: Pod['metadata'] = {}) =>
    server.client.create<Pod>({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...meta },
      spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, containers: [], ...spec } as Pod['spec'] })
  const get = (name: string) => server.client.get<Pod>(POD, name, 'default')
  const waitFor = (what: string, name: string, ok: (p: Pod) => boolean, ms = 5000) =>
    until(what, async () => { const p = await get(name).catch(() => undefined); return p && ok(p) ? p : undefined }, ms)
  const events = async (name: string) => (await server.client.list<Event>({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'default' })).items
    .filter((e) => e.involvedObject.name === name)
    .map((e) => `${e.type} ${e.reason} ${e.involvedObject.fieldPath ?? ''} ${e.message}`)
  const waitEvent = (name: string, re: RegExp) => until(`event ${re}`, async () => (await events(name)).find((e) => re.test(e)))
  return { server, fake, vols, probes, hooks, opts, kubelets, create, get, waitFor, events, waitEvent, dir }
}

const main = (p: Pod, name = 'app') => p.status?.containerStatuses?.find((s) => s.name === name) as ContainerStatus
const cond = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type)?.status

describe('kubelet', () => {
  it('runs a pod: sandbox, pod files, container config, status and events', async (t) => {
    const k = await setup(t)
    await k.create('web', {
      hostname: 'web-0', subdomain: 'svc',
      containers: [{ name: 'app', image: 'app:1', args: ['--port', '$(PORT)'], env: [{ name: 'PORT', value: '8080' }, { name: 'FROM_IMAGE', value: 'no' }],
        securityContext: { runAsUser: 1000, allowPrivilegeEscalation: false }, resources: { limits: { memory: '64Mi' } } }],
    })
    const pod = await k.waitFor('Running', 'web', (p) => p.status?.phase === 'Running' && cond(p, 'Ready') === 'True')
    assert.equal(pod.status?.podIP, '10.244.0.1')
    assert.equal(pod.status?.hostIP, '192.168.0.2')
    assert.ok(pod.status?.startTime)
    const s = main(pod)
    assert.ok(s.state?.running?.startedAt)
    assert.equal(s.containerID, 'kubelite://sb1_app_0')
    assert.equal(s.imageID, 'sha256:app1')
    assert.equal(s.ready, true)
    assert.equal(cond(pod, 'PodReadyToStartContainers'), 'True')
    const [c] = k.fake.started()
    assert.deepEqual(c!.config.argv, ['run', '--port', '8080'])
    assert.deepEqual(c!.config.env, [['PATH', '/bin'], ['FROM_IMAGE', 'no'], ['PORT', '8080']])
    assert.deepEqual(c!.config.rootfs, { layers: ['/images/app1'] })
    assert.deepEqual(c!.config.user, { uid: 1000, gid: 0, supplementalGroups: [] })
    assert.equal(c!.config.noNewPrivileges, true)
    assert.equal(c!.config.resources.memoryLimitBytes, 64 * 1024 * 1024)
    assert.match(c!.config.logPath, /logs\/default_web_[0-9a-f-]+\/app\/0\.log$/)
    assert.deepEqual(c!.config.mounts.map((m) => m.containerPath), ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/dev/termination-log'])
    const hosts = await readFile(c!.config.mounts[0]!.hostPath, 'utf8')
    assert.match(hosts, /10\.244\.0\.1\tweb-0\.svc\.default\.svc\.cluster\.local\tweb-0\n/)
    assert.match(await readFile(c!.config.mounts[2]!.hostPath, 'utf8'), /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local\nnameserver 10\.96\.0\.10\noptions ndots:5\n$/)
    assert.equal(k.fake.sandboxes.get('sb1')?.hostname, 'web-0')
    await k.waitEvent('web', /^Normal Started spec\.containers\{app\} Started container app$/)
    const evs = await k.events('web')
    assert.ok(evs.includes('Normal Pulled spec.containers{app} Container image "app:1" already present on machine'))
    assert.ok(evs.includes('Normal Created spec.containers{app} Created container: app'))
    const api = k.kubelets[0]!.pods.container('default', 'web', 'app')
    assert.equal(api?.id, 'sb1_app_0')
    assert.equal(api?.running, true)
    assert.deepEqual(k.kubelets[0]!.pods.sandbox('default', 'web'), { id: 'sb1', ip: '10.244.0.1' })
  })

  it('runs init containers in order, then the main containers', async (t) => {
    const k = await setup(t)
    await k.create('init', {
      initContainers: [{ name: 'one', image: 'busybox:1', command: ['exit', '0', '50'] }, { name: 'two', image: 'busybox:1', command: ['exit', '0', '50'] }],
      containers: [{ name: 'app', image: 'app:1' }, { name: 'side', image: 'app:1' }],
    })
    const pending = await k.waitFor('first init running', 'init', (p) => !!p.status?.initContainerStatuses?.[0]?.state?.running)
    assert.equal(pending.status?.phase, 'Pending')
    assert.equal(main(pending).state?.waiting?.reason, 'PodInitializing')
    assert.equal(pending.status?.conditions?.find((c) => c.type === 'Initialized')?.message, 'containers with incomplete status: [one two]')
    const pod = await k.waitFor('Running', 'init', (p) => p.status?.phase === 'Running' && cond(p, 'Initialized') === 'True')
    assert.deepEqual(pod.status?.initContainerStatuses?.map((s) => s.state?.terminated?.reason), ['Completed', 'Completed'])
    assert.deepEqual(k.fake.log.filter((l) => l.startsWith('start')), ['start one', 'start two', 'start app', 'start side'])
    const evs = await k.events('init')
    assert.ok(evs.some((e) => e.startsWith('Normal Pulled spec.initContainers{one} Container image "busybox:1" is not present on this node')))
  })

  it('fails the pod when an init container fails under restartPolicy Never', async (t) => {
    const k = await setup(t)
    await k.create('badinit', {
      restartPolicy: 'Never',
      initContainers: [{ name: 'one', image: 'app:1', command: ['exit', '2'] }], containers: [{ name: 'app', image: 'app:1' }],
    })
    const pod = await k.waitFor('Failed', 'badinit', (p) => p.status?.phase === 'Failed')
    assert.equal(pod.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode, 2)
    assert.equal(main(pod).state?.waiting?.reason, 'PodInitializing')
    assert.ok(!k.fake.log.includes('start app'))
    await until('sandbox removed', () => (k.fake.sandboxes.size === 0 ? true : undefined))
  })

  it('finishes Never/OnFailure pods with their exit, termination message, and frees the sandbox', async (t) => {
    const k = await setup(t)
    await k.create('job', { restartPolicy: 'Never', containers: [{ name: 'app', image: 'app:1', command: ['exit', '3', '20', 'it broke'] }] })
    await k.create('ok', { restartPolicy: 'OnFailure', containers: [{ name: 'app', image: 'app:1', command: ['exit', '0', '20'] }] })
    await k.create('tail', { restartPolicy: 'Never', containers: [{ name: 'app', image: 'app:1', command: ['exit', '1'], terminationMessagePolicy: 'FallbackToLogsOnError' }] })
    const failed = await k.waitFor('Failed', 'job', (p) => p.status?.phase === 'Failed')
    assert.deepEqual({ ...main(failed).state?.terminated, startedAt: undefined, finishedAt: undefined },
      { exitCode: 3, reason: 'Error', message: 'it broke', containerID: main(failed).containerID, startedAt: undefined, finishedAt: undefined })
    assert.equal(cond(failed, 'Ready'), 'False')
    assert.equal(cond(failed, 'PodReadyToStartContainers'), 'False')
    const ok = await k.waitFor('Succeeded', 'ok', (p) => p.status?.phase === 'Succeeded')
    assert.equal(main(ok).state?.terminated?.reason, 'Completed')
    assert.equal(ok.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted')
    const tail = await k.waitFor('Failed', 'tail', (p) => p.status?.phase === 'Failed')
    assert.equal(main(tail).state?.terminated?.message, 'started app\n')
    await until('sandboxes removed', () => (k.fake.sandboxes.size === 0 ? true : undefined))
    assert.equal(k.vols.torndown.length, 3)
  })

  it('restarts with the crash-loop back-off and reports CrashLoopBackOff and BackOff', async (t) => {
    const k = await setup(t, { backoff: { initialMs: 1000, maxMs: 4000 } })
    const created = await k.create('crash', { containers: [{ name: 'app', image: 'app:1', command: ['exit', '1'] }] })
    const uid = created.metadata?.uid
    // The first restart is immediate; the second failure waits out 1s.
    const backing = await k.waitFor('CrashLoopBackOff', 'crash', (p) => main(p)?.state?.waiting?.reason === 'CrashLoopBackOff')
    assert.equal(main(backing).state?.waiting?.message, `back-off 1s restarting failed container=app pod=crash_default(${uid})`)
    assert.equal(main(backing).restartCount, 1)
    assert.equal(main(backing).lastState?.terminated?.exitCode, 1)
    assert.equal(backing.status?.phase, 'Running')
    await k.waitEvent('crash', new RegExp(`^Warning BackOff spec\\.containers\\{app\\} Back-off restarting failed container app in pod crash_default\\(${uid}\\)$`))
    const later = await k.waitFor('restart 2', 'crash', (p) => main(p)?.state?.waiting?.message?.startsWith('back-off 2s') === true, 4000)
    assert.equal(main(later).restartCount, 2)
    const api = k.kubelets[0]!.pods.container('default', 'crash', 'app')
    assert.match(api?.previousLogPath ?? '', /app\/2\.log$/)
  })

  it('reports CreateContainerConfigError and starts once the ConfigMap appears', async (t) => {
    const k = await setup(t)
    await k.create('cfg', { containers: [{ name: 'app', image: 'app:1', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'settings', key: 'x' } } }] }] })
    const pod = await k.waitFor('config error', 'cfg', (p) => main(p)?.state?.waiting?.reason === 'CreateContainerConfigError')
    assert.equal(main(pod).state?.waiting?.message, 'configmap "settings" not found')
    assert.equal(pod.status?.phase, 'Pending')
    await k.waitEvent('cfg', /^Warning Failed spec\.containers\{app\} Error: configmap "settings" not found$/)
    await k.server.client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { x: '42' } })
    await k.waitFor('Running', 'cfg', (p) => p.status?.phase === 'Running')
    assert.deepEqual(k.fake.started()[0]!.config.env.find(([n]) => n === 'X'), ['X', '42'])
  })

  it('refuses runAsNonRoot for an image that runs as root', async (t) => {
    const k = await setup(t)
    const created = await k.create('root', { securityContext: { runAsNonRoot: true }, containers: [{ name: 'app', image: 'app:1' }] })
    const pod = await k.waitFor('config error', 'root', (p) => main(p)?.state?.waiting?.reason === 'CreateContainerConfigError')
    assert.equal(main(pod).state?.waiting?.message,
      `container has runAsNonRoot and image will run as root (pod: "root_default(${created.metadata?.uid})", container: app)`)
  })

  it('reports image pull failures: ErrImagePull, ImagePullBackOff, ErrImageNeverPull', async (t) => {
    const k = await setup(t, { imageFallback: 'never' })
    await k.create('pull', { containers: [{ name: 'app', image: 'nothere:1' }] })
    await k.create('never', { containers: [{ name: 'app', image: 'nothere:1', imagePullPolicy: 'Never' }] })
    // ErrImagePull turns into ImagePullBackOff at the next sync: the events show both.
    await k.waitEvent('pull', /^Warning Failed spec\.containers\{app\} Error: ErrImagePull$/)
    await k.waitFor('ImagePullBackOff', 'pull', (p) => main(p)?.state?.waiting?.reason === 'ImagePullBackOff')
    const evs = await k.events('pull')
    assert.ok(evs.includes('Normal Pulling spec.containers{app} Pulling image "nothere:1"'))
    assert.ok(evs.some((e) => e.startsWith('Warning Failed spec.containers{app} Failed to pull image "nothere:1": ')))
    assert.ok(evs.includes('Warning Failed spec.containers{app} Error: ErrImagePull'))
    await k.waitEvent('pull', /^Normal BackOff spec\.containers\{app\} Back-off pulling image "nothere:1"$/)
    const never = await k.waitFor('ErrImageNeverPull', 'never', (p) => main(p)?.state?.waiting?.reason === 'ErrImageNeverPull')
    assert.equal(main(never).state?.waiting?.message, 'Container image "nothere:1" is not present with pull policy of Never')
  })

  it('terminates a deleted pod: preStop, SIGTERM, SIGKILL after the grace period, then deletes it', async (t) => {
    const k = await setup(t)
    const created = await k.create('term', {
      containers: [{ name: 'app', image: 'app:1', command: ['ignore-term'], lifecycle: { preStop: { exec: { command: ['pre', 'stop'] } } } },
        { name: 'quick', image: 'app:1' }],
    })
    await k.waitFor('Running', 'term', (p) => p.status?.phase === 'Running')
    const t0 = Date.now()
    await k.server.client.delete(POD, 'term', 'default')
    await until('pod gone', async () => (await k.get('term').then(() => undefined, (e) => (isNotFound(e) ? true : undefined))), 5000)
    const tookMs = Date.now() - t0
    assert.ok(tookMs >= 900, `waited the 1s grace period (${tookMs}ms)`)
    const [app, quick] = k.fake.started()
    assert.deepEqual(app!.signals, ['SIGTERM', 'SIGKILL'])
    assert.deepEqual(quick!.signals, ['SIGTERM'])
    assert.deepEqual(k.hooks, ['app pre stop'])
    assert.equal(k.fake.sandboxes.size, 0)
    assert.deepEqual(k.vols.torndown, [created.metadata?.uid])
    const evs = await k.events('term')
    assert.ok(evs.includes('Normal Killing spec.containers{app} Stopping container app'))
    assert.ok(evs.includes('Normal Killing spec.containers{quick} Stopping container quick'))
  })

  it('restarts a container whose liveness probe failed', async (t) => {
    const k = await setup(t)
    const created = await k.create('live', { containers: [{ name: 'app', image: 'app:1' }] })
    await k.waitFor('Running', 'live', (p) => p.status?.phase === 'Running')
    k.probes.fail('liveness', created.metadata!.uid!, 'app')
    const pod = await k.waitFor('restarted', 'live', (p) => main(p)?.restartCount === 1 && !!main(p)?.state?.running)
    assert.equal(main(pod).lastState?.terminated?.exitCode, 143)
    await k.waitEvent('live', /^Normal Killing spec\.containers\{app\} Container app failed liveness probe, will be restarted$/)
  })

  it('kills a container whose postStart hook failed, and restarts it', async (t) => {
    const k = await setup(t)
    await k.create('hook', { containers: [{ name: 'app', image: 'app:1', lifecycle: { postStart: { exec: { command: ['fail'] } } } }] })
    await k.waitEvent('hook', /^Warning FailedPostStartHook spec\.containers\{app\} hook failed$/)
    await k.waitEvent('hook', /^Normal Killing spec\.containers\{app\} FailedPostStartHook$/)
    const pod = await k.waitFor('restarted', 'hook', (p) => (main(p)?.restartCount ?? 0) >= 1)
    assert.equal(main(pod).lastState?.terminated?.exitCode, 143)
  })

  it('runs sidecars before the main containers and stops them when the pod completes', async (t) => {
    const k = await setup(t)
    await k.create('side', {
      restartPolicy: 'Never',
      initContainers: [{ name: 'proxy', image: 'app:1', restartPolicy: 'Always' }, { name: 'setup', image: 'app:1', command: ['exit', '0'] }],
      containers: [{ name: 'app', image: 'app:1', command: ['exit', '0', '100'] }],
    })
    const running = await k.waitFor('Running', 'side', (p) => p.status?.phase === 'Running')
    assert.ok(running.status?.initContainerStatuses?.find((s) => s.name === 'proxy')?.state?.running)
    const done = await k.waitFor('Succeeded', 'side', (p) => p.status?.phase === 'Succeeded')
    assert.deepEqual(k.fake.log.filter((l) => l.startsWith('start')), ['start proxy', 'start setup', 'start app'])
    assert.equal(done.status?.initContainerStatuses?.find((s) => s.name === 'proxy')?.state?.terminated?.exitCode, 143)
  })

  it('fails a pod past its activeDeadlineSeconds', async (t) => {
    const k = await setup(t)
    await k.create('deadline', { activeDeadlineSeconds: 1, containers: [{ name: 'app', image: 'app:1' }] })
    const pod = await k.waitFor('Failed', 'deadline', (p) => p.status?.phase === 'Failed', 4000)
    assert.equal(pod.status?.reason, 'DeadlineExceeded')
    assert.equal(pod.status?.message, 'Pod was active on the node longer than the specified deadline')
    assert.equal(main(pod).state?.terminated?.exitCode, 143)
  })

  it('restarts a container whose image changed', async (t) => {
    const k = await setup(t)
    await k.create('img', { containers: [{ name: 'app', image: 'app:1' }] })
    await k.waitFor('Running', 'img', (p) => p.status?.phase === 'Running')
    await k.server.client.patch(POD, 'img', 'default', { spec: { containers: [{ name: 'app', image: 'app:2' }] } }, { type: 'strategic' })
    const pod = await k.waitFor('restarted', 'img', (p) => main(p)?.restartCount === 1 && !!main(p)?.state?.running)
    assert.equal(main(pod).image, 'app:2')
    assert.equal(main(pod).imageID, 'sha256:app2')
    await k.waitEvent('img', /^Normal Killing spec\.containers\{app\} Container app definition changed, will be restarted$/)
  })

  it('starts the next init container only once a sidecar has started', async (t) => {
    const k = await setup(t)
    k.probes.hold('proxy')
    const created = await k.create('gated', {
      initContainers: [{ name: 'proxy', image: 'app:1', restartPolicy: 'Always' }, { name: 'setup', image: 'app:1', command: ['exit', '0'] }],
      containers: [{ name: 'app', image: 'app:1' }],
    })
    const pending = await k.waitFor('proxy running', 'gated', (p) => !!p.status?.initContainerStatuses?.[0]?.state?.running)
    assert.equal(pending.status?.initContainerStatuses?.[0]?.started, false)
    assert.equal(pending.status?.phase, 'Pending')
    assert.deepEqual(k.fake.log.filter((l) => l.startsWith('start')), ['start proxy'])
    k.probes.release(created.metadata!.uid!, 'proxy')
    await k.waitFor('Running', 'gated', (p) => p.status?.phase === 'Running')
    assert.deepEqual(k.fake.log.filter((l) => l.startsWith('start')), ['start proxy', 'start setup', 'start app'])
  })

  it('reports FailedMount and retries the volumes', async (t) => {
    const k = await setup(t)
    await k.create('mount', { containers: [{ name: 'app', image: 'app:1' }] }, { annotations: { 'test/fail-mount': 'MountVolume.SetUp failed for volume "cfg" : configmap "x" not found' } })
    await k.waitEvent('mount', /^Warning FailedMount {2}MountVolume\.SetUp failed for volume "cfg" : configmap "x" not found$/)
    const pod = await k.get('mount')
    assert.equal(main(pod).state?.waiting?.reason, 'ContainerCreating')
  })

  it('works with the real environment and probe modules', async (t) => {
    const k = await setup(t, { probeManager: undefined, environment: undefined, runLifecycleHandler: undefined })
    await k.server.client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'real', namespace: 'default' }, data: { greeting: 'hi' } })
    await until('configmap cached', () => k.opts.objects.configMap('default', 'real'))
    await k.create('real', { containers: [{ name: 'app', image: 'app:1', envFrom: [{ prefix: 'CM_', configMapRef: { name: 'real' } }],
      readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 } }] })
    await k.waitFor('Ready', 'real', (p) => cond(p, 'Ready') === 'True', 5000)
    assert.deepEqual(k.fake.started()[0]!.config.env.find(([n]) => n === 'CM_greeting'), ['CM_greeting', 'hi'])
  })

  it('stops pods on shutdown without deleting them, and a new kubelet starts them again', async (t) => {
    const k = await setup(t)
    await k.create('keep', { containers: [{ name: 'app', image: 'app:1' }] })
    await k.waitFor('Running', 'keep', (p) => p.status?.phase === 'Running')
    await k.kubelets.shift()!.stop({ terminatePods: true })
    assert.equal(k.fake.running().length, 0)
    assert.equal(k.fake.sandboxes.size, 0)
    assert.equal((await k.get('keep')).status?.phase, 'Running')
    k.kubelets.push(await startKubelet(k.opts))
    const pod = await k.waitFor('restarted', 'keep', (p) => main(p)?.restartCount === 1 && !!main(p)?.state?.running)
    assert.equal(main(pod).lastState?.terminated?.reason, 'Unknown')
    assert.equal(k.fake.running().length, 1)
  })
})
