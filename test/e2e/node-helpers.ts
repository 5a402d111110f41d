/**
 * @module
 * Helpers for end-to-end tests of the node agent: reaching into the node's network namespace
 * (where pod IPs live), waiting for pods, and checking that a stopped node left nothing behind.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { poll, type Cluster } from './harness.js'
import { getJson, type Obj } from './workloads-helpers.js'

/** The node agent's process (PID 1 of the node's PID namespace), found by its data dir. */
export function agentPid(c: Cluster): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    let cmd = ''
    try {
      cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8')
    } catch {
      continue
    }
    const args = cmd.split('\0')
    if (args.includes('--in-node-namespace') && args.includes(c.dataDir) && !args.includes('unshare') && !args[0]?.endsWith('unshare')) return Number(d)
  }
  return undefined
}

/** Runs argv in the node's network namespace (and user namespace, when rootless). */
export function inNode(c: Cluster, argv: string[], timeoutMs = 10_000): { code: number; stdout: string; stderr: string } {
  const pid = agentPid(c)
  if (!pid) throw new Error('no node agent process')
  const ownUserNs = readlinkSafe(`/proc/${pid}/ns/user`) !== readlinkSafe('/proc/self/ns/user')
  const r = spawnSync('nsenter', ['-t', String(pid), '-n', ...(ownUserNs ? ['-U', '--preserve-credentials'] : []), ...argv],
    { encoding: 'utf8', timeout: timeoutMs })
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }
}

function readlinkSafe(p: string): string {
  try {
    return spawnSync('readlink', [p], { encoding: 'utf8' }).stdout.trim()
  } catch {
    return ''
  }
}

export async function waitNodeReady(c: Cluster, timeoutMs = 30_000): Promise<Obj> {
  return poll('a Ready node', async () => {
    const nodes = await getJson<{ items: Obj[] }>(c, ['nodes'])
    return nodes.items.find((n) => n.status?.conditions?.some((x: { type: string; status: string }) => x.type === 'Ready' && x.status === 'True'))
  }, timeoutMs, 200)
}

export async function pod(c: Cluster, name: string, ns = 'default'): Promise<Obj> {
  return getJson(c, ['pod', name, '-n', ns])
}

export async function waitPod(c: Cluster, name: string, pred: (p: Obj) => boolean, timeoutMs = 30_000, ns = 'default'): Promise<Obj> {
  let last: Obj | undefined
  try {
    return await poll(`pod ${name}`, async () => {
      last = await pod(c, name, ns)
      return pred(last) ? last : undefined
    }, timeoutMs, 200)
  } catch (err) {
    throw new Error(`${(err as Error).message}\nlast status: ${JSON.stringify(last?.status, null, 1)}`)
  }
}

export const isRunningReady = (p: Obj) => p.status?.phase === 'Running' &&
  (p.status?.conditions ?? []).some((x: { type: string; status: string }) => x.type === 'Ready' && x.status === 'True')

export const containerStatus = (p: Obj, name: string) =>
  [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])].find((s: { name: string }) => s.name === name)

/** Events of one object, oldest first, as "Type Reason Message" lines. */
export async function eventsOf(c: Cluster, name: string, ns = 'default'): Promise<string[]> {
  type Ev = { type: string; reason: string; message: string; lastTimestamp?: string; eventTime?: string }
  const list = await getJson<{ items: Ev[] }>(c, ['events', '-n', ns, '--field-selector', `involvedObject.name=${name}`])
  return list.items
    .sort((a, b) => String(a.lastTimestamp ?? a.eventTime).localeCompare(String(b.lastTimestamp ?? b.eventTime)))
    .map((e) => `${e.type} ${e.reason} ${e.message}`)
}

/** What a stopped node could have left behind: processes, mounts, network namespaces. */
export function leftovers(dataDir: string): string[] {
  const out: string[] = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ')
      if (cmd.includes(dataDir)) out.push(`process ${d}: ${cmd}`)
    } catch {
      // gone already
    }
  }
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    if (line.includes(dataDir)) out.push(`mount: ${line}`)
  }
  return out
}
