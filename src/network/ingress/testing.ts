/**
 * @module
 * Test fixtures for the ingress controller: API objects, echo backends on 127.0.0.1, and a
 * controller over fake informers fed from real listening sockets, with a small HTTP(S) client.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net'
import type { PeerCertificate, TLSSocket } from 'node:tls'
import type { Secret, Service } from 'kubernetes-types/core/v1.js'
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js'
import type { HTTPIngressPath, Ingress, IngressSpec } from 'kubernetes-types/networking/v1.js'
import type { KubeObject } from '../../api/index.js'
import type { ApiObject } from '../../client/index.js'
import { fakeClient, fakeInformers, fakeRecorder, type FakeClient, type FakeInformers } from '../../client/index.js'
import { createDefaultCertificate, type CertAndKey } from './certificates.js'
import { createIngressClasses } from './classes.js'
import { startIngressController, type IngressController } from './controller.js'

let created = 0
const stamp = () => new Date(Date.parse('2026-01-01T00:00:00Z') + 1000 * created++).toISOString().replace('.000Z', 'Z')

export function ingress(name: string, spec: IngressSpec, annotations: Record<string, string> = {}, ns = 'default'): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
    metadata: { name, namespace: ns, uid: `uid-${name}`, generation: 1, resourceVersion: '1', creationTimestamp: stamp(), annotations },
    spec,
  }
}

/** One rule's path to a Service port. */
export const path = (p: string, service: string, pathType: HTTPIngressPath['pathType'] = 'Prefix', port: number | string = 80): HTTPIngressPath =>
  ({ path: p, pathType, backend: { service: { name: service, port: typeof port === 'number' ? { number: port } : { name: port } } } })

export const rule = (host: string | undefined, ...paths: HTTPIngressPath[]) => ({ ...(host ? { host } : {}), http: { paths } })

export function service(name: string, ports: Array<{ port: number; name?: string }> = [{ port: 80 }], ns = 'default'): Service {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, uid: `svc-${name}` },
    spec: { clusterIP: '10.96.0.50', ports: ports.map((p) => ({ ...p, protocol: 'TCP' as const, targetPort: p.port })) },
  }
}

/** An EndpointSlice sending `name`'s port (named `portName`) to 127.0.0.1 at each of `ports`. */
export function slice(name: string, ports: number[], portName = '', ns = 'default'): EndpointSlice[] {
  // One slice per port: endpoints on one address with different ports need separate slices.
  return ports.map((port, i) => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: `${name}-${i}`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
    ports: [{ name: portName, port, protocol: 'TCP' }],
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
  }))
}

export function tlsSecret(name: string, pair: CertAndKey, ns = 'default'): Secret {
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace: ns, uid: `sec-${name}`, resourceVersion: '1' },
    data: { 'tls.crt': Buffer.from(pair.cert).toString('base64'), 'tls.key': Buffer.from(pair.key).toString('base64') },
  }
}

export type Seen = { method: string; url: string; headers: IncomingMessage['headers']; body: string }
export type Backend = { name: string; port: number; seen: Seen[]; server: Server; close(): Promise<void> }

/** An HTTP server on 127.0.0.1 answering with JSON describing the request (or `handler`'s answer). */
export async function echoBackend(name: string, handler?: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<Backend> {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body }
      seen.push(s)
      if (handler) return handler(req, res, body)
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Backend': name })
      res.end(JSON.stringify({ backend: name, ...s }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    name, seen, server, port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()) }),
  }
}

/** A port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const s = createNetServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

let defaultCert: Promise<CertAndKey> | undefined
/** One default certificate per test process: generating it costs ~100 ms. */
export const testDefaultCertificate = () => (defaultCert ??= createDefaultCertificate())

export type Reply = { status: number; headers: IncomingMessage['headers']; body: string; json: () => Record<string, unknown>; cert?: PeerCertificate }
export type RequestOpts = { host?: string; method?: string; headers?: Record<string, string>; body?: string | Buffer; tls?: boolean; servername?: string }

export type Harness = {
  informers: FakeInformers
  client: FakeClient
  recorder: ReturnType<typeof fakeRecorder>
  controller: IngressController
  httpPort: number
  httpsPort: number
  /** Applies an API change and waits for the controller to take it. */
  apply(...objs: ApiObject[]): void
  remove(...objs: ApiObject[]): void
  request(path: string, opts?: RequestOpts): Promise<Reply>
  close(): Promise<void>
}

/** A controller over fake informers holding `objects` (plus the two IngressClasses), served on 127.0.0.1. */
export async function startHarness(objects: ApiObject[]): Promise<Harness> {
  const informers = fakeInformers([...createIngressClasses(), ...objects] as KubeObject[])
  const client = fakeClient(informers)
  const recorder = fakeRecorder()
  const controller = startIngressController({
    informers, client, recorder, statusAddress: { ip: '127.0.0.1' }, defaultCertificate: await testDefaultCertificate(), debounceMs: 1,
  })
  await controller.ready
  const servers: NetServer[] = []
  const listen = async (feed: (s: import('node:net').Socket) => void) => {
    const s = createNetServer(feed)
    servers.push(s)
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
    return (s.address() as AddressInfo).port
  }
  const httpPort = await listen((s) => controller.handleHttp(s))
  const httpsPort = await listen((s) => controller.handleHttps(s))
  return {
    informers, client, recorder, controller, httpPort, httpsPort,
    apply(...objs) { for (const o of objs) informers.set(o as KubeObject); controller.flush() },
    remove(...objs) { for (const o of objs) informers.remove(o as KubeObject); controller.flush() },
    request(p, o = {}) {
      return new Promise<Reply>((resolve, reject) => {
        // Node frames a GET body only when told its length.
        const length = o.body !== undefined && !o.headers?.['Transfer-Encoding'] ? { 'Content-Length': String(Buffer.byteLength(o.body)) } : {}
        const headers = { ...(o.host ? { Host: o.host } : {}), ...length, ...o.headers }
        const common = { host: '127.0.0.1', method: o.method ?? 'GET', path: p, headers, agent: false as const }
        const done = (res: IncomingMessage) => {
          const cert = o.tls ? (res.socket as TLSSocket).getPeerCertificate() : undefined
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString()
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body), ...(cert ? { cert } : {}) })
          })
        }
        const req = o.tls
          ? httpsRequest({ ...common, port: httpsPort, servername: o.servername ?? o.host ?? '', rejectUnauthorized: false }, done)
          : httpRequest({ ...common, port: httpPort }, done)
        req.on('error', reject)
        req.end(o.body)
      })
    },
    async close() {
      await controller.stop()
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
    },
  }
}
