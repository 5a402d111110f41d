/**
 * @module
 * The node agent's defaults, shared by `kubelite agent` and the agent `kubelite server` embeds,
 * and the host-runtime agent the server starts where user namespaces are unavailable.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { AgentFlags } from './agent-command.js'

/** Where a launched agent finds its token (never on its command line). */
export const AGENT_TOKEN_ENV = 'KUBELITE_AGENT_TOKEN'

export const DEFAULT_AGENT_FLAGS = {
  runtime: 'namespaces',
  imageFallback: 'never',
  clusterDNS: '10.96.0.10',
  clusterDomain: 'cluster.local',
  serviceCIDR: '10.96.0.0/12',
  maxPods: 110,
  inNodeNamespace: false,
  proxyMode: 'auto',
  dnsUpstream: [] as string[],
} as const satisfies Partial<AgentFlags>

/** Runs the agent as a plain child process (host runtime). */
export function spawnHostAgent(flags: AgentFlags, print: (line: string) => void) {
  const main = fileURLToPath(new URL('./main.js', import.meta.url))
  // The token travels in the environment: argv is readable by every user in /proc/<pid>/cmdline.
  const child = spawn(process.execPath, [main, 'agent', '--server', flags.server,
    '--node-name', flags.nodeName ?? '', '--data-dir', flags.dataDir, '--runtime', 'host',
    '--image-fallback', flags.imageFallback, '--max-pods', String(flags.maxPods),
    '--proxy-mode', flags.proxyMode, '--dns-upstream', flags.dnsUpstream.join(','),
    '--ingress-http-port', flags.ingressHttpPort === undefined ? 'auto' : String(flags.ingressHttpPort),
    '--ingress-https-port', flags.ingressHttpsPort === undefined ? 'auto' : String(flags.ingressHttpsPort),
    ...(flags.caFile ? ['--ca-file', flags.caFile] : [])],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, [AGENT_TOKEN_ENV]: flags.token } })
  for (const s of [child.stdout, child.stderr]) s?.setEncoding('utf8').on('data', (d: string) => d.split('\n').filter(Boolean).forEach(print))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    async stop() {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
      await exited
      clearTimeout(timer)
    },
  }
}
