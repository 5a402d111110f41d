import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { bindings, pods } from './pods.js'
import { create, row, update } from './testing.js'
import { w } from './util.js'

// What `kubectl run nginx --image=nginx` sends.
const runPod = (): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx', namespace: 'default', labels: { run: 'nginx' } },
  spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' },
  status: {},
})
const NOW = Date.parse('2024-05-01T12:00:00Z')
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')

describe('pods: defaults and create', () => {
  it('reads back as a real cluster shows a `kubectl run` pod (before admission adds SA and tolerations)', () => {
    const { obj, errors } = create(pods, runPod())
    assert.deepEqual(errors, [])
    assert.deepEqual(obj.spec, {
      containers: [{
        name: 'nginx', image: 'nginx', imagePullPolicy: 'Always', resources: {},
        terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
      }],
      dnsPolicy: 'ClusterFirst', enableServiceLinks: true, restartPolicy: 'Always', schedulerName: 'default-scheduler',
      securityContext: {}, terminationGracePeriodSeconds: 30,
    })
    assert.deepEqual(obj.status, { phase: 'Pending', qosClass: 'BestEffort' })
  })
  it('pulls tagged images IfNotPresent, untagged or :latest Always', () => {
    const p = runPod()
    p.spec!.containers = [
      { name: 'a', image: 'nginx:1.27' }, { name: 'b', image: 'nginx:latest' }, { name: 'c', image: 'localhost:5000/app' },
      { name: 'd', image: 'nginx@sha256:abc' },
    ]
    assert.deepEqual(create(pods, p).obj.spec!.containers.map((c) => c.imagePullPolicy), ['IfNotPresent', 'Always', 'Always', 'IfNotPresent'])
  })
  it('defaults ports, probes, env field refs and volumes', () => {
    const p = runPod()
    p.spec!.containers[0] = {
      name: 'web', image: 'nginx:1', ports: [{ containerPort: 80 }],
      env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
      livenessProbe: { httpGet: { port: 80 } },
      volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }, { name: 'tmp', mountPath: '/tmp' }],
    }
    p.spec!.volumes = [{ name: 'cfg', configMap: { name: 'c' } }, { name: 'tmp' }]
    const { obj, errors } = create(pods, p)
    assert.deepEqual(errors, [])
    const c = obj.spec!.containers[0]!
    assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }])
    assert.deepEqual(c.env![0]!.valueFrom!.fieldRef, { apiVersion: 'v1', fieldPath: 'spec.nodeName' })
    assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 })
    assert.deepEqual(obj.spec!.volumes, [{ name: 'cfg', configMap: { name: 'c', defaultMode: 420 } }, { name: 'tmp', emptyDir: {} }])
  })
  it('copies limits into missing requests, so the pod is Guaranteed', () => {
    const p = runPod()
    p.spec!.containers[0]!.resources = { limits: { cpu: '500m', memory: '128Mi' } }
    const { obj } = create(pods, p)
    assert.deepEqual(obj.spec!.containers[0]!.resources!.requests, { cpu: '500m', memory: '128Mi' })
    assert.equal(obj.status!.qosClass, 'Guaranteed')
    p.spec!.containers[0]!.resources = { requests: { cpu: '100m' } }
    assert.equal(create(pods, p).obj.status!.qosClass, 'Burstable')
  })
  it('discards a client-supplied status and marks gated pods', () => {
    const p = runPod()
    w(p).status = { phase: 'Running', podIP: '1.2.3.4' }
    p.spec!.schedulingGates = [{ name: 'example.com/wait' }]
    const { obj } = create(pods, p)
    assert.equal(obj.status!.phase, 'Pending')
    assert.equal(obj.status!.podIP, undefined)
    assert.equal(obj.status!.conditions![0]!.reason, 'SchedulingGated')
  })
  it('sets host ports on hostNetwork pods', () => {
    const p = runPod()
    p.spec!.hostNetwork = true
    p.spec!.containers[0]!.ports = [{ containerPort: 8080 }]
    assert.equal(create(pods, p).obj.spec!.containers[0]!.ports![0]!.hostPort, 8080)
  })
})

describe('pods: validation', () => {
  it('requires containers', () => {
    const p = runPod()
    p.spec!.containers = []
    assert.deepEqual(create(pods, p).errors, ['spec.containers: Required value'])
  })
  it('checks container names, images, ports and env', () => {
    const p = runPod()
    p.spec!.containers = [
      { name: 'Web', image: '' },
      { name: 'db', image: 'pg', ports: [{ containerPort: 70000, protocol: 'XTP' }], env: [{ name: 'A=B', value: '1' }] },
      { name: 'db', image: 'pg' },
    ]
    const errs = create(pods, p).errors
    assert.match(errs[0]!, /^spec\.containers\[0\]\.name: Invalid value: "Web": a lowercase RFC 1123 label must consist of/)
    assert.ok(errs.includes('spec.containers[0].image: Required value'))
    assert.ok(errs.includes('spec.containers[1].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'))
    assert.ok(errs.includes('spec.containers[1].ports[0].protocol: Unsupported value: "XTP": supported values: "SCTP", "TCP", "UDP"'))
    assert.ok(errs.includes('spec.containers[1].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\''))
    assert.ok(errs.includes('spec.containers[2].name: Duplicate value: "db"'))
  })
  it('checks mounts against volumes and the pod-level enums', () => {
    const p = runPod()
    p.spec!.containers[0]!.volumeMounts = [{ name: 'missing', mountPath: '/x' }]
    p.spec!.restartPolicy = 'Sometimes'
    p.spec!.dnsPolicy = 'Weird'
    p.spec!.volumes = [{ name: 'v', configMap: { name: 'a' }, secret: { secretName: 'b' } }]
    const errs = create(pods, p).errors
    assert.ok(errs.includes('spec.containers[0].volumeMounts[0].name: Not found: "missing"'))
    assert.ok(errs.includes('spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'))
    assert.ok(errs.includes('spec.dnsPolicy: Unsupported value: "Weird": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"'))
    assert.ok(errs.includes('spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type'))
  })
  it('rejects a request above its limit and a probe without handler', () => {
    const p = runPod()
    p.spec!.containers[0]!.resources = { requests: { cpu: '2' }, limits: { cpu: '1' } }
    p.spec!.containers[0]!.readinessProbe = { periodSeconds: 5 }
    const errs = create(pods, p).errors
    assert.ok(errs.includes('spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'))
    assert.ok(errs.includes('spec.containers[0].readinessProbe: Required value: must specify a handler type'))
  })
  it('allows image and activeDeadlineSeconds updates, forbids the rest', () => {
    const old = create(pods, runPod()).obj
    const next = structuredClone(old)
    next.spec!.containers[0]!.image = 'nginx:1.27'
    next.spec!.activeDeadlineSeconds = 100
    assert.deepEqual(update(pods, next, old).errors, [])
    const bad = structuredClone(old)
    bad.spec!.restartPolicy = 'Never'
    const errs = update(pods, bad, old).errors
    assert.equal(errs.length, 1)
    assert.ok(errs[0]!.startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'))
    const more = structuredClone(old)
    more.spec!.containers.push({ name: 'b', image: 'b' })
    assert.ok(update(pods, more, old).errors.includes('spec.containers: Forbidden: pod updates may not add or remove containers'))
  })
  it('keeps status on spec updates and spec on status updates', () => {
    const old = create(pods, runPod()).obj
    const next = structuredClone(old)
    w(next).status = { phase: 'Running' }
    assert.equal(update(pods, next, old).obj.status!.phase, 'Pending')
    const st = structuredClone(old)
    w(st).status = { phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }] }
    st.spec!.nodeName = 'sneaky'
    const r = update(pods, st, old, { status: true })
    assert.equal(r.obj.status!.phase, 'Running')
    assert.equal(r.obj.status!.qosClass, 'BestEffort')
    assert.equal(r.obj.spec!.nodeName, undefined)
  })
  it('validates bindings', () => {
    assert.deepEqual(bindings.validate({ metadata: { name: 'p' }, target: { kind: 'Pod', name: '' } }).map((e) => e.error),
      ['target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"', 'target.name: Required value'])
  })
})

describe('pods: table', () => {
  const base = (status: Pod['status'], spec?: Partial<Pod['spec']>): Pod => ({
    metadata: { name: 'p', creationTimestamp: ago(300) }, spec: { containers: [{ name: 'a', image: 'a' }], ...spec }, status,
  })
  const running = { running: { startedAt: ago(100) } }
  it('shows a running pod', () => {
    const p = base({ phase: 'Running', podIPs: [{ ip: '10.244.0.7' }], conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'a', image: 'a', imageID: '', ready: true, restartCount: 0, state: running }] }, { nodeName: 'node-1' })
    assert.deepEqual(row(pods, p, NOW), {
      Name: 'p', Ready: '1/1', Status: 'Running', Restarts: '0', Age: '5m', IP: '10.244.0.7', Node: 'node-1',
      'Nominated Node': '<none>', 'Readiness Gates': '<none>',
    })
  })
  it('shows CrashLoopBackOff with restarts and when the last one was', () => {
    const p = base({ phase: 'Running', containerStatuses: [{
      name: 'a', image: 'a', imageID: '', ready: false, restartCount: 2,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(300) } },
    }] })
    const r = row(pods, p, NOW)
    assert.equal(r.Status, 'CrashLoopBackOff')
    assert.equal(r.Restarts, '2 (5m ago)')
    assert.equal(r.Ready, '0/1')
  })
  it('shows Completed, Pending, ContainerCreating, Init and Terminating', () => {
    assert.equal(row(pods, base({ phase: 'Succeeded', containerStatuses: [{ name: 'a', image: 'a', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }), NOW).Status, 'Completed')
    assert.equal(row(pods, base({ phase: 'Pending' }), NOW).Status, 'Pending')
    assert.equal(row(pods, base({ phase: 'Pending', containerStatuses: [{ name: 'a', image: 'a', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }), NOW).Status, 'ContainerCreating')
    const init = base({ phase: 'Pending', initContainerStatuses: [{ name: 'i', image: 'i', imageID: '', ready: false, restartCount: 0, state: { running: {} } }] }, { initContainers: [{ name: 'i', image: 'i' }] })
    assert.equal(row(pods, init, NOW).Status, 'Init:0/1')
    const failedInit = base({ phase: 'Pending', initContainerStatuses: [{ name: 'i', image: 'i', imageID: '', ready: false, restartCount: 3, state: { terminated: { exitCode: 2 } } }] }, { initContainers: [{ name: 'i', image: 'i' }] })
    assert.equal(row(pods, failedInit, NOW).Status, 'Init:ExitCode:2')
    const del = base({ phase: 'Running' })
    w(del.metadata!).deletionTimestamp = ago(1)
    assert.equal(row(pods, del, NOW).Status, 'Terminating')
    const errored = base({ phase: 'Failed', containerStatuses: [{ name: 'a', image: 'a', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }] })
    assert.equal(row(pods, errored, NOW).Status, 'Error')
  })
  it('counts sidecars and readiness gates', () => {
    const p = base({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'example.com/lb', status: 'True' }],
      initContainerStatuses: [{ name: 's', image: 's', imageID: '', ready: true, started: true, restartCount: 1, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(60) } } }],
      containerStatuses: [{ name: 'a', image: 'a', imageID: '', ready: true, restartCount: 0, state: running }] },
    { initContainers: [{ name: 's', image: 's', restartPolicy: 'Always' }], readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'x.io/y' }] })
    const r = row(pods, p, NOW)
    assert.equal(r.Ready, '2/2')
    assert.equal(r.Status, 'Running')
    assert.equal(r.Restarts, '1 (60s ago)')
    assert.equal(r['Readiness Gates'], '1/2')
  })
  it('exposes upstream’s selectable fields and grace period', () => {
    const p = create(pods, runPod()).obj
    assert.deepEqual(pods.selectableFields(p), {
      'spec.nodeName': '', 'spec.restartPolicy': 'Always', 'spec.schedulerName': 'default-scheduler', 'spec.serviceAccountName': '',
      'spec.hostNetwork': 'false', 'status.phase': 'Pending', 'status.podIP': '', 'status.nominatedNodeName': '',
    })
    assert.equal(pods.gracePeriodSeconds(p), 0) // not scheduled yet
    p.spec!.nodeName = 'n'
    assert.equal(pods.gracePeriodSeconds(p), 30)
  })
})
