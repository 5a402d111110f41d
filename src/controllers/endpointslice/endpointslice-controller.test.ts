import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js'
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js'
import type { Cached, KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import { endpointSliceController } from './endpointslice-controller.js'

const T0 = '2026-01-01T00:00:00Z'
const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } }

function service(spec: Service['spec'] = {}, name = 'web'): Service {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: T0, labels: { tier: 'front' } },
    spec: { clusterIP: '10.96.0.10', ipFamilies: ['IPv4'], selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...spec },
  }
}

type PodOpts = { ready?: boolean; terminating?: boolean; port?: number; hostname?: string }
function pod(i: number, o: PodOpts = {}): Pod {
  const ip = `10.244.${Math.floor(i / 250)}.${(i % 250) + 1}`
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `p${i}`, namespace: 'default', uid: `uid-p${i}`, labels: { app: 'web' }, ...(o.terminating ? { deletionTimestamp: T0 } : {}) },
    spec: {
      nodeName: 'node-1', ...(o.hostname ? { hostname: o.hostname, subdomain: 'web' } : {}),
      containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: o.port ?? 8080, protocol: 'TCP' }] }],
    },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  }
}

async function setup(objects: object[], maxEndpointsPerSlice?: number) {
  const f = fakeContext([node, ...objects] as KubeObject[])
  const c = endpointSliceController(f.ctx, { maxEndpointsPerSlice })
  const sync = () => c.sync('default/web', AbortSignal.timeout(5000))
  const slices = () => f.informers.of<EndpointSlice>('discovery.k8s.io/v1', 'EndpointSlice').list('default')
  await sync()
  return { ...f, sync, slices }
}

const byName = (eps: readonly Cached<Endpoint>[]) => Object.fromEntries(eps.map((e) => [e.targetRef?.name, e]))

describe('endpointSliceController', () => {
  it('lists pods with ready/serving/terminating conditions, node, zone, hostname and resolved ports', async () => {
    const { slices, client } = await setup([service(), pod(0, { hostname: 'p0' }), pod(1, { ready: false }),
      pod(2, { terminating: true }), pod(3, { terminating: true, ready: false })])
    assert.deepEqual(client.verbs(), ['create endpointslices'])
    const [s] = slices()
    assert.equal(s?.metadata?.generateName, 'web-')
    assert.match(s?.metadata?.name ?? '', /^web-.+/)
    assert.deepEqual(s?.metadata?.labels, {
      tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    })
    assert.deepEqual(s?.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }])
    assert.equal(s?.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], T0)
    assert.equal(s?.addressType, 'IPv4')
    assert.deepEqual(s?.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }])
    const eps = byName(s!.endpoints)
    assert.deepEqual(eps.p0, {
      addresses: ['10.244.0.1'], conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'default', name: 'p0', uid: 'uid-p0' }, nodeName: 'node-1', zone: 'zone-a', hostname: 'p0',
    })
    assert.deepEqual(eps.p1?.conditions, { ready: false, serving: false, terminating: false })
    // A terminating pod stays listed: not ready, still serving while its readiness holds.
    assert.deepEqual(eps.p2?.conditions, { ready: false, serving: true, terminating: true })
    assert.deepEqual(eps.p3?.conditions, { ready: false, serving: false, terminating: true })
  })

  it('publishNotReadyAddresses marks every endpoint ready, terminating ones too', async () => {
    const { slices } = await setup([service({ publishNotReadyAddresses: true }), pod(1, { ready: false }), pod(2, { terminating: true })])
    assert.deepEqual(slices()[0]?.endpoints.map((e) => e.conditions?.ready), [true, true])
  })

  it('splits more than 100 endpoints into slices of at most 100, then shrinks them in place', async () => {
    const pods = Array.from({ length: 250 }, (_, i) => pod(i))
    const { slices, sync, client, informers } = await setup([service(), ...pods])
    assert.deepEqual(slices().map((s) => s.endpoints.length).sort((a, b) => b - a), [100, 100, 50])
    assert.equal(new Set(slices().flatMap((s) => s.endpoints.map((e) => e.addresses[0]))).size, 250)
    await sync()
    assert.equal(client.verbs().length, 3, 'a second sync writes nothing')
    for (const p of pods.slice(0, 10)) informers.remove(p as KubeObject)
    await sync()
    assert.deepEqual(client.verbs().slice(3), ['update endpointslices'])
    assert.equal(slices().reduce((n, s) => n + s.endpoints.length, 0), 240)
  })

  it('puts pods whose named port resolves to different numbers into different slices', async () => {
    const { slices } = await setup([service(), pod(0, { port: 8080 }), pod(1, { port: 9090 }), pod(2, { port: 8080 })])
    const got = slices().map((s) => [s.ports?.[0]?.port, s.endpoints.map((e) => e.targetRef?.name)]).sort()
    assert.deepEqual(got, [[8080, ['p0', 'p2']], [9090, ['p1']]])
  })

  it('keeps one empty placeholder slice for a Service without pods, and leaves it alone after', async () => {
    const { slices, sync, client } = await setup([service()])
    assert.deepEqual(slices().map((s) => [s.endpoints, s.ports]), [[[], []]])
    await sync()
    assert.deepEqual(client.verbs(), ['create endpointslices'])
  })

  it('turns the placeholder into the first real slice with one update', async () => {
    const { sync, client, informers, slices } = await setup([service()])
    informers.set(pod(0) as KubeObject)
    await sync()
    assert.deepEqual(client.verbs(), ['create endpointslices', 'update endpointslices'])
    assert.deepEqual(slices().map((s) => s.endpoints.length), [1])
  })

  it('leaves a Service without a selector to the mirroring controller', async () => {
    const { client } = await setup([service({ selector: undefined }), pod(0)])
    assert.deepEqual(client.verbs(), [])
  })

  it('waits for the cache to show its own writes before planning again', async () => {
    const f = fakeContext([node, service(), pod(0)] as KubeObject[])
    const c = endpointSliceController(f.ctx)
    await c.sync('default/web', AbortSignal.timeout(5000))
    // The cache loses the slice we just made (as if the watch had not delivered it yet).
    const [made] = f.informers.of<EndpointSlice>('discovery.k8s.io/v1', 'EndpointSlice').list()
    f.informers.cacheOf({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' }).remove(made as never)
    const r = await c.sync('default/web', AbortSignal.timeout(5000))
    assert.deepEqual(r, { requeueAfterMs: 100 })
    assert.deepEqual(f.client.verbs(), ['create endpointslices'])
  })
})
