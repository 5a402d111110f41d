/**
 * @module
 * Usage of a process group from /proc, for containers without a cgroup: CPU time of its live
 * processes and their resident memory. Finished children's CPU time is lost, which is why the
 * cgroup figures are preferred wherever cgroups are available.
 */
import { readdir, readFile } from 'node:fs/promises'
import type { ContainerStats } from '../types.js'

// USER_HZ and the page size are fixed for Linux on the architectures Node runs on.
const NANOS_PER_TICK = 10_000_000n
const PAGE_BYTES = 4096n

/** The /proc/<pid>/stat fields after the command name (which may hold spaces). */
async function statFields(pid: string): Promise<string[] | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
  return text?.slice(text.lastIndexOf(')') + 2).split(' ')
}

/** PIDs whose process group is `pgid` (a container's processes: its leader made the group). */
export async function processGroupMembers(pgid: number): Promise<string[]> {
  const members: string[] = []
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    const f = await statFields(pid)
    if (f && Number(f[2]) === pgid) members.push(pid) // field 5 (pgrp), counted from state (3)
  }
  return members
}

/** CPU time and resident memory of the process group `pgid`; undefined when nothing is left. */
export async function processGroupStats(pgid: number): Promise<ContainerStats | undefined> {
  let ticks = 0n
  let rss = 0n
  let any = false
  for (const pid of await processGroupMembers(pgid)) {
    const f = await statFields(pid)
    if (!f) continue
    any = true
    ticks += BigInt(f[11]!) + BigInt(f[12]!) // utime, stime (fields 14 and 15)
    rss += BigInt(f[21]!) // rss in pages (field 24)
  }
  return any ? { cpuUsageNanos: ticks * NANOS_PER_TICK, memoryWorkingSetBytes: rss * PAGE_BYTES } : undefined
}
