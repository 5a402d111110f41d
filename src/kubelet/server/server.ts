/**
 * @module
 * The kubelet API on a unix socket, for the API server to forward pods/log, exec, attach,
 * portforward and metrics scrapes to: plain HTTP, with WebSocket and SPDY upgrades.
 */
// Upstream: pkg/kubelet/server/server.go (InstallDebuggingHandlers: containerLogs, exec,
// attach, portForward; InstallDefaultHandlers: stats/summary), getContainerLogs.
import { chmod, mkdir, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { dirname } from 'node:path'
import type { Duplex } from 'node:stream'
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws'
import type { KubeletPods } from '../types.js'
import { readContainerLog, type LogOptions } from './log-reader.js'
import { PORT_FORWARD_PROTOCOL, servePortForward } from './port-forward.js'
import { remoteCommandParams, runAttach, runExec } from './remote-command.js'
import { SPDY_REMOTE_COMMAND_PROTOCOLS, spdyStreams } from './spdy-remote-command.js'
import { acceptSpdy, isSpdyUpgrade, refuse } from './spdy-upgrade.js'
import { procNodeUsage, summaryProvider, type NodeUsage } from './stats.js'
import { CHANNEL_PROTOCOLS, websocketStreams } from './websocket-channels.js'
import { SpdySession } from '../spdy/index.js'

/** client-go's port-forward over WebSocket: SPDY bytes inside binary messages. */
export const PORT_FORWARD_WEBSOCKET_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`

export type KubeletServerOptions = {
  /** Where to listen; created 0600 (only the API server, same user, may connect). */
  socketPath: string
  pods: KubeletPods
  nodeName: string
  /** The node's cumulative usage for /stats/summary; /proc by default. */
  nodeUsage?: () => Promise<NodeUsage>
  /** Accepted upgrades (which transport and protocol) and failures. */
  log?: (line: string) => void
}

export type KubeletServer = { close(): Promise<void> }

class HttpError extends Error {
  constructor(readonly code: number, message: string) {
    super(message)
  }
}

export async function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const { pods } = opts
  const summary = summaryProvider(pods, opts.nodeName, opts.nodeUsage ?? procNodeUsage)
  // The subprotocol is chosen before the handshake (per request), ws only writes it.
  const chosen = new WeakMap<IncomingMessage, string>()
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (_offered, req) => chosen.get(req) ?? false })
  const sockets = new Set<Duplex>()

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      const code = err instanceof HttpError ? err.code : 500
      if (!res.headersSent) {
        res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' })
        res.end(`${(err as Error).message}\n`)
      } else res.destroy()
    })
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://kubelet')
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
    if (req.method !== 'GET') throw new HttpError(405, 'method not allowed')
    if (url.pathname === '/healthz') return void res.end('ok')
    if (url.pathname === '/stats/summary' || url.pathname === '/stats/summary/') {
      const body = JSON.stringify(await summary())
      res.writeHead(200, { 'Content-Type': 'application/json' })
      return void res.end(body)
    }
    if (parts[0] === 'containerLogs' && parts.length === 4) return containerLogs(req, res, parts[1]!, parts[2]!, parts[3]!, url.searchParams)
    if (['exec', 'attach', 'portforward'].includes(parts[0]?.toLowerCase() ?? '')) throw new HttpError(400, 'Upgrade request required')
    throw new HttpError(404, '404 page not found')
  }

  async function containerLogs(req: IncomingMessage, res: ServerResponse, ns: string, pod: string, name: string, q: URLSearchParams) {
    const bool = (k: string) => q.get(k) === 'true' || q.get(k) === '1'
    const int = (k: string) => {
      const v = q.get(k)
      if (v === null || v === '') return undefined
      const n = Number(v)
      if (!Number.isInteger(n) || n < 0) throw new HttpError(400, `invalid ${k} "${v}"`)
      return n
    }
    const previous = bool('previous')
    const opts: LogOptions = { follow: bool('follow') && !previous, timestamps: bool('timestamps'), tailLines: int('tailLines'), limitBytes: int('limitBytes') }
    const sinceSeconds = int('sinceSeconds')
    if (sinceSeconds !== undefined) opts.sinceTime = new Date(Date.now() - sinceSeconds * 1000)
    const sinceTime = q.get('sinceTime')
    if (sinceTime) {
      const t = Date.parse(sinceTime)
      if (Number.isNaN(t)) throw new HttpError(400, `invalid sinceTime "${sinceTime}"`)
      opts.sinceTime = new Date(t)
    }
    const c = pods.container(ns, pod, name)
    if (!c) throw new HttpError(404, `container "${name}" in pod "${pod}" not found`)
    let path: string | undefined
    if (previous) {
      path = c.previousLogPath
      if (!path) throw new HttpError(400, `previous terminated container "${name}" in pod "${pod}" not found`)
    } else {
      path = c.logPath
      if (!path || !c.id) throw new HttpError(400, `container "${name}" in pod "${pod}" is waiting to start: ContainerCreating`)
    }
    const id = c.id
    const ac = new AbortController()
    res.once('close', () => ac.abort())
    req.once('close', () => ac.abort())
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' })
    const running = () => {
      if (previous) return false
      const now = pods.container(ns, pod, name)
      return !!now && now.running && now.id === id
    }
    await readContainerLog(path, opts, res, { isRunning: running, signal: ac.signal }).catch((err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    })
    res.end()
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    try {
      upgrade(req, socket, head)
    } catch (err) {
      refuse(socket, err instanceof HttpError ? err.code : 500, (err as Error).message)
    }
  })

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const url = new URL(req.url ?? '/', 'http://kubelet')
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
    const kind = parts[0]?.toLowerCase()
    const ws = (req.headers.upgrade ?? '').toLowerCase() === 'websocket'
    if (!ws && !isSpdyUpgrade(req)) throw new HttpError(400, `unsupported upgrade "${req.headers.upgrade}"`)
    const [ns, pod] = [parts[1] ?? '', parts[2] ?? '']
    if (kind === 'portforward' && parts.length >= 3) {
      const sandbox = pods.sandbox(ns, pod)
      if (!sandbox) throw new HttpError(404, `pod "${pod}" in namespace "${ns}" not found`)
      const uid = pods.pods().find((p) => p.pod.metadata?.namespace === ns && p.pod.metadata?.name === pod)?.pod.metadata?.uid ?? ''
      const target = { sandboxId: sandbox.id, podName: pod, podUid: uid, dial: (port: number) => pods.runtime.portForward(sandbox.id, port) }
      if (ws) {
        if (!offeredWs(req).includes(PORT_FORWARD_WEBSOCKET_PROTOCOL)) throw new HttpError(400, `port-forward over WebSocket needs the ${PORT_FORWARD_WEBSOCKET_PROTOCOL} subprotocol`)
        return acceptWs(req, socket, head, PORT_FORWARD_WEBSOCKET_PROTOCOL, (conn) => {
          opts.log?.(`portforward ${ns}/${pod} over ${PORT_FORWARD_WEBSOCKET_PROTOCOL}`)
          void servePortForward(new SpdySession(tunnel(conn), { server: true }), target)
        })
      }
      const accepted = acceptSpdy(req, socket, head, [PORT_FORWARD_PROTOCOL])
      if (!accepted) return
      opts.log?.(`portforward ${ns}/${pod} over SPDY/3.1 ${accepted.protocol}`)
      void servePortForward(accepted.session, target)
      return
    }
    if ((kind === 'exec' || kind === 'attach') && parts.length >= 4) {
      const name = parts[parts.length - 1]!
      const c = pods.container(ns, pod, name)
      if (!c?.id) throw new HttpError(404, `container not found ("${name}")`)
      if (!c.running) throw new HttpError(400, `container ${c.id} is not running`)
      const containerId = c.id
      const params = remoteCommandParams(url.searchParams)
      if (kind === 'exec' && params.command.length === 0) throw new HttpError(400, 'you must specify at least 1 command')
      if (!params.stdin && !params.stdout && !params.stderr) throw new HttpError(400, 'you must specify at least 1 of stdin, stdout, stderr')
      const run = kind === 'exec' ? runExec : runAttach
      if (ws) {
        const protocol = offeredWs(req).find((p) => CHANNEL_PROTOCOLS.includes(p))
        if (!protocol) throw new HttpError(400, `unable to negotiate a subprotocol: client offers [${offeredWs(req).join(' ')}], server supports [${CHANNEL_PROTOCOLS.join(' ')}]`)
        return acceptWs(req, socket, head, protocol, (conn) => {
          opts.log?.(`${kind} ${ns}/${pod}/${name} over WebSocket ${protocol}`)
          void run(pods.runtime, containerId, params, websocketStreams(conn, params)).catch((err) => opts.log?.(`${kind} failed: ${err}`))
        })
      }
      const accepted = acceptSpdy(req, socket, head, SPDY_REMOTE_COMMAND_PROTOCOLS)
      if (!accepted) return
      opts.log?.(`${kind} ${ns}/${pod}/${name} over SPDY/3.1 ${accepted.protocol}`)
      void spdyStreams(accepted.session, params).then((streams) => streams && run(pods.runtime, containerId, params, streams))
        .catch((err) => opts.log?.(`${kind} failed: ${err}`))
      return
    }
    throw new HttpError(404, '404 page not found')
  }

  const offeredWs = (req: IncomingMessage) => (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean)

  function acceptWs(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string, then: (ws: WebSocket) => void) {
    // `ws` rejects subprotocols that are not RFC 6455 tokens, and client-go's
    // "SPDY/3.1+portforward.k8s.io" is not one: the choice is made above, ws only writes it.
    req.headers['sec-websocket-protocol'] = 'chosen'
    chosen.set(req, protocol)
    wss.handleUpgrade(req, socket, head, then)
  }

  await mkdir(dirname(opts.socketPath), { recursive: true })
  await rm(opts.socketPath, { force: true })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.socketPath, () => resolve())
  })
  await chmod(opts.socketPath, 0o600)

  return {
    async close() {
      wss.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
        for (const s of sockets) s.destroy()
      })
      await rm(opts.socketPath, { force: true })
    },
  }
}

/** The WebSocket as a byte stream: each binary message is a chunk, each write a message. */
const tunnel = (ws: WebSocket): Duplex => createWebSocketStream(ws, { objectMode: false })
