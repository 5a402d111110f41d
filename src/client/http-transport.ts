/**
 * @module
 * The HTTP(S) transport: what a component uses when it runs apart from the API server
 * (`kubelite sim` against a running cluster). Keep-alive connections, TLS with the
 * kubeconfig's CA and client certificate or bearer token.
 */
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http'
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https'
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import type { Transport, TransportRequest } from './types.js'

export type HttpTransportOptions = {
  server: string
  ca?: string | Buffer
  cert?: string | Buffer
  key?: string | Buffer
  token?: string
  insecureSkipTLSVerify?: boolean
  /** Reach `server` through this unix socket (a node agent in its own network namespace). TLS
   *  and the server's name are checked as if connected to the URL. */
  socketPath?: string
}

export function httpTransport(o: HttpTransportOptions): Transport {
  const url = new URL(o.server)
  const tls = url.protocol === 'https:'
  const agent = tls
    ? new HttpsAgent({ keepAlive: true, maxSockets: 64, ca: o.ca, cert: o.cert, key: o.key, rejectUnauthorized: !o.insecureSkipTLSVerify })
    : new HttpAgent({ keepAlive: true, maxSockets: 64 })
  const send = (r: TransportRequest) => new Promise<IncomingMessage>((resolve, reject) => {
    const headers: Record<string, string> = { ...r.headers }
    if (o.token) headers.authorization = `Bearer ${o.token}`
    // A DELETE with a chunked body is refused by Node's parser: say the length.
    headers['content-length'] = String(r.body === undefined ? 0 : Buffer.byteLength(r.body))
    const req = (tls ? httpsRequest : httpRequest)({
      protocol: url.protocol, hostname: url.hostname, port: url.port,
      ...(o.socketPath ? { socketPath: o.socketPath, servername: isIP(url.hostname) ? undefined : url.hostname } : {}),
      path: (url.pathname.replace(/\/$/, '')) + r.path,
      method: r.method, headers, agent, signal: r.signal,
    }, resolve)
    req.on('error', reject)
    req.end(r.body)
  })
  return {
    async request(r) {
      const res = await send(r)
      const chunks: Buffer[] = []
      for await (const c of res) chunks.push(c as Buffer)
      return { status: res.statusCode ?? 0, headers: flat(res.headers), body: Buffer.concat(chunks) }
    },
    async stream(r) {
      const res = await send(r)
      return { status: res.statusCode ?? 0, headers: flat(res.headers), chunks: iterate(res, r.signal) }
    },
  }
}

async function* iterate(res: IncomingMessage, signal?: AbortSignal): AsyncIterable<Buffer> {
  try {
    for await (const c of res) yield c as Buffer
  } catch (err) {
    if (!signal?.aborted) throw err
  }
}

const flat = (h: IncomingMessage['headers']) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]))

/** The current context of a kubeconfig file, as transport options. */
export async function kubeconfigTransportOptions(path: string): Promise<HttpTransportOptions> {
  const { parse } = await import('yaml')
  type Named<T> = { name: string } & T
  const doc = parse(readFileSync(path, 'utf8')) as {
    'current-context'?: string
    contexts?: Named<{ context: { cluster: string; user: string } }>[]
    clusters?: Named<{ cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string; 'insecure-skip-tls-verify'?: boolean } }>[]
    users?: Named<{ user: { 'client-certificate-data'?: string; 'client-key-data'?: string; 'client-certificate'?: string; 'client-key'?: string; token?: string } }>[]
  }
  const ctx = doc.contexts?.find((c) => c.name === doc['current-context']) ?? doc.contexts?.[0]
  if (!ctx) throw new Error(`${path}: no context`)
  const cluster = doc.clusters?.find((c) => c.name === ctx.context.cluster)?.cluster
  const user = doc.users?.find((u) => u.name === ctx.context.user)?.user ?? {}
  if (!cluster) throw new Error(`${path}: context ${ctx.name} names no known cluster`)
  const data = (b64?: string, file?: string) => (b64 ? Buffer.from(b64, 'base64') : file ? readFileSync(file) : undefined)
  return {
    server: cluster.server,
    ca: data(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: data(user['client-certificate-data'], user['client-certificate']),
    key: data(user['client-key-data'], user['client-key']),
    token: user.token,
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'],
  }
}
