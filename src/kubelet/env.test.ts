import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { ConfigMap, Container, EnvVarSource, Pod, Secret, Service, ServicePort } from 'kubernetes-types/core/v1.js'
import { expand, expandArgs, makeEnvironment, serviceVariables } from './env.js'
import { ContainerConfigError, type PodRuntimeFacts } from './types.js'
import { fakeObjectSource } from './volumes/fake-source.js'

const b64 = (s: string) => Buffer.from(s).toString('base64')
const facts: PodRuntimeFacts = { podIP: '10.244.0.5', podIPs: ['10.244.0.5', 'fd00::5'], hostIP: '192.168.1.2', nodeName: 'node-1' }
const service = (ns: string, name: string, clusterIP: string, ports: ServicePort[]): Service =>
  ({ kind: 'Service', metadata: { namespace: ns, name }, spec: { clusterIP, ports } })
const configMap = (name: string, data: Record<string, string>): ConfigMap => ({ kind: 'ConfigMap', metadata: { namespace: 'ns', name }, data })
const secret = (name: string, data: Record<string, string>): Secret =>
  ({ kind: 'Secret', metadata: { namespace: 'ns', name }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) })
const pod = (container: Container, extra: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { namespace: 'ns', name: 'web-0', uid: 'uid-1', labels: { app: 'web', tier: 'front' }, annotations: { note: 'say "hi"\n' } },
  spec: { nodeName: 'node-1', serviceAccountName: 'builder', containers: [container], ...extra },
})
const envOf = (c: Container, objects: Parameters<typeof fakeObjectSource>[0] = [], extra: Partial<Pod['spec']> = {}) =>
  Object.fromEntries(makeEnvironment(pod(c, extra), c, fakeObjectSource(objects), facts))
const configErr = (message: string) => (err: unknown) =>
  err instanceof ContainerConfigError && err.reason === 'CreateContainerConfigError' && err.message === message

describe('expand', () => {
  const vars: Record<string, string> = { A: 'a', B: 'bee', EMPTY: '' }
  const lookup = (n: string) => vars[n]
  const cases: [string, string][] = [
    ['$(A)', 'a'], ['x$(A)y$(B)z', 'xaybeez'], ['$(UNKNOWN)', '$(UNKNOWN)'], ['$$(A)', '$(A)'], ['$$$(A)', '$a'],
    ['$(A', '$(A'], ['$A', '$A'], ['a$', 'a$'], ['$', '$'], ['$(EMPTY)x', 'x'], ['$()', '$()'], ['$$', '$'], ['(A)', '(A)'],
  ]
  for (const [input, want] of cases) it(`${input} → ${want}`, () => assert.equal(expand(input, lookup), want))
  it('expands command and args against the final environment', () => {
    assert.deepEqual(expandArgs(['echo', '$(GREETING) $(WHO)', '$$(GREETING)'], [['GREETING', 'hello'], ['WHO', 'world']]),
      ['echo', 'hello world', '$(GREETING)'])
  })
})

describe('Service environment variables', () => {
  it('follows upstream names for the first port, named ports and docker links', () => {
    const svc = service('ns', 'redis-primary', '10.96.0.11', [{ port: 6379, name: 'redis' }, { port: 9121, name: 'metrics', protocol: 'UDP' }])
    assert.deepEqual(serviceVariables(svc), [
      ['REDIS_PRIMARY_SERVICE_HOST', '10.96.0.11'],
      ['REDIS_PRIMARY_SERVICE_PORT', '6379'],
      ['REDIS_PRIMARY_SERVICE_PORT_REDIS', '6379'],
      ['REDIS_PRIMARY_SERVICE_PORT_METRICS', '9121'],
      ['REDIS_PRIMARY_PORT', 'tcp://10.96.0.11:6379'],
      ['REDIS_PRIMARY_PORT_6379_TCP', 'tcp://10.96.0.11:6379'],
      ['REDIS_PRIMARY_PORT_6379_TCP_PROTO', 'tcp'],
      ['REDIS_PRIMARY_PORT_6379_TCP_PORT', '6379'],
      ['REDIS_PRIMARY_PORT_6379_TCP_ADDR', '10.96.0.11'],
      ['REDIS_PRIMARY_PORT_9121_UDP', 'udp://10.96.0.11:9121'],
      ['REDIS_PRIMARY_PORT_9121_UDP_PROTO', 'udp'],
      ['REDIS_PRIMARY_PORT_9121_UDP_PORT', '9121'],
      ['REDIS_PRIMARY_PORT_9121_UDP_ADDR', '10.96.0.11'],
    ])
  })
  it('prefixes a name that starts with a digit', () => {
    assert.equal(serviceVariables(service('ns', '3d.app', '10.96.0.3', [{ port: 80 }]))[0]![0], '_3D_APP_SERVICE_HOST')
  })
  const objects = [
    service('default', 'kubernetes', '10.96.0.1', [{ port: 443, name: 'https' }]),
    service('ns', 'web', '10.96.0.20', [{ port: 80 }]),
    service('ns', 'headless', 'None', [{ port: 80 }]),
    service('other', 'elsewhere', '10.96.0.30', [{ port: 80 }]),
  ]
  it('come first, from the pod namespace with a cluster IP, plus the master service', () => {
    const env = makeEnvironment(pod({ name: 'c', env: [{ name: 'MINE', value: 'x' }] }), { name: 'c', env: [{ name: 'MINE', value: 'x' }] },
      fakeObjectSource(objects), facts)
    const names = env.map(([k]) => k)
    assert.equal(names[0], 'KUBERNETES_SERVICE_HOST')
    assert.equal(names.at(-1), 'MINE')
    assert.ok(names.includes('WEB_SERVICE_HOST'))
    assert.ok(!names.some((n) => n.startsWith('HEADLESS_') || n.startsWith('ELSEWHERE_')))
  })
  it('keeps only the master service when enableServiceLinks is false', () => {
    const env = envOf({ name: 'c' }, objects, { enableServiceLinks: false })
    assert.equal(env.KUBERNETES_SERVICE_HOST, '10.96.0.1')
    assert.equal(env.KUBERNETES_SERVICE_PORT_HTTPS, '443')
    assert.equal(env.WEB_SERVICE_HOST, undefined)
  })
  it('lets env override a Service variable and use it in $(VAR)', () => {
    const env = envOf({ name: 'c', env: [{ name: 'URL', value: 'http://$(WEB_SERVICE_HOST):$(WEB_SERVICE_PORT)/' }, { name: 'WEB_SERVICE_PORT', value: '8080' }] }, objects)
    assert.equal(env.URL, 'http://10.96.0.20:80/')
    assert.equal(env.WEB_SERVICE_PORT, '8080')
  })
})

describe('envFrom and env', () => {
  const objects = [configMap('cfg', { LOG_LEVEL: 'debug', '1bad': 'x', 'ok.dotted-name': 'y' }), secret('creds', { PASSWORD: 's3cr=t' })]

  it('takes every key with its prefix, decodes secrets, and warns about invalid names as upstream', () => {
    const c: Container = { name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'DB_', secretRef: { name: 'creds' } }] }
    const warnings: string[] = []
    const env = Object.fromEntries(makeEnvironment(pod(c), c, fakeObjectSource(objects), facts, { warn: (r, m) => warnings.push(`${r} ${m}`) }))
    assert.deepEqual(env, { LOG_LEVEL: 'debug', 'ok.dotted-name': 'y', DB_PASSWORD: 's3cr=t' })
    assert.deepEqual(warnings, ['InvalidEnvironmentVariableNames Keys [1bad] from the EnvFrom configMap ns/cfg were skipped since they are considered invalid environment variable names.'])
  })
  it('env overrides envFrom and expands only against what is defined so far', () => {
    const c: Container = {
      name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }],
      env: [{ name: 'A', value: '$(LOG_LEVEL)-$(B)' }, { name: 'B', value: 'b' }, { name: 'C', value: '$(A)+$(B)' }, { name: 'LOG_LEVEL', value: 'info' }],
    }
    const env = envOf(c, objects)
    assert.deepEqual([env.A, env.B, env.C, env.LOG_LEVEL], ['debug-$(B)', 'b', 'debug-$(B)+b', 'info'])
  })
  it('resolves configMapKeyRef and secretKeyRef', () => {
    const env = envOf({ name: 'c', env: [
      { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'LOG_LEVEL' } } },
      { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
    ] }, objects)
    assert.deepEqual([env.LEVEL, env.PW], ['debug', 's3cr=t'])
  })
  it('fails with upstream messages for missing objects and keys', () => {
    const one = (valueFrom: EnvVarSource) =>
      () => envOf({ name: 'c', env: [{ name: 'X', valueFrom }] }, objects)
    assert.throws(one({ configMapKeyRef: { name: 'nope', key: 'k' } }), configErr('configmap "nope" not found'))
    assert.throws(one({ secretKeyRef: { name: 'nope', key: 'k' } }), configErr('secret "nope" not found'))
    assert.throws(one({ configMapKeyRef: { name: 'cfg', key: 'k' } }), configErr("couldn't find key k in ConfigMap ns/cfg"))
    assert.throws(one({ secretKeyRef: { name: 'creds', key: 'k' } }), configErr("couldn't find key k in Secret ns/creds"))
    assert.throws(() => envOf({ name: 'c', envFrom: [{ configMapRef: { name: 'nope' } }] }), configErr('configmap "nope" not found'))
    assert.throws(() => envOf({ name: 'c', envFrom: [{ secretRef: { name: 'nope' } }] }), configErr('secret "nope" not found'))
  })
  it('skips optional references that are missing', () => {
    const env = envOf({
      name: 'c', envFrom: [{ configMapRef: { name: 'nope', optional: true } }],
      env: [
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } },
        { name: 'B', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k', optional: true } } },
        { name: 'C', valueFrom: { secretKeyRef: { name: 'creds', key: 'k', optional: true } } },
        { name: 'D', value: '' },
      ],
    }, objects)
    assert.deepEqual(env, { D: '' })
  })
})

describe('downward API in env', () => {
  const field = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } })
  it('resolves metadata, spec and status fields', () => {
    const env = envOf({ name: 'c', env: [
      field('NAME', 'metadata.name'), field('NS', 'metadata.namespace'), field('UID', 'metadata.uid'),
      field('APP', "metadata.labels['app']"), field('NONE', "metadata.labels['missing']"), field('NOTE', "metadata.annotations['note']"),
      field('LABELS', 'metadata.labels'), field('ANNOTATIONS', 'metadata.annotations'),
      field('NODE', 'spec.nodeName'), field('SA', 'spec.serviceAccountName'),
      field('POD_IP', 'status.podIP'), field('POD_IPS', 'status.podIPs'), field('HOST_IP', 'status.hostIP'), field('HOST_IPS', 'status.hostIPs'),
    ] })
    assert.deepEqual(env, {
      NAME: 'web-0', NS: 'ns', UID: 'uid-1', APP: 'web', NONE: '', NOTE: 'say "hi"\n',
      LABELS: 'app="web"\ntier="front"', ANNOTATIONS: 'note="say \\"hi\\"\\n"',
      NODE: 'node-1', SA: 'builder', POD_IP: '10.244.0.5', POD_IPS: '10.244.0.5,fd00::5', HOST_IP: '192.168.1.2', HOST_IPS: '192.168.1.2',
    })
  })
  it('rejects unsupported fields with upstream messages', () => {
    assert.throws(() => envOf({ name: 'c', env: [field('X', 'spec.containers')] }), configErr('field label not supported: spec.containers'))
    assert.throws(() => envOf({ name: 'c', env: [field('X', 'status.phase')] }), configErr('unsupported fieldPath: status.phase'))
    assert.throws(() => envOf({ name: 'c', env: [{ name: 'X', valueFrom: { fieldRef: { apiVersion: 'v2', fieldPath: 'metadata.name' } } }] }),
      configErr('unsupported pod version: v2'))
  })
  it('resolves resourceFieldRef with divisors, rounding up, limits defaulting to the node', () => {
    const c: Container = {
      name: 'c',
      resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '128Mi' } },
      env: [
        { name: 'CPU_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } },
        { name: 'CPU_REQ_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'MEM_LIM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'MEM_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
        { name: 'MEM_LIM_G', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1G' } } },
        { name: 'CPU_LIM', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'EPH_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.ephemeral-storage' } } },
      ],
    }
    const env = Object.fromEntries(makeEnvironment(pod(c), c, fakeObjectSource([]), facts, { nodeAllocatable: { cpu: '3500m', memory: '8Gi' } }))
    assert.deepEqual(env, {
      CPU_REQ: '1', CPU_REQ_M: '250', MEM_LIM_MI: '128', MEM_REQ: String(64 * 1024 * 1024), MEM_LIM_G: '1', CPU_LIM: '4', EPH_REQ: '0',
    })
    assert.throws(() => envOf({ name: 'c', env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }] }),
      configErr('unsupported container resource : limits.gpu'))
  })
})
