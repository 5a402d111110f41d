/**
 * @module
 * Starting `kubelite server`: certificates, storage, authentication and the API server, then
 * the admin kubeconfig; runs until SIGINT/SIGTERM, which close the server and storage cleanly.
 */
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { isIP } from 'node:net'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { startApiServer } from '../apiserver/index.js'
import type { RunningApiServer } from '../apiserver/options.js'
import { createAuthenticator, ADMIN_USER, ensureAdminToken, ensureNodeToken, NODE_AGENT_USER } from '../apiserver/authn/index.js'
import {
  buildKubeconfig, defaultKubeconfigPath, ensurePki, mergeKubeconfig, readIfExists, writeFileAtomic,
} from '../pki/index.js'
import { openStorage, startCompactor } from '../storage/index.js'
import type { ControlPlaneOptions } from './control-plane.js'
import type { NodeNetworkFlags } from './agent-command.js'

export type ServerOptions = {
  dataDir: string
  bind: string
  port: number
  datastore: 'sqlite' | 'memory'
  tlsSans: string[]
  writeKubeconfig: boolean
  logRequests: boolean
  /** Storage compaction period; 0 turns it off. */
  compactionIntervalMs?: number
  /** The embedded node agent; absent with --disable-agent. */
  agent?: EmbeddedAgentOptions
  /** Where LoadBalancer Services get addresses (default 127.0.1.0/24). */
  loadBalancerPool?: string
  /** The control plane beside the API server (controllers, scheduler, sim nodes). */
  controlPlane?: Omit<ControlPlaneOptions, 'signal' | 'dataDir'>
}

export type EmbeddedAgentOptions = { imageFallback: 'host' | 'never'; maxPods?: number; network?: NodeNetworkFlags }

const UNSPECIFIED = new Set(['0.0.0.0', '::', '[::]'])

/** SANs beyond the defaults: the bind address, or every local address when binding to all. */
function extraSans(bind: string, tlsSans: string[]): { dns: string[]; ip: string[] } {
  const dns: string[] = []
  const ip: string[] = []
  const add = (name: string) => (isIP(name.replace(/^\[|\]$/g, '')) ? ip : dns).push(name)
  if (UNSPECIFIED.has(bind)) {
    for (const addrs of Object.values(networkInterfaces())) {
      for (const a of addrs ?? []) ip.push(a.address)
    }
  } else if (bind !== '127.0.0.1') {
    add(bind)
  }
  tlsSans.forEach(add)
  return { dns, ip }
}

/** The URL clients should use: a wildcard bind is reached through loopback. */
function clientUrl(bind: string, port: number): string {
  const host = UNSPECIFIED.has(bind) ? '127.0.0.1' : bind.replace(/^\[|\]$/g, '')
  return `https://${isIP(host) === 6 ? `[${host}]` : host}:${port}`
}

/** The key that signs ServiceAccount tokens: kept, so tokens stay valid across restarts. */
async function ensureServiceAccountKey(path: string): Promise<string> {
  const existing = await readIfExists(path)
  if (existing) return existing
  const { generateServiceAccountKey } = await import('../apiserver/serviceaccount-tokens.js')
  const key = generateServiceAccountKey()
  await writeFileAtomic(path, key, 0o600)
  return key
}

/** Starts everything and installs the signal handlers; resolves once the server is ready. */
export async function startServer(opts: ServerOptions): Promise<void> {
  const { dataDir, bind, port, datastore } = opts
  await mkdir(dataDir, { recursive: true, mode: 0o700 })

  const [pki, adminToken, nodeToken] = await Promise.all([
    ensurePki(dataDir, { extraSans: extraSans(bind, opts.tlsSans) }),
    ensureAdminToken(dataDir),
    ensureNodeToken(dataDir),
  ])
  const warn = (message: string) => process.stderr.write(`kubelite: warning: ${message}\n`)
  const tokenFile = join(dataDir, 'tokens.csv')
  const authenticator = createAuthenticator({
    tokens: new Map([[adminToken, ADMIN_USER], [nodeToken, NODE_AGENT_USER]]),
    tokenFile: existsSync(tokenFile) ? tokenFile : undefined,
    warn,
  })

  const serviceAccountKey = await ensureServiceAccountKey(join(dataDir, 'pki', 'sa.key'))
  const storage = await openStorage(datastore === 'sqlite' ? `sqlite:${join(dataDir, 'state.db')}` : 'memory:')
  let server: RunningApiServer
  try {
    server = await startApiServer({
      bind: bind.replace(/^\[|\]$/g, ''),
      port,
      tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert },
      storage,
      authenticator,
      serviceAccountKey,
      loadBalancerPool: opts.loadBalancerPool,
      log: opts.logRequests ? (line: string) => process.stderr.write(`${line}\n`) : undefined,
    })
  } catch (err) {
    await storage.close().catch(() => {})
    throw err
  }

  const compactor = opts.compactionIntervalMs ? startCompactor(storage, { intervalMs: opts.compactionIntervalMs }) : undefined
  const loops = new AbortController()
  try {
    // Loaded once the API server listens: the loops' code is most of the program, and the
    // API answers (/readyz included) while it loads.
    const { startControlPlane } = await import('./control-plane.js')
    await startControlPlane(server, { ...opts.controlPlane, dataDir, rootCA: pki.caCert, signal: loops.signal })
  } catch (err) {
    loops.abort()
    compactor?.stop()
    await server.close().catch(() => {})
    await storage.close().catch(() => {})
    throw err
  }

  const kubeconfig = buildKubeconfig({
    server: clientUrl(bind, server.port), caCert: pki.caCert, clientCert: pki.adminCert, clientKey: pki.adminKey,
  })
  let kubeconfigPath = join(dataDir, 'kubeconfig.yaml')
  try {
    await writeFileAtomic(kubeconfigPath, kubeconfig, 0o600)
    if (opts.writeKubeconfig) {
      kubeconfigPath = defaultKubeconfigPath()
      await mergeKubeconfig(kubeconfigPath, kubeconfig)
    }
  } catch (err) {
    // A listening server would keep the process alive after main reports the error.
    loops.abort()
    await server.close().catch(() => {})
    await storage.close().catch(() => {})
    throw err
  }

  // The node agent comes last: it needs the API (and the node-ipam-controller) to register.
  const agent = opts.agent ? await startEmbeddedAgent(server, dataDir, nodeToken, opts.agent, warn) : undefined

  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`kubelite: ${signal} again, exiting now\n`)
      process.exit(1)
    }
    stopping = true
    process.stderr.write(`kubelite: ${signal} received, shutting down\n`)
    loops.abort()
    compactor?.stop()
    // Pods get their grace period while the API still answers the kubelet.
    ;(agent ? agent.stop() : Promise.resolve())
      .then(() => server.close())
      .finally(() => storage.close())
      .then(() => process.exit(0), (err: unknown) => {
        process.stderr.write(`kubelite: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`)
        process.exit(1)
      })
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  process.stderr.write(`kubelite: API server ready at ${clientUrl(bind, server.port)} (kubeconfig: ${kubeconfigPath})\n`)
}

/** Starts `kubelite agent` inside the node's namespaces, reaching the API through a socket in the data dir. */
async function startEmbeddedAgent(server: RunningApiServer, dataDir: string, token: string,
  agent: EmbeddedAgentOptions, warn: (m: string) => void): Promise<{ stop(): Promise<void> } | undefined> {
  const { nodeNamespaceSupport } = await import('../network/node/namespace.js')
  const { launchInNodeNamespace, defaultNodeName } = await import('./agent-start.js')
  const { DEFAULT_AGENT_FLAGS } = await import('./agent-defaults.js')
  const support = await nodeNamespaceSupport()
  const socket = join(dataDir, 'apiserver.sock')
  await server.serveUnixSocket(socket)
  const flags = {
    ...DEFAULT_AGENT_FLAGS, server: `https://127.0.0.1:${server.port}`, token, caFile: join(dataDir, 'pki', 'ca.crt'),
    nodeName: defaultNodeName(), dataDir, imageFallback: agent.imageFallback, maxPods: agent.maxPods ?? 110, apiSocket: socket,
    ...agent.network,
  }
  const print = (line: string) => process.stderr.write(`${line}\n`)
  if (support.mode === 'unavailable') {
    warn(`user namespaces are unavailable (${support.reason ?? 'unknown'}): the node agent uses the host runtime (no isolation; pods share the host network)`)
    const { spawnHostAgent } = await import('./agent-defaults.js')
    const child = spawnHostAgent({ ...flags, runtime: 'host' }, print)
    return { stop: () => child.stop() }
  }
  const child = await launchInNodeNamespace({ ...flags, runtime: 'namespaces' }, support.mode, { stdio: 'pipe', onOutput: print })
  let gone = false
  void child.exited.then((code) => {
    gone = true
    if (code !== 0) warn(`the node agent exited with code ${code}`)
  })
  return {
    async stop() {
      if (gone) return
      child.kill('SIGTERM')
      // Pods have their grace periods; after that the node goes anyway (and takes them along).
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
      await child.exited
      clearTimeout(timer)
    },
  }
}
