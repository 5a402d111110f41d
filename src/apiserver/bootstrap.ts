/**
 * @module
 * What a new cluster has before anyone writes to it: the four system namespaces, the
 * `kubernetes` Service with its endpoints, the `kube-dns` Service, and the registry's
 * built-in objects (system PriorityClasses, default ClusterRoles).
 */
// Upstream: pkg/controlplane/controller/systemnamespaces and kubernetesservice (the
// endpoints reconciler), and the kube-dns Service manifest of kubeadm's CoreDNS add-on.
import { isAlreadyExists, parseApiVersion, type KubeObject } from '../api/index.js'
import type { Served } from './handlers/context.js'
import type { WriteContext } from './store/types.js'

export type BootstrapOptions = {
  served: (group: string, version: string, resource: string) => Served | undefined
  servedKind: (group: string, version: string, kind: string) => Served | undefined
  kubernetesIP: string
  dnsIP: string
  advertiseAddress: string
  port: number
  extraObjects: KubeObject[]
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease']

export async function bootstrap(opts: BootstrapOptions) {
  const ctx: WriteContext = { now: new Date(), dryRun: false, warnings: [] }
  // Get first, create only what is missing, as upstream's bootstrap controllers do: a create
  // of what exists would go through admission (and the allocator refuses IPs already in use).
  const ensure = async (group: string, version: string, resource: string, obj: KubeObject) => {
    const s = opts.served(group, version, resource)
    if (!s) return
    if (await s.store.getRaw(obj.metadata?.namespace ?? '', obj.metadata?.name ?? '')) return
    try {
      await s.store.create(s.in(structuredClone(obj)), obj.metadata?.namespace ?? '', ctx)
    } catch (err) {
      if (!isAlreadyExists(err)) throw err
    }
  }
  for (const name of SYSTEM_NAMESPACES) await ensure('', 'v1', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } })

  await ensure('', 'v1', 'services', {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: opts.kubernetesIP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.port }], sessionAffinity: 'None' },
  })
  await ensureKubernetesEndpoints(opts, ctx)
  await ensure('', 'v1', 'services', {
    apiVersion: 'v1', kind: 'Service',
    metadata: {
      name: 'kube-dns', namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      // No selector: every node agent serves DNS itself and lists its address in the Endpoints.
      clusterIP: opts.dnsIP,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    },
  })
  for (const obj of opts.extraObjects) {
    const { group, version } = parseApiVersion(obj.apiVersion ?? '')
    const s = opts.servedKind(group, version, obj.kind ?? '')
    if (s) await ensure(group, version, s.rt.resource, obj)
  }
}

/** The apiserver keeps the `kubernetes` Endpoints and EndpointSlice pointing at itself. */
async function ensureKubernetesEndpoints(opts: BootstrapOptions, ctx: WriteContext) {
  const address = opts.advertiseAddress
  const eps = opts.served('', 'v1', 'endpoints')
  if (eps) {
    const want = {
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: address }], ports: [{ name: 'https', port: opts.port, protocol: 'TCP' }] }],
    }
    await eps.store.update('default', 'kubernetes', (cur) => ({ ...cur, subsets: want.subsets }), ctx,
      { create: () => eps.store.create(structuredClone(want), 'default', ctx) })
  }
  const slices = opts.served('discovery.k8s.io', 'v1', 'endpointslices')
  if (slices) {
    const want = {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [address], conditions: { ready: true } }],
      ports: [{ name: 'https', port: opts.port, protocol: 'TCP' }],
    }
    await slices.store.update('default', 'kubernetes', (cur) => ({ ...cur, endpoints: want.endpoints, ports: want.ports }), ctx,
      { create: () => slices.store.create(structuredClone(want), 'default', ctx) })
  }
}
