/**
 * @module
 * The ingress controller: watches Ingresses, IngressClasses, Services, EndpointSlices and TLS
 * Secrets; on any relevant change (debounced a few milliseconds) recompiles the route table,
 * upstreams and certificates that the data plane reads; writes status and events. The caller
 * owns the listening sockets and hands accepted connections to `handleHttp`/`handleHttps`.
 */
import type { Server as NetServer, Socket } from 'node:net'
import type { Secret, Service } from 'kubernetes-types/core/v1.js'
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js'
import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js'
import type { SecureContext } from 'node:tls'
import type { Cached } from '../../api/index.js'
import type { Client, EventRecorder, Informers } from '../../client/index.js'
import { sliceServiceKey } from '../proxy/service-table.js'
import { parseAnnotations, ANNOTATION_PREFIX, type ParsedAnnotations } from './annotations.js'
import { certificateStore, createDefaultCertificate, type CertAndKey } from './certificates.js'
import { ingressClassFilter } from './classes.js'
import { createProxy, type ProxyOptions } from './proxy.js'
import type { RouteState } from './route-request.js'
import { buildRoutes, type RouteTable } from './routes.js'
import { eventReporter, statusWriter, type StatusAddress } from './status.js'
import { resolveUpstreams, type Upstream } from './upstreams.js'

export type IngressControllerOptions = ProxyOptions & {
  informers: Informers
  client: Client
  recorder: EventRecorder
  /** Written to `status.loadBalancer.ingress` of every served Ingress. */
  statusAddress: StatusAddress
  /** The certificate for hosts without one; generated (self-signed) when absent. */
  defaultCertificate?: CertAndKey
  /** Coalesces bursts of informer events into one rebuild. */
  debounceMs?: number
  log?: (msg: string) => void
}

export type IngressController = {
  handleHttp(socket: Socket): void
  handleHttps(socket: Socket): void
  /** Feeds every connection a listening server accepts; returns a function that stops doing so. */
  attach(server: NetServer, scheme: 'http' | 'https'): () => void
  /** Applies pending changes now (tests, and callers that must see a write take effect). */
  flush(): void
  /** Makes the default certificate if not yet made; resolves once HTTPS is served. */
  readonly ready: Promise<void>
  /** The current route table (diagnostics). */
  routes(): RouteTable
  stop(): Promise<void>
}

const RETRY_STATUS_MS = 1_000

/** Starts the controller and builds the first table; HTTPS connections wait for `ready`. */
export function startIngressController(opts: IngressControllerOptions): IngressController {
  const { informers, debounceMs = 5 } = opts
  const ingresses = informers.of<Ingress>('networking.k8s.io/v1', 'Ingress')
  const classes = informers.of<IngressClass>('networking.k8s.io/v1', 'IngressClass')
  const services = informers.of<Service>('v1', 'Service')
  const slices = informers.of<EndpointSlice>('discovery.k8s.io/v1', 'EndpointSlice')
  const secrets = informers.of<Secret>('v1', 'Secret')

  const certs = certificateStore()
  const events = eventReporter(opts.recorder)
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const schedule = (delayMs = debounceMs) => {
    if (stopped || timer) return
    timer = setTimeout(() => { timer = undefined; rebuild() }, delayMs)
  }
  const ensureStatus = statusWriter(opts.client, opts.statusAddress, (err) => {
    opts.log?.(`ingress: status update failed: ${(err as Error).message}`)
    schedule(RETRY_STATUS_MS)
  })

  let state: RouteState = { routes: buildRoutes([]), upstreams: new Map<string, Upstream>() }
  // What the current table depends on: changes to anything else cannot alter it.
  let watchedServices = new Set<string>()
  let watchedSecrets = new Set<string>()
  const parsed = new Map<string, { rv: string; p: ParsedAnnotations }>()

  function parse(ing: Cached<Ingress>): ParsedAnnotations {
    const key = `${ing.metadata?.namespace}/${ing.metadata?.name}`
    const rv = `${ing.metadata?.uid}/${ing.metadata?.resourceVersion}`
    const hit = parsed.get(key)
    if (hit?.rv === rv) return hit.p
    const p = parseAnnotations(ing.metadata?.annotations)
    parsed.set(key, { rv, p })
    return p
  }

  function rebuild() {
    if (stopped) return
    const served = ingresses.list().filter(ingressClassFilter(classes.list()))
    const routes = buildRoutes(served, parse)
    const bySvc = new Map<string, Cached<EndpointSlice>[]>()
    for (const s of slices.list()) {
      const k = sliceServiceKey(s as EndpointSlice)
      if (k) bySvc.set(k, [...(bySvc.get(k) ?? []), s])
    }
    const upstreams = resolveUpstreams(routes.backends.values(), (k) => services.get(k), (k) => bySvc.get(k) ?? [], state.upstreams)
    const tlsProblems = new Map<string, string>()
    const contexts = new Map<string, SecureContext>()
    for (const server of [...routes.servers.values(), ...routes.wildcards.map((w) => w.server)]) {
      if (!server.tls?.secret) continue
      const ctx = certs.contextFor(secrets.get(server.tls.secret))
      if ('error' in ctx) tlsProblems.set(server.tls.secret, ctx.error)
      else contexts.set(server.name, ctx)
    }
    certs.set(contexts)
    state = { routes, upstreams }
    watchedServices = new Set([...routes.backends.values()].map((b) => `${b.namespace}/${b.service}`))
    watchedSecrets = new Set([...routes.servers.values(), ...routes.wildcards.map((w) => w.server)].flatMap((s) => (s.tls?.secret ? [s.tls.secret] : [])))
    for (const key of parsed.keys()) if (!ingresses.get(key)) parsed.delete(key)

    for (const ing of served) {
      const key = `${ing.metadata?.namespace}/${ing.metadata?.name}`
      const p = parse(ing)
      events.report(ing, 'Normal', 'Sync', 'Scheduled for sync')
      const notes = [...p.unsupported.map((a) => ANNOTATION_PREFIX + a), ...p.invalid.map((a) => ANNOTATION_PREFIX + a)]
      if (notes.length) events.report(ing, 'Warning', 'UnsupportedAnnotation', `annotations not supported by kubelite's ingress controller (ignored): ${notes.join(', ')}`)
      for (const msg of routes.problems.get(key) ?? []) events.report(ing, 'Warning', 'InvalidConfiguration', msg)
      for (const t of ing.spec?.tls ?? []) {
        const err = t.secretName ? tlsProblems.get(`${ing.metadata?.namespace}/${t.secretName}`) : undefined
        if (err) events.report(ing, 'Warning', 'InvalidCertificate', `secret ${t.secretName}: ${err}; serving the default certificate`)
      }
      ensureStatus(ing)
    }
    events.sweep()
  }

  const unsubscribe = [
    ingresses.subscribe(() => schedule()),
    classes.subscribe(() => schedule()),
    services.subscribe((ev) => { if (watchedServices.has(`${ev.obj.metadata?.namespace}/${ev.obj.metadata?.name}`)) schedule() }),
    slices.subscribe((ev) => {
      const k = sliceServiceKey(ev.obj as EndpointSlice) ?? ''
      const old = ev.type === 'update' ? sliceServiceKey(ev.old as EndpointSlice) ?? '' : ''
      if (watchedServices.has(k) || watchedServices.has(old)) schedule()
    }),
    secrets.subscribe((ev) => {
      if (ev.obj.type === 'kubernetes.io/tls' || watchedSecrets.has(`${ev.obj.metadata?.namespace}/${ev.obj.metadata?.name}`)) schedule()
    }),
  ]
  if (timer) { clearTimeout(timer); timer = undefined }
  rebuild()

  const proxy = createProxy(() => state, certs, opts)
  // The default certificate is made at the first HTTPS connection (connections wait for it):
  // a node that serves only HTTP never loads the X.509 library (~10 MB of its memory).
  let ready: Promise<void> | undefined
  const ensureHttps = () => {
    ready ??= (opts.defaultCertificate ? Promise.resolve(opts.defaultCertificate) : createDefaultCertificate()).then((pair) => {
      certs.setDefault(pair)
      if (!stopped) proxy.enableHttps(pair)
    })
    ready.catch((err: Error) => opts.log?.(`ingress: no default certificate, HTTPS is not served: ${err.message}`))
    return ready
  }
  if (opts.defaultCertificate) void ensureHttps()
  const handleHttps = (socket: Socket) => {
    void ensureHttps()
    proxy.handleHttps(socket)
  }
  return {
    handleHttp: proxy.handleHttp,
    handleHttps,
    attach(server, scheme) {
      const feed = scheme === 'https' ? handleHttps : proxy.handleHttp
      server.on('connection', feed)
      return () => void server.off('connection', feed)
    },
    flush() {
      if (timer) { clearTimeout(timer); timer = undefined }
      rebuild()
    },
    get ready() { return ensureHttps() },
    routes: () => state.routes,
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      for (const u of unsubscribe) u()
      proxy.close()
    },
  }
}
