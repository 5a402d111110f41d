/**
 * @module
 * Test fixture for the nftables data path: probes (a TCP connect or a UDP datagram that reports
 * who answered, or the error), and pod agents — one process per pod namespace that serves
 * "<pod> <client address>" on TCP and UDP port 8080 and runs probes sent on its stdin, so a
 * scenario drives many probes from a pod without starting a process for each.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { connect, createServer } from 'node:net'
import { createInterface } from 'node:readline'

export const AGENT_PORT = 8080
const PROBE_TIMEOUT_MS = 2000

export type ProbeKind = 'tcp' | 'udp'

/** What answered `host:port` (`"<pod> <client address>"`), or an error code, or 'timeout'. */
export function probe(kind: ProbeKind, host: string, port: number, localPort?: number): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { done('timeout') }, PROBE_TIMEOUT_MS)
    let cleanup = () => {}
    const done = (r: string) => { clearTimeout(timer); cleanup(); resolve(r) }
    const code = (err: NodeJS.ErrnoException) => done(err.code ?? String(err))
    if (kind === 'tcp') {
      const s = connect(port, host)
      let data = ''
      cleanup = () => s.destroy()
      s.setEncoding('utf8').on('data', (d: string) => { data += d })
      s.on('end', () => done(data.trim()))
      s.on('error', code)
    } else {
      // Connected, so an ICMP port-unreachable comes back as ECONNREFUSED.
      const s = createSocket('udp4')
      cleanup = () => { try { s.close() } catch { /* already closed */ } }
      s.on('error', code)
      s.on('message', (m) => done(m.toString().trim()))
      const send = () => s.connect(port, host, () => s.send('who'))
      if (localPort) s.bind(localPort, send)
      else send()
    }
  })
}

/** Serves "<name> <client address>" on TCP and UDP `AGENT_PORT`; resolves once both listen. */
export function serveName(name: string): Promise<void> {
  const tcp = new Promise<void>((resolve) => {
    createServer((s) => s.end(`${name} ${s.remoteAddress}\n`)).listen(AGENT_PORT, '0.0.0.0', resolve)
  })
  const udp = new Promise<void>((resolve) => {
    const sock = createSocket('udp4')
    sock.on('message', (_m, rinfo) => sock.send(`${name} ${rinfo.address}\n`, rinfo.port, rinfo.address))
    sock.bind(AGENT_PORT, '0.0.0.0', resolve)
  })
  return Promise.all([tcp, udp]).then(() => {})
}

export type PodAgent = {
  /** Runs a probe from inside the pod. */
  probe(kind: ProbeKind, host: string, port: number, localPort?: number): Promise<string>
  close(): void
}

/** Starts the agent (nft-pod-agent.js) inside `netns` and waits until it serves. */
export function startPodAgent(netns: string, name: string): Promise<PodAgent> {
  const script = new URL('./nft-pod-agent.js', import.meta.url).pathname
  const child: ChildProcess = spawn('nsenter', [`--net=/run/netns/${netns}`, process.execPath, script, name],
    { stdio: ['pipe', 'pipe', 'inherit'] })
  const waiting = new Map<number, (r: string) => void>()
  let nextId = 0
  let ready!: () => void
  let failed!: (e: Error) => void
  const started = new Promise<void>((resolve, reject) => { ready = resolve; failed = reject })
  child.on('error', failed)
  child.on('exit', (code) => failed(new Error(`pod agent ${name} exited (${code})`)))
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line) as { id?: number; r?: string; ready?: boolean }
    if (msg.ready) return ready()
    waiting.get(msg.id!)?.(msg.r!)
    waiting.delete(msg.id!)
  })
  const agent: PodAgent = {
    probe: (kind, host, port, localPort) => new Promise((resolve) => {
      const id = nextId++
      waiting.set(id, resolve)
      child.stdin!.write(JSON.stringify({ id, kind, host, port, localPort }) + '\n')
    }),
    close: () => { child.kill('SIGKILL') },
  }
  return started.then(() => agent, (err) => { agent.close(); throw err })
}

/** Runs `n` probes one after another; the distinct answers' first words (pod names or errors), sorted. */
export async function whoAnswers(run: () => Promise<string>, n: number): Promise<string[]> {
  const seen = new Set<string>()
  for (let i = 0; i < n; i++) seen.add((await run()).split(' ')[0]!)
  return [...seen].sort()
}
