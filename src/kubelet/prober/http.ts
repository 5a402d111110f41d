/**
 * @module
 * The httpGet probe, and the one GET both probes and lifecycle hooks send: upstream's URL,
 * headers and redirect rules over node:http(s), errors worded as Go's client words them.
 */
import * as http from 'node:http'
import * as https from 'node:https'
import { isIP } from 'node:net'
import type { Container, HTTPGetAction } from 'kubernetes-types/core/v1.js'
import {
  KUBE_VERSION, MAX_OUTPUT_BYTES, dialError, failure, joinHostPort, resolveContainerPort, success,
  type ProbeOutcome,
} from './outcome.js'

/** A prepared GET: `display` is the URL as Go prints it in messages. */
export type HttpGetRequest = { url: URL; display: string; headers: Map<string, string[]> }

/** What came back: the final response of a redirect chain. */
export type HttpGetResponse = { status: number; body: string }

/** A GET that could not complete; `message` reads `Get "<url>": <reason>`. */
export class HttpGetError extends Error {
  /** True when an HTTPS request reached a plain HTTP server (lifecycle hooks retry over HTTP). */
  readonly httpResponseToHttps: boolean
  constructor(display: string, reason: string) {
    super(`Get ${JSON.stringify(display)}: ${reason}`)
    this.httpResponseToHttps = reason === HTTP_TO_HTTPS
  }
}

const HTTP_TO_HTTPS = 'http: server gave HTTP response to HTTPS client'
const MAX_REDIRECTS = 10
const REDIRECTS = new Set([301, 302, 303, 307, 308])

// Upstream: pkg/probe/http/request.go (NewRequestForHTTPGetAction, formatURL, newProbeRequest).
/** Builds the request of an httpGet action; `purpose` names the User-Agent (`kube-probe/1.32`). */
export function httpGetRequest(
  action: HTTPGetAction, container: Container, podIP: string, purpose: 'probe' | 'lifecycle',
): HttpGetRequest {
  const scheme = (action.scheme ?? '').toLowerCase() || 'http'
  const host = action.host || podIP
  const port = resolveContainerPort(action.port, container) // throws: the probe "errored"
  const path = action.path ?? ''
  const display = `${scheme}://${joinHostPort(host, port)}${path === '' || path.startsWith('/') ? path : `/${path}`}`
  const headers = new Map<string, string[]>()
  for (const { name, value } of action.httpHeaders ?? []) {
    const key = canonicalHeader(name)
    headers.set(key, [...(headers.get(key) ?? []), value])
  }
  if (!headers.has('User-Agent')) headers.set('User-Agent', [`kube-${purpose}/${KUBE_VERSION}`])
  if (!headers.has('Accept')) headers.set('Accept', ['*/*'])
  else if ((headers.get('Accept') ?? [''])[0] === '') headers.delete('Accept') // set empty: send none
  return { url: new URL(display), display, headers }
}

/** Go's textproto canonical form ("x-custom-header" → "X-Custom-Header"). */
const canonicalHeader = (name: string) =>
  /^[A-Za-z0-9-]+$/.test(name)
    ? name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())
    : name

// Upstream: pkg/probe/http/http.go (RedirectChecker with followNonLocalRedirects=false):
// redirects are followed while they stay on the first request's hostname, at most 10; a
// redirect elsewhere ends the chain and its 3xx response is the answer.
/** Sends the GET, follows local redirects, reads at most 10 KiB of body; one deadline for all. */
export async function httpGet(req: HttpGetRequest, timeoutMs: number): Promise<HttpGetResponse> {
  const deadline = Date.now() + timeoutMs
  const firstHost = req.url.hostname
  let url = req.url
  let display = req.display
  for (let hops = 0; ; hops++) {
    const res = await getOnce(url, display, req.headers, deadline - Date.now())
    const location = res.location
    if (!REDIRECTS.has(res.status) || location === undefined) return res
    let next: URL
    try {
      next = new URL(location, url)
    } catch {
      throw new HttpGetError(display, `failed to parse Location header ${JSON.stringify(location)}`)
    }
    if (next.hostname !== firstHost) return res
    if (hops + 1 >= MAX_REDIRECTS) throw new HttpGetError(next.href, `stopped after ${MAX_REDIRECTS} redirects`)
    url = next
    display = next.href
  }
}

function getOnce(
  url: URL, display: string, headers: Map<string, string[]>, timeoutMs: number,
): Promise<HttpGetResponse & { location?: string }> {
  return new Promise((resolve, reject) => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(new HttpGetError(display, `unsupported protocol scheme ${JSON.stringify(url.protocol.slice(0, -1))}`))
      return
    }
    const host = url.hostname.replace(/^\[|\]$/g, '')
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
    const outHeaders: Record<string, string | string[]> = {}
    for (const [k, v] of headers) if (k !== 'Host') outHeaders[k] = v.length === 1 ? v[0]! : v
    // A Host header names the virtual host (upstream sets req.Host); the connection still goes
    // to url's host. Redirects we follow stay on the same hostname, so it is kept for them too.
    const hostHeader = headers.get('Host')?.[0]
    if (hostHeader) outHeaders.Host = hostHeader
    const options: https.RequestOptions = {
      host, port, method: 'GET', path: url.pathname + url.search, headers: outHeaders,
      agent: false, // upstream disables keep-alive: each probe is its own connection
      rejectUnauthorized: false, // probes never verify certificates, as upstream
      ...(isIP(host) ? {} : { servername: host }),
    }
    let phase: 'headers' | 'body' = 'headers'
    const request = (url.protocol === 'https:' ? https : http).request(options)
    const timer = setTimeout(() => {
      const why = phase === 'headers'
        ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
        : 'context deadline exceeded (Client.Timeout or context cancellation while reading body)'
      request.destroy()
      reject(new HttpGetError(display, why))
    }, Math.max(0, timeoutMs))
    request.on('error', (err) => { // .on: a destroyed request may still report once more
      clearTimeout(timer)
      reject(new HttpGetError(display, requestError(joinHostPort(host, port), err)))
    })
    request.once('response', (res) => {
      phase = 'body'
      const chunks: Buffer[] = []
      let size = 0
      let ended = false
      const done = () => {
        if (ended) return
        ended = true
        clearTimeout(timer)
        res.destroy()
        request.destroy()
        const location = res.headers.location
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, MAX_OUTPUT_BYTES).toString(), location })
      }
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk)
        size += chunk.length
        if (size >= MAX_OUTPUT_BYTES) done() // upstream reads at most 10 KiB and carries on
      })
      res.once('end', done)
      res.on('error', () => done())
    })
    request.end()
  })
}

function requestError(addr: string, err: NodeJS.ErrnoException): string {
  if (err.code === 'EPROTO' || /wrong version number|packet length too long|http request/i.test(err.message)) {
    return HTTP_TO_HTTPS
  }
  if (err.code === 'ECONNRESET' && err.message === 'socket hang up') return 'EOF'
  if (err.code?.startsWith('HPE_')) return `net/http: HTTP/1.x transport connection broken: ${err.message}`
  return dialError(addr, err)
}

// Upstream: pkg/probe/http/http.go (DoHTTPProbe): 200-399 healthy, a redirect that was not
// followed is a warning, anything else fails without the body (issue 99425).
/** One httpGet probe attempt. */
export async function probeHttp(
  action: HTTPGetAction, container: Container, podIP: string, timeoutMs: number,
): Promise<ProbeOutcome> {
  const req = httpGetRequest(action, container, podIP, 'probe')
  let res: HttpGetResponse
  try {
    res = await httpGet(req, timeoutMs)
  } catch (err) {
    return failure((err as Error).message)
  }
  if (res.status >= 200 && res.status < 400) {
    if (res.status >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${res.body}` }
    return success(res.body)
  }
  return failure(`HTTP probe failed with statuscode: ${res.status}`)
}
