import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import { endpointsController } from './endpoints-controller.js'

const T0 = '2026-01-01T00:00:00Z'

function service(name: string, spec: Service['spec'], labels?: Record<string, string>): Service {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: T0, ...(labels ? { labels } : {}) },
    spec: { clusterIP: '10.96.0.10', ipFamilies: ['IPv4'], ...spec },
  }
}

type PodOpts = { ip?: string; ready?: boolean; port?: number; terminating?: boolean; phase?: string; hostname?: string; subdomain?: string }
function pod(name: string, o: PodOpts = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' },
      ...(o.terminating ? { deletionTimestamp: T0 } : {}),
    },
    spec: {
      nodeName: 'node-1', ...(o.hostname ? { hostname: o.hostname, subdomain: o.subdomain } : {}),
      containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: o.port ?? 8080, protocol: 'TCP' }] }],
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip === '' ? {} : { podIP: o.ip ?? `10.244.0.${name.charCodeAt(0) - 96}`, podIPs: [{ ip: o.ip ?? `10.244.0.${name.charCodeAt(0) - 96}` }] }),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: '2026-01-01T00:00:05Z' }],
    },
  }
}

const web = (spec: Service['spec'] = {}) =>
  service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec }, { tier: 'front' })

async function run(objects: (Pod | Service | Endpoints)[]) {
  const f = fakeContext(objects as KubeObject[])
  const c = endpointsController(f.ctx)
  await c.sync('default/web', AbortSignal.timeout(5000))
  const ep = f.informers.of<Endpoints>('v1', 'Endpoints').get('default/web')
  return { ...f, c, ep }
}

describe('endpointsController', () => {
  it('puts ready pods in addresses and not-ready ones in notReadyAddresses, skipping pods without IPs, terminating and finished ones', async () => {
    const { ep, client } = await run([
      web(), pod('a'), pod('b', { ready: false }), pod('c', { ip: '' }), pod('d', { terminating: true }), pod('e', { phase: 'Succeeded' }),
    ])
    assert.deepEqual(client.verbs(), ['create endpoints'])
    assert.deepEqual(ep?.subsets, [{
      addresses: [{ ip: '10.244.0.1', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } }],
      notReadyAddresses: [{ ip: '10.244.0.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    }])
    assert.deepEqual(ep?.metadata?.labels, { tier: 'front', 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' })
    // The first sync of a Service dates the endpoints from the Service's creation.
    assert.equal(ep?.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], T0)
  })

  it('resolves a named targetPort per pod: pods with different numbers land in different subsets', async () => {
    const { ep } = await run([web({ ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] }),
      pod('a', { port: 8080 }), pod('b', { port: 9090 }), pod('c', { port: 8080 })])
    assert.deepEqual(ep?.subsets?.map((s) => [s.addresses?.map((a) => a.ip), s.ports]), [
      [['10.244.0.1', '10.244.0.3'], [{ name: 'http', port: 8080, protocol: 'TCP' }]],
      [['10.244.0.2'], [{ name: 'http', port: 9090, protocol: 'TCP' }]],
    ])
  })

  it('publishNotReadyAddresses lists every pod, terminating ones too, as ready', async () => {
    const { ep } = await run([web({ publishNotReadyAddresses: true }), pod('a'), pod('b', { ready: false }), pod('d', { terminating: true })])
    assert.deepEqual(ep?.subsets?.[0]?.addresses?.map((a) => a.ip), ['10.244.0.1', '10.244.0.2', '10.244.0.4'])
    assert.equal(ep?.subsets?.[0]?.notReadyAddresses, undefined)
  })

  it('sets hostname when the pod names itself inside the Service, and the headless label', async () => {
    const { ep } = await run([web({ clusterIP: 'None' }), pod('a', { hostname: 'a-0', subdomain: 'web' }), pod('b', { hostname: 'b-0', subdomain: 'other' })])
    assert.deepEqual(ep?.subsets?.[0]?.addresses?.map((a) => a.hostname), ['a-0', undefined])
    assert.equal(ep?.metadata?.labels?.['service.kubernetes.io/headless'], '')
  })

  it('leaves a Service without a selector and its hand-written Endpoints alone', async () => {
    const manual: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: '192.0.2.1' }] }] }
    const { client, ep } = await run([service('web', { ports: [{ port: 80 }] }), manual, pod('a')])
    assert.deepEqual(client.verbs(), [])
    assert.deepEqual(ep?.subsets, manual.subsets)
  })

  it('does nothing on a second sync, then follows a pod turning ready', async () => {
    const { c, client, informers } = await run([web(), pod('a'), pod('b', { ready: false })])
    await c.sync('default/web', AbortSignal.timeout(5000))
    assert.deepEqual(client.verbs(), ['create endpoints'])
    const b = pod('b')
    b.status!.conditions![0]!.lastTransitionTime = '2026-01-01T00:01:00Z'
    informers.set(b as KubeObject)
    await c.sync('default/web', AbortSignal.timeout(5000))
    const ep = informers.of<Endpoints>('v1', 'Endpoints').get('default/web')
    assert.deepEqual(client.verbs(), ['create endpoints', 'update endpoints'])
    assert.deepEqual(ep?.subsets?.[0]?.addresses?.map((a) => a.ip), ['10.244.0.1', '10.244.0.2'])
    assert.equal(ep?.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], '2026-01-01T00:01:00Z')
  })

  it('deletes the Endpoints once its Service is gone', async () => {
    const { c, client, informers } = await run([web(), pod('a')])
    informers.remove(web() as KubeObject)
    await c.sync('default/web', AbortSignal.timeout(5000))
    assert.deepEqual(client.verbs(), ['create endpoints', 'delete endpoints'])
    assert.equal(informers.of<Endpoints>('v1', 'Endpoints').get('default/web'), undefined)
  })

  it('enqueues the Services that select a pod when its readiness changes, not on unrelated updates', () => {
    const f = fakeContext([web(), service('other', { selector: { app: 'db' } }), pod('a')] as KubeObject[])
    const keys: string[] = []
    const c = endpointsController(f.ctx)
    c.triggers[1]!.subscribe((k) => keys.push(k))
    keys.length = 0
    const relabelled = pod('a')
    relabelled.metadata!.annotations = { note: 'x' }
    f.informers.set(relabelled as KubeObject)
    assert.deepEqual(keys, [])
    f.informers.set(pod('a', { ready: false }) as KubeObject)
    assert.deepEqual(keys, ['default/web'])
  })
})
