/**
 * @module
 * Running a node. `kubelite agent` first starts itself again inside the node's own
 * namespaces (network, mount and PID; plus a user namespace when not root), then that inner
 * process registers the Node, sets up the node's network once the node has a Pod CIDR, and runs
 * the kubelet and its API. Inside, 127.0.0.1 is the node's own loopback, so the API server is
 * reached through a unix socket: the server's own (embedded agent) or a relay this launcher keeps.
 *
 * When the inner process ends, the kernel kills every process left in the node's PID namespace,
 * and the node's network and mount namespaces go with it: nothing outlives the node.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readFile, rm } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AgentFlags } from './agent-command.js'
import { AGENT_TOKEN_ENV } from './agent-defaults.js'

const warn = (msg: string) => process.stderr.write(`kubelite agent: warning: ${msg}\n`)
const info = (msg: string) => process.stderr.write(`kubelite agent: ${msg}\n`)

/**
 * Two malloc arenas for the agent instead of one per thread that ever allocated (V8's helper
 * threads). Containers get their environment from the shim, not from us, so this stays in the
 * node's own processes; a value the user set wins. (A smaller young generation saved a few
 * MB more but cost DNS a quarter of its queries/s.)
 */
const AGENT_ENV = { MALLOC_ARENA_MAX: '2' }

/** The node's name as the kubelet picks it: the host name, lower-cased. */
export const defaultNodeName = () => hostname().toLowerCase()

export async function startAgent(flags: AgentFlags): Promise<void> {
  if (flags.inNodeNamespace || flags.runtime === 'host') {
    const { runNode } = await import('./node-agent.js')
    await runNode(flags)
    return
  }
  const { nodeNamespaceSupport } = await import('../network/node/namespace.js')
  const support = await nodeNamespaceSupport()
  if (support.mode === 'unavailable') {
    warn(`the namespaces runtime is unavailable (${support.reason ?? 'no reason given'}); running pods with the host runtime: no isolation, pods share the host's network`)
    const { runNode } = await import('./node-agent.js')
    await runNode({ ...flags, runtime: 'host' })
    return
  }
  const child = await launchInNodeNamespace(flags, support.mode)
  const forward = (sig: NodeJS.Signals) => child.kill(sig)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
}

export type LaunchedAgent = {
  readonly pid: number | undefined
  kill(signal?: NodeJS.Signals): void
  /** Resolves with the exit code once the node (and everything in it) is gone. */
  readonly exited: Promise<number>
}

/**
 * Starts the inner agent in new namespaces. Without `flags.apiSocket` a relay socket to the
 * server's TCP address is opened here, in the host's network namespace.
 */
export async function launchInNodeNamespace(flags: AgentFlags, mode: 'root' | 'rootless',
  opts: { stdio?: 'inherit' | 'pipe'; onOutput?: (line: string) => void } = {}): Promise<LaunchedAgent> {
  const { nodeNamespaceCommand } = await import('../network/node/namespace.js')
  const nodeName = flags.nodeName ?? defaultNodeName()
  const agentDir = join(flags.dataDir, 'agent', nodeName)
  await mkdir(agentDir, { recursive: true, mode: 0o700 })
  let relay: { close(): void } | undefined
  let apiSocket = flags.apiSocket
  if (!apiSocket) {
    apiSocket = join(agentDir, 'api.sock')
    relay = await startRelay(apiSocket, new URL(flags.server))
  }
  const main = fileURLToPath(new URL('./main.js', import.meta.url))
  const argv = [process.execPath, main, 'agent',
    '--server', flags.server, '--node-name', nodeName, '--data-dir', flags.dataDir,
    '--runtime', flags.runtime, '--image-fallback', flags.imageFallback, '--cluster-dns', flags.clusterDNS,
    '--cluster-domain', flags.clusterDomain, '--service-cidr', flags.serviceCIDR, '--api-socket', apiSocket,
    '--max-pods', String(flags.maxPods),
    ...networkArgs(flags),
    '--in-node-namespace',
    ...(flags.caFile ? ['--ca-file', flags.caFile] : [])]
  const cmd = nodeNamespaceCommand(mode, argv)
  // The token travels in the environment: argv is readable by every user in /proc/<pid>/cmdline.
  const child = spawn(cmd.file, cmd.args, {
    // The IPC channel carries host sockets (NodePort, LoadBalancer and ingress ports) to the node.
    stdio: opts.stdio === 'pipe' ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['inherit', 'inherit', 'inherit', 'ipc'],
    // Its own process group: a terminal's Ctrl-C goes to us, and we ask the node to stop (once).
    // The parent-death signal still takes the node down if we die.
    detached: true,
    env: { ...AGENT_ENV, ...process.env, [AGENT_TOKEN_ENV]: flags.token },
  })
  const { serveHostPorts } = await import('../network/relay/host-ports.js')
  serveHostPorts(child, warn)
  if (opts.stdio === 'pipe') {
    for (const s of [child.stdout, child.stderr]) {
      let buf = ''
      s?.setEncoding('utf8').on('data', (d: string) => {
        buf += d
        let i
        while ((i = buf.indexOf('\n')) >= 0) {
          opts.onOutput?.(buf.slice(0, i))
          buf = buf.slice(i + 1)
        }
      })
    }
  }
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      relay?.close()
      resolve(code ?? (signal ? 128 : 1))
    })
    child.once('error', (err) => {
      relay?.close()
      warn(`could not start the node: ${err.message}`)
      resolve(1)
    })
  })
  return {
    pid: child.pid,
    // unshare --fork blocks SIGTERM and SIGINT in itself (they are meant for the terminal's
    // process group); signal the agent — PID 1 of the node — which handles them.
    kill: (sig = 'SIGTERM') => {
      const agent = child.pid === undefined ? undefined : firstChild(child.pid)
      if (agent && sig !== 'SIGKILL') process.kill(agent, sig)
      else child.kill(sig)
    },
    exited,
  }
}

/** The first child of `pid` (the process unshare forked), from /proc. */
function firstChild(pid: number): number | undefined {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)
    return kids.length ? Number(kids[0]) : undefined
  } catch {
    return undefined
  }
}

/** A unix socket in the data dir that splices every connection to the server's TCP address. */
async function startRelay(path: string, url: URL): Promise<{ close(): void }> {
  await rm(path, { force: true })
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const { joinSockets } = await import('../network/proxy/splice.js')
  const server = createServer((down) => joinSockets(down, connect(port, host)))
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, resolve))
  return { close: () => server.close() }
}

/** The CA to trust: --ca-file, else the local server's when the data dir has one. */
export async function caFor(flags: AgentFlags): Promise<string | undefined> {
  const file = flags.caFile ?? join(flags.dataDir, 'pki', 'ca.crt')
  if (existsSync(file)) return readFile(file, 'utf8')
  if (flags.caFile) throw new Error(`--ca-file ${flags.caFile}: not found`)
  info('no CA file: the server certificate is not verified')
  return undefined
}

/** The network flags again, for the agent a launcher starts. */
export function networkArgs(flags: AgentFlags): string[] {
  return ['--proxy-mode', flags.proxyMode,
    '--ingress-http-port', flags.ingressHttpPort === undefined ? 'auto' : String(flags.ingressHttpPort),
    '--ingress-https-port', flags.ingressHttpsPort === undefined ? 'auto' : String(flags.ingressHttpsPort),
    '--dns-upstream', flags.dnsUpstream.join(',')]
}
