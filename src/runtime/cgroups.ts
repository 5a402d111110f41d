/**
 * @module
 * Container resource limits and usage through cgroups, v1 (one hierarchy per controller) or
 * v2 (unified, only where it is writable and its controllers can be enabled). Every container
 * gets a group under one parent group per node; the parent goes once it is empty. Where this
 * process may not write the hierarchy (rootless, no delegation) nothing is enforced and the
 * manager says why, so the kubelet can tell the user instead of pretending.
 */
import { constants } from 'node:fs'
import { access, mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ContainerResources, ContainerStats } from './types.js'

export interface CgroupManager {
  readonly enforced: boolean
  readonly reason?: string
  /** The container's group with `limits` written; undefined when not enforced. */
  create(id: string, limits: ContainerResources): Promise<Cgroup | undefined>
}

export interface Cgroup {
  /** cgroup.procs files the container's first process joins. */
  readonly procsFiles: string[]
  usage(): Promise<ContainerStats | undefined>
  /** Whether the kernel's OOM killer killed a process of this group. */
  oomKilled(): Promise<boolean>
  remove(): Promise<void>
}

export type CgroupManagerOptions = {
  /** The cgroup path (inside each hierarchy) under which the node's group is made; default: this process's own cgroup. */
  root?: string
  nodeName: string
}

// Upstream: pkg/kubelet/cm/helpers_linux.go (MilliCPUToShares, MilliCPUToQuota) and
// opencontainers/cgroups (ConvertCPUSharesToCgroupV2Value).
const MIN_SHARES = 2
const MAX_SHARES = 262_144
const QUOTA_PERIOD_US = 100_000
const MIN_QUOTA_US = 1_000

/** cpu.shares for a CPU request; no request is the minimum, as upstream's BestEffort. */
export function milliCpuToShares(millis: number | undefined): number {
  if (!millis) return MIN_SHARES
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((millis * 1024) / 1000)))
}

/** cpu.weight (v2) for the same shares. */
export function sharesToWeight(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262_142)
}

/** CFS quota in µs per 100 ms period for a CPU limit. */
export function milliCpuToQuotaUs(millis: number): number {
  return Math.max(MIN_QUOTA_US, Math.floor((millis * QUOTA_PERIOD_US) / 1000))
}

type Mount = { point: string; root: string; fstype: string; options: string[] }

async function cgroupMounts(): Promise<Mount[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8')
  return info.split('\n').filter(Boolean).map((line) => {
    const [pre, post = ''] = line.split(' - ')
    const f = pre!.split(' ')
    const [fstype = '', , superOpts = ''] = post.split(' ')
    return { point: f[4]!, root: f[3]!, fstype, options: superOpts.split(',') }
  }).filter((m) => m.fstype === 'cgroup' || m.fstype === 'cgroup2')
}

/** controller (or '' for v2) → this process's cgroup path, from /proc/self/cgroup. */
async function ownCgroups(): Promise<Map<string, string>> {
  const own = new Map<string, string>()
  for (const line of (await readFile('/proc/self/cgroup', 'utf8')).split('\n').filter(Boolean)) {
    const [, controllers = '', path = '/'] = line.split(':')
    for (const c of controllers.split(',')) own.set(c, path)
  }
  return own
}

/** The directory of cgroup `path` in the hierarchy mounted as `m` (mounts may show a subtree). */
function dirOf(m: Mount, path: string): string {
  const rel = m.root !== '/' && path.startsWith(m.root) ? path.slice(m.root.length) : path
  return join(m.point, rel)
}

const writable = (dir: string) => access(dir, constants.W_OK).then(() => true, () => false)
const notEnforced = (reason: string): CgroupManager => ({ enforced: false, reason, create: async () => undefined })

/** Finds a usable cgroup hierarchy for the node's containers, or says why there is none. */
export async function createCgroupManager(opts: CgroupManagerOptions): Promise<CgroupManager> {
  const mounts = await cgroupMounts()
  const own = await ownCgroups()
  const nodeDir = `kubelite-${opts.nodeName.replace(/[^A-Za-z0-9_.-]/g, '_')}`
  const v1 = (c: string) => mounts.find((m) => m.fstype === 'cgroup' && m.options.includes(c))
  const memory = v1('memory')
  const reasons: string[] = []
  if (memory) {
    const controllers = { memory, cpu: v1('cpu'), cpuacct: v1('cpuacct'), pids: v1('pids') }
    const parents = Object.fromEntries(Object.entries(controllers).flatMap(([c, m]) =>
      m ? [[c, dirOf(m, opts.root ?? own.get(c) ?? '/')]] : [])) as Record<string, string>
    const blocked = []
    for (const dir of new Set(Object.values(parents))) if (!(await writable(dir))) blocked.push(dir)
    if (blocked.length === 0) {
      await sweepStaleGroups([...new Set(Object.values(parents))].map((p) => join(p, nodeDir)))
      return v1Manager(parents, nodeDir)
    }
    reasons.push(`cgroup v1: ${blocked.join(', ')} not writable by this user (no delegation)`)
  }
  const unified = mounts.find((m) => m.fstype === 'cgroup2')
  if (unified) {
    const parent = dirOf(unified, opts.root ?? own.get('') ?? '/')
    const available = (await readFile(join(parent, 'cgroup.controllers'), 'utf8').catch(() => '')).split(/\s+/)
    const missing = ['memory', 'cpu'].filter((c) => !available.includes(c))
    if (missing.length) reasons.push(`cgroup v2 at ${parent}: controller(s) ${missing.join(', ')} not available`)
    else if (!(await writable(parent))) reasons.push(`cgroup v2 at ${parent}: not writable by this user (no delegation)`)
    else {
      await sweepStaleGroups([join(parent, nodeDir)])
      return v2Manager(parent, nodeDir, available.includes('pids'))
    }
  }
  if (!memory && !unified) reasons.push('no cgroup hierarchy is mounted')
  return notEnforced(`resource limits are not enforced: ${reasons.join('; ')}`)
}

async function readNumber(file: string): Promise<bigint | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined)
  return text === undefined || !/^\d+/.test(text) ? undefined : BigInt(text.trim().split(/\s/)[0]!)
}

/** A "key value" line from files such as memory.stat, cpu.stat and memory.events. */
async function readKey(file: string, key: string): Promise<bigint | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '')
  const line = text.split('\n').find((l) => l.startsWith(`${key} `))
  return line ? BigInt(line.slice(key.length + 1).trim()) : undefined
}

/** Working set as upstream (cadvisor): usage minus inactive file pages, never below 0. */
function workingSet(usage: bigint, inactiveFile: bigint | undefined): bigint {
  const ws = usage - (inactiveFile ?? 0n)
  return ws < 0n ? 0n : ws
}

/** rmdir a group, killing what is left in it first (a group with processes cannot go). */
async function removeGroup(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await rmdir(dir)
      return
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT') return
      if (code !== 'EBUSY' || attempt === 49) throw err
      const procs = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '')
      for (const pid of procs.split('\n').filter(Boolean)) {
        try { process.kill(Number(pid), 'SIGKILL') } catch { /* already gone */ }
      }
      await new Promise((r) => setTimeout(r, 10))
    }
  }
}

/**
 * Container groups an earlier run of this node left (it was killed, so it could not remove
 * them): empty ones go, as upstream's cleanupOrphanedPodCgroups does. A group that still has
 * processes is not ours to take.
 */
async function sweepStaleGroups(nodeDirs: string[]): Promise<void> {
  for (const dir of nodeDirs) {
    const children = await readdir(dir, { withFileTypes: true }).catch(() => [])
    for (const c of children) if (c.isDirectory()) await rmdir(join(dir, c.name)).catch(() => {})
  }
}

/** The node's parent group goes when its last container group does; others may still be in it. */
async function removeIfEmpty(dir: string): Promise<void> {
  await rmdir(dir).catch(() => {})
}

function v1Manager(parents: Record<string, string>, nodeDir: string): CgroupManager {
  return {
    enforced: true,
    async create(id, limits) {
      const dirs = Object.fromEntries(Object.entries(parents).map(([c, p]) => [c, join(p, nodeDir, id)]))
      const uniqueDirs = [...new Set(Object.values(dirs))]
      for (const dir of uniqueDirs) await mkdir(dir, { recursive: true })
      const mem = dirs.memory!
      if (limits.memoryLimitBytes) await writeFile(join(mem, 'memory.limit_in_bytes'), String(limits.memoryLimitBytes))
      if (dirs.cpu) {
        await writeFile(join(dirs.cpu, 'cpu.shares'), String(milliCpuToShares(limits.cpuRequestMillis)))
        if (limits.cpuLimitMillis) {
          await writeFile(join(dirs.cpu, 'cpu.cfs_period_us'), String(QUOTA_PERIOD_US))
          await writeFile(join(dirs.cpu, 'cpu.cfs_quota_us'), String(milliCpuToQuotaUs(limits.cpuLimitMillis)))
        }
      }
      return {
        procsFiles: uniqueDirs.map((d) => join(d, 'cgroup.procs')),
        async usage() {
          const usage = await readNumber(join(mem, 'memory.usage_in_bytes'))
          const cpu = dirs.cpuacct ? await readNumber(join(dirs.cpuacct, 'cpuacct.usage')) : undefined
          if (usage === undefined) return undefined
          return {
            cpuUsageNanos: cpu ?? 0n,
            memoryWorkingSetBytes: workingSet(usage, await readKey(join(mem, 'memory.stat'), 'total_inactive_file')),
          }
        },
        async oomKilled() {
          // oom_kill counts kills (kernel ≥ 4.13); under_oom is the older kernels' hint.
          const control = join(mem, 'memory.oom_control')
          const kills = await readKey(control, 'oom_kill')
          return kills !== undefined ? kills > 0n : (await readKey(control, 'under_oom') ?? 0n) > 0n
        },
        async remove() {
          for (const dir of uniqueDirs) await removeGroup(dir)
          for (const dir of new Set(Object.values(parents))) await removeIfEmpty(join(dir, nodeDir))
        },
      }
    },
  }
}

async function enableControllers(dir: string, controllers: string[]): Promise<void> {
  const enabled = (await readFile(join(dir, 'cgroup.subtree_control'), 'utf8')).split(/\s+/)
  const missing = controllers.filter((c) => !enabled.includes(c))
  if (missing.length) await writeFile(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '))
}

function v2Manager(parent: string, nodeDir: string, pids: boolean): CgroupManager {
  const node = join(parent, nodeDir)
  const controllers = ['memory', 'cpu', ...(pids ? ['pids'] : [])]
  return {
    enforced: true,
    async create(id, limits) {
      // v2's "no internal processes" rule: this fails (EBUSY) where `parent` itself holds processes;
      // the caller then needs a delegated, empty cgroup as `root`.
      await enableControllers(parent, controllers)
      await mkdir(node, { recursive: true })
      await enableControllers(node, controllers)
      const dir = join(node, id)
      await mkdir(dir, { recursive: true })
      if (limits.memoryLimitBytes) await writeFile(join(dir, 'memory.max'), String(limits.memoryLimitBytes))
      // The whole container goes when one of its processes is OOM-killed, as upstream sets it.
      await writeFile(join(dir, 'memory.oom.group'), '1').catch(() => {})
      await writeFile(join(dir, 'cpu.weight'), String(sharesToWeight(milliCpuToShares(limits.cpuRequestMillis))))
      if (limits.cpuLimitMillis) {
        await writeFile(join(dir, 'cpu.max'), `${milliCpuToQuotaUs(limits.cpuLimitMillis)} ${QUOTA_PERIOD_US}`)
      }
      return {
        procsFiles: [join(dir, 'cgroup.procs')],
        async usage() {
          const current = await readNumber(join(dir, 'memory.current'))
          if (current === undefined) return undefined
          const usec = await readKey(join(dir, 'cpu.stat'), 'usage_usec')
          return {
            cpuUsageNanos: (usec ?? 0n) * 1000n,
            memoryWorkingSetBytes: workingSet(current, await readKey(join(dir, 'memory.stat'), 'inactive_file')),
          }
        },
        async oomKilled() {
          return (await readKey(join(dir, 'memory.events'), 'oom_kill') ?? 0n) > 0n
        },
        async remove() {
          await removeGroup(dir)
          await removeIfEmpty(node)
        },
      }
    },
  }
}
