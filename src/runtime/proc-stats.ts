/**
 * @module
 * A container's usage from /proc when it has no cgroup: CPU time and resident memory of its
 * processes — the init and its descendants (namespaces runtime), or a process group (host
 * runtime). CPU time of children that already ended is lost, which is why the cgroup figures
 * are preferred wherever cgroups are available.
 */
import { readdir, readFile } from 'node:fs/promises'
import type { ContainerStats } from './types.js'

// USER_HZ and the page size are fixed for Linux on the architectures Node runs on.
const NANOS_PER_TICK = 10_000_000n
const PAGE_BYTES = 4096n

type ProcStat = { pid: number; ppid: number; pgrp: number; ticks: bigint; rssPages: bigint }

async function readStat(pid: string): Promise<ProcStat | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
  if (!text) return undefined
  // The command name may hold spaces and parentheses: fields start after the last ')',
  // with the state (field 3) first.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return { pid: Number(pid), ppid: Number(f[1]), pgrp: Number(f[2]), ticks: BigInt(f[11]!) + BigInt(f[12]!), rssPages: BigInt(f[21]!) }
}

async function allStats(): Promise<ProcStat[]> {
  const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p))
  return (await Promise.all(pids.map(readStat))).filter((s): s is ProcStat => !!s)
}

const sum = (stats: ProcStat[]): ContainerStats | undefined => {
  if (!stats.length) return undefined
  let ticks = 0n
  let rss = 0n
  for (const s of stats) {
    ticks += s.ticks
    rss += s.rssPages
  }
  return { cpuUsageNanos: ticks * NANOS_PER_TICK, memoryWorkingSetBytes: rss * PAGE_BYTES }
}

/** Usage of `rootPid` and its descendants; undefined when the process is gone. */
export async function processTreeStats(rootPid: number): Promise<ContainerStats | undefined> {
  const stats = await allStats()
  const children = new Map<number, ProcStat[]>()
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s])
  const root = stats.find((s) => s.pid === rootPid)
  if (!root) return undefined
  const tree: ProcStat[] = []
  for (const queue = [root]; queue.length;) {
    const s = queue.pop()!
    tree.push(s)
    queue.push(...(children.get(s.pid) ?? []))
  }
  return sum(tree)
}

/** Usage of the processes of group `pgid` (a container whose leader made the group). */
export async function processGroupStats(pgid: number): Promise<ContainerStats | undefined> {
  return sum((await allStats()).filter((s) => s.pgrp === pgid))
}
