/**
 * @module
 * The API server: HTTPS (or HTTP for tests), authentication, and routing to discovery,
 * OpenAPI and the resource handlers.
 */
import { createServer as createHttpServer, ServerResponse, type IncomingMessage } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { chmod, rm } from 'node:fs/promises'
import { createServer as createNetServer, type Server as NetServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js'
import { notFound, unauthorized, methodNotSupported, type KubeObject } from '../api/index.js'
import { bootstrapObjects, builtinResources, createRegistry, type ResourceType } from '../registry/index.js'
import { nthAddress, parseCidr, serviceAllocator } from './allocators.js'
import { authenticate, bearerToken, isPublicPath } from './auth.js'
import { IN_PROCESS_USER, inProcessTransport } from './in-process.js'
import { generateServiceAccountKey, serviceAccountUser, tokenIssuer } from './serviceaccount-tokens.js'
import { podAdmission, type PriorityClassLookup } from './admission/pods.js'
import { storageClassAdmission } from './admission/storage-class.js'
import { combinedUsage, kubeletUsage, metricsApi } from './metrics/index.js'
import { KUBELET_SOCKET_ANNOTATION, registerUpgrade } from './kubelet-proxy.js'
import { bootstrap } from './bootstrap.js'
import { aggregatedDiscovery, aggregatedVersion, groupVersions, legacyApiVersions, legacyGroup, legacyGroupList, legacyResourceList } from './discovery.js'
import { handleResource } from './handlers/resource.js'
import { served as makeServed, type Served } from './handlers/context.js'
import { sendError, sendJson } from './http-util.js'
import type { ApiServerOptions, RunningApiServer, UserInfo } from './options.js'
import { parseRequestInfo } from './request-info.js'
import { reviewResources } from './reviews.js'
import { resourceStore, type ResourceStore } from './store/store.js'
import { decodeShared } from './store/codec.js'
import type { AdmissionHooks } from './store/types.js'
import { VERSION_INFO } from './version.js'

const DEFAULT_SERVICE_CIDR = '10.96.0.0/12'

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const backend = opts.storage
  const resources: ResourceType[] = [...builtinResources(), ...reviewResources]
  const registry = createRegistry(resources)
  const serviceCidr = parseCidr(opts.serviceCIDR ?? DEFAULT_SERVICE_CIDR)
  const allocator = serviceAllocator(serviceCidr.text, opts.nodePortRange, opts.loadBalancerPool)
  const admission = new Map<string, AdmissionHooks>([
    ['/services', allocator],
    ['/pods', podAdmission(() => priorityClassLookup(served('scheduling.k8s.io', 'v1', 'priorityclasses')!))],
    ['/persistentvolumeclaims', storageClassAdmission(async () => {
      const s = served('storage.k8s.io', 'v1', 'storageclasses')!
      return (await s.store.listRaw('', {})).kvs.map((kv) => s.store.decodeShared(kv) as never)
    })],
  ])

  // One store per stored resource; conversion views share their stored resource's store.
  const stores = new Map<string, ResourceStore>()
  const storeOf = (rt: ResourceType): ResourceStore => {
    const target = rt.conversion ? registry.byResource(rt.conversion.storedAs.group, rt.conversion.storedAs.version, rt.conversion.storedAs.resource)! : rt
    const id = `${target.group}/${target.resource}`
    let s = stores.get(id)
    if (!s) stores.set(id, (s = resourceStore(backend, target, admission.get(id))))
    return s
  }
  const servedMap = new Map<string, Served>()
  for (const rt of resources) servedMap.set(`${rt.group}/${rt.version}/${rt.resource}`, makeServed(rt, storeOf(rt)))
  const served = (g: string, v: string, r: string) => servedMap.get(`${g}/${v}/${r}`)
  const servedKind = (g: string, v: string, k: string) => {
    const rt = registry.byKind(g, v, k)
    return rt ? served(g, v, rt.resource) : undefined
  }

  // Allocations live in the Services themselves: rebuild the allocator's view from them.
  const services = await served('', 'v1', 'services')!.store.listRaw('', {})
  allocator.restore(services.kvs.map((kv) => decodeShared(kv) as KubeObject))

  const tokens = tokenIssuer(opts.serviceAccountKey ?? generateServiceAccountKey())
  const serviceAccounts = served('', 'v1', 'serviceaccounts')!
  /** A ServiceAccount token is valid while its ServiceAccount exists with the same uid. */
  const serviceAccountFrom = async (req: IncomingMessage) => {
    const token = bearerToken(req)
    const sa = token ? tokens.verify(token, Date.now()) : undefined
    if (!sa) return undefined
    const kv = await serviceAccounts.store.getRaw(sa.namespace, sa.name)
    return kv && serviceAccounts.store.decodeShared(kv).metadata?.uid === sa.uid ? serviceAccountUser(sa) : undefined
  }

  const gvs = groupVersions(resources)
  // metrics.k8s.io, computed from the stored pods and nodes (what metrics-server would serve).
  const list = (s: Served, ns?: string) => s.store.listRaw(ns ?? '', {}).then((r) => r.kvs.map((kv) => s.store.decodeShared(kv) as never))
  const one = (s: Served, ns: string, name: string) => s.store.getRaw(ns, name).then((kv) => (kv ? s.store.decodeShared(kv) as never : undefined))
  const podsServed = served('', 'v1', 'pods')!
  const nodesServed = served('', 'v1', 'nodes')!
  // Nodes with a kubelet are scraped (/stats/summary); the sim's rule covers the rest.
  const scraped = kubeletUsage({ listNodes: () => list(nodesServed), annotation: KUBELET_SOCKET_ANNOTATION })
  const metrics = metricsApi({
    listPods: (ns) => list(podsServed, ns), getPod: (ns, name) => one(podsServed, ns, name),
    listNodes: () => list(nodesServed), getNode: (name) => one(nodesServed, '', name),
  }, { usage: combinedUsage(scraped.source), prepare: () => scraped.ensure() })
  // The OpenAPI documents load on the first request for them (kubectl apply, explain).
  let openapi: ReturnType<typeof import('./openapi/index.js').openApiV3> | undefined
  // A wildcard bind is reached through loopback, and so is advertised.
  const advertised = opts.advertiseAddress ?? (opts.bind === '0.0.0.0' || opts.bind === '::' ? '127.0.0.1' : opts.bind)

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now()
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname
    try {
      if (isPublicPath(path)) return publicEndpoint(path, res)
      const user = (req as { [IN_PROCESS_USER]?: UserInfo })[IN_PROCESS_USER] ?? authenticate(req, opts.authenticator) ?? await serviceAccountFrom(req)
      if (!user) throw unauthorized()
      const accept = req.headers.accept
      if (path === '/api' || path === '/api/') {
        const v = aggregatedVersion(accept)
        if (v) return sendJson(res, 200, aggregatedDiscovery(gvs, true, v), { 'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList` })
        return sendJson(res, 200, legacyApiVersions(`${advertised}:${port}`))
      }
      if (path === '/apis' || path === '/apis/') {
        const v = aggregatedVersion(accept)
        if (v) {
          const doc = aggregatedDiscovery(gvs, false, v) as { items: unknown[] }
          return sendJson(res, 200, { ...doc, items: [...doc.items, metrics.groupDiscovery] }, { 'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList` })
        }
        const groups = legacyGroupList(gvs) as { groups: unknown[] }
        const { name, versions, preferredVersion } = metrics.apiGroup
        return sendJson(res, 200, { ...groups, groups: [...groups.groups, { name, versions, preferredVersion }] })
      }
      if (path.startsWith('/openapi/')) {
        openapi ??= (await import('./openapi/index.js')).openApiV3(resources)
        const reply = openapi(path, url.searchParams, req.headers)
        if (reply) {
          res.writeHead(reply.status, reply.headers)
          return res.end(reply.body)
        }
        throw pageNotFound()
      }
      if (path.startsWith(`/apis/${metrics.group}`)) {
        const body = await metrics.handle(path, url.searchParams, Date.now())
        if (body === undefined) throw pageNotFound()
        return sendJson(res, 200, body)
      }
      const parts = path.split('/').filter(Boolean)
      if (parts[0] === 'api' && parts.length === 2) {
        const g = gvs.find((x) => x.group === '')!.versions.find((v) => v.version === parts[1])
        if (!g) throw pageNotFound()
        return sendJson(res, 200, legacyResourceList('', g.version, g.resources))
      }
      if (parts[0] === 'apis' && (parts.length === 2 || parts.length === 3)) {
        const g = gvs.find((x) => x.group === parts[1])
        if (!g) throw pageNotFound()
        if (parts.length === 2) return sendJson(res, 200, legacyGroup(g))
        const v = g.versions.find((x) => x.version === parts[2])
        if (!v) throw pageNotFound()
        return sendJson(res, 200, legacyResourceList(g.group, v.version, v.resources))
      }
      const info = parseRequestInfo(req.method ?? 'GET', path, url.searchParams)
      if (info.kind !== 'resource') throw pageNotFound()
      const s = served(info.group, info.version, info.resource)
      if (!s) throw pageNotFound()
      if (!s.rt.namespaced && info.namespace) throw pageNotFound()
      if (s.rt.verbs && info.verb !== 'connect' && !s.rt.verbs.includes(info.verb) && !info.subresource) {
        throw methodNotSupported({ group: s.rt.group, resource: s.rt.resource }, info.verb)
      }
      await handleResource({ req, res, info, query: url.searchParams, user, served: s, backend, now: Date.now(), warnings: [], stores: () => stores.values() }, { served, authenticator: opts.authenticator, tokens })
    } catch (err) {
      sendError(res, err)
    } finally {
      opts.log?.(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`)
    }
  }

  const server = opts.tls
    ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca, requestCert: true, rejectUnauthorized: false }, handler)
    : createHttpServer(handler)
  server.keepAliveTimeout = 65_000
  // exec, attach and portforward upgrade (WebSocket GET, SPDY POST). They go through the same
  // handler as any request — authentication, routing, errors as JSON Status on the socket —
  // and pods' stream handler takes the socket over once the kubelet accepted.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const conn = registerUpgrade(req, socket, head)
    const res = new ServerResponse(req)
    res.shouldKeepAlive = false
    res.assignSocket(socket as Socket)
    res.once('finish', () => {
      if (!conn.takenOver) socket.end()
    })
    socket.on('error', () => socket.destroy())
    void handler(req, res)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.bind, () => resolve())
  })
  const port = (server.address() as AddressInfo).port

  await bootstrap({
    served, servedKind, kubernetesIP: nthAddress(serviceCidr, 1), dnsIP: nthAddress(serviceCidr, 10),
    advertiseAddress: advertised, port, extraObjects: bootstrapObjects(),
  })

  const unixServers: NetServer[] = []
  const scheme = opts.tls ? 'https' : 'http'
  const host = opts.bind.includes(':') ? `[${opts.bind}]` : opts.bind === '0.0.0.0' ? '127.0.0.1' : opts.bind
  return {
    url: `${scheme}://${host}:${port}`,
    port,
    inProcess: (user) => inProcessTransport(handler, user),
    async serveUnixSocket(path) {
      // Agents in their own network namespace cannot reach 127.0.0.1 here; a socket file can be
      // reached from any namespace. Connections are handed to the same server (TLS and all).
      await rm(path, { force: true })
      const unix = createNetServer((socket) => server.emit('connection', socket))
      await new Promise<void>((resolve, reject) => {
        unix.once('error', reject)
        unix.listen(path, () => resolve())
      })
      await chmod(path, 0o600)
      unixServers.push(unix)
    },
    async close() {
      for (const u of unixServers) u.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}

function priorityClassLookup(s: Served): PriorityClassLookup {
  return {
    async get(name) {
      const kv = await s.store.getRaw('', name)
      return kv ? (s.store.decodeShared(kv) as unknown as PriorityClass) : undefined
    },
    async list() {
      return (await s.store.listRaw('', {})).kvs.map((kv) => s.store.decodeShared(kv) as unknown as PriorityClass)
    },
  }
}

const pageNotFound = () => {
  const e = notFound({ group: '', resource: '' }, '')
  e.status.message = 'the server could not find the requested resource'
  e.status.details = {}
  return e
}

function publicEndpoint(path: string, res: ServerResponse) {
  if (path === '/version') return sendJson(res, 200, VERSION_INFO)
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' })
  res.end('ok')
}
