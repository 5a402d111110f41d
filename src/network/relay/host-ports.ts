/**
 * @module
 * Host ports for a node that lives in its own network namespace. The node agent cannot open a
 * socket on the host's 127.0.0.1 (its loopback is its own), so its launcher — still in the
 * host's namespace — opens the socket and passes it over the IPC channel (SCM_RIGHTS). The
 * agent then accepts the host's connections itself: one hop from the host client to the pod,
 * with no unix-socket leg in between. An agent without a launcher (the host runtime) opens
 * its sockets directly.
 */
import type { ChildProcess } from 'node:child_process'
import dgram from 'node:dgram'
import net from 'node:net'

export type HostPortRequest = { kubelite: 'listen'; id: number; protocol: 'tcp' | 'udp'; host: string; port: number }
type HostPortReply = { kubelite: 'listen-result'; id: number; ok: boolean; code?: string; message?: string }

/** Opens sockets on the host for the agent. */
export interface HostPortBroker {
  /** 'ipc': through the launcher; 'direct': this process is in the host's namespace already. */
  readonly mode: 'ipc' | 'direct'
  listenTcp(host: string, port: number): Promise<net.Server>
  bindUdp(host: string, port: number): Promise<dgram.Socket>
}

export class HostPortError extends Error {
  constructor(readonly code: string, message: string) { super(message) }
}

/** Launcher side: answers the agent's requests on `child`'s IPC channel. */
export function serveHostPorts(child: ChildProcess, log: (msg: string) => void = () => {}): void {
  child.on('message', (msg: HostPortRequest) => {
    if (msg?.kubelite !== 'listen') return
    const reply = (r: Omit<HostPortReply, 'kubelite' | 'id'>, handle?: net.Server | dgram.Socket) => {
      if (!child.connected) { closeHandle(handle); return }
      child.send({ kubelite: 'listen-result', id: msg.id, ...r }, handle as net.Server, (err) => {
        if (err) log(`could not hand ${msg.host}:${msg.port} to the node: ${err.message}`)
        // The node holds its own copy of the socket now; ours would only keep the port open.
        closeHandle(handle)
      })
    }
    open(msg.protocol, msg.host, msg.port).then(
      (handle) => reply({ ok: true }, handle),
      (err: NodeJS.ErrnoException) => reply({ ok: false, code: err.code ?? 'ERROR', message: err.message }),
    )
  })
}

function closeHandle(h: net.Server | dgram.Socket | undefined) {
  try { h?.close() } catch { /* already closed */ }
}

function open(protocol: 'tcp' | 'udp', host: string, port: number): Promise<net.Server | dgram.Socket> {
  if (protocol === 'udp') {
    const sock = dgram.createSocket({ type: 'udp4' })
    return new Promise((resolve, reject) => {
      sock.once('error', reject)
      sock.bind(port, host, () => { sock.off('error', reject); resolve(sock) })
    })
  }
  const server = net.createServer({ pauseOnConnect: false })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host, port, exclusive: true }, () => { server.off('error', reject); resolve(server) })
  })
}

/** Agent side: through the launcher when there is an IPC channel, else directly. */
export function hostPortBroker(): HostPortBroker {
  if (typeof process.send !== 'function') {
    return {
      mode: 'direct',
      listenTcp: (host, port) => open('tcp', host, port) as Promise<net.Server>,
      bindUdp: (host, port) => open('udp', host, port) as Promise<dgram.Socket>,
    }
  }
  // The channel keeps the agent alive only while it waits for an answer.
  process.channel?.unref()
  let nextId = 1
  const pending = new Map<number, { resolve(h: unknown): void; reject(e: Error): void }>()
  const settle = (id: number) => {
    pending.delete(id)
    if (!pending.size) process.channel?.unref()
  }
  process.on('message', (msg: HostPortReply, handle: unknown) => {
    if (msg?.kubelite !== 'listen-result') return
    const p = pending.get(msg.id)
    if (!p) { closeHandle(handle as net.Server); return }
    settle(msg.id)
    if (msg.ok && handle) p.resolve(handle)
    else p.reject(new HostPortError(msg.code ?? 'ERROR', msg.message ?? 'the launcher could not open the port'))
  })
  const request = (protocol: 'tcp' | 'udp', host: string, port: number) => new Promise<unknown>((resolve, reject) => {
    const id = nextId++
    pending.set(id, { resolve, reject })
    process.channel?.ref()
    const req: HostPortRequest = { kubelite: 'listen', id, protocol, host, port }
    process.send!(req, undefined, {}, (err: Error | null) => {
      if (err) { settle(id); reject(err) }
    })
  })
  return {
    mode: 'ipc',
    listenTcp: async (host, port) => request('tcp', host, port) as Promise<net.Server>,
    bindUdp: async (host, port) => request('udp', host, port) as Promise<dgram.Socket>,
  }
}
