/**
 * @module
 * What a kubelet reads off its machine for the Node it registers: CPUs, memory, the data
 * directory's filesystem, kernel and OS names, machine and boot ids.
 */
// Upstream: pkg/kubelet/cm (capacity from cAdvisor's MachineInfo), nodestatus/setters.go
// (MachineInfo: capacity, allocatable = capacity − reserved − hard eviction thresholds).
import { readFile, statfs } from 'node:fs/promises'
import { arch, cpus, release, totalmem } from 'node:os'

export type MachineInfo = {
  cpus: number
  memoryBytes: number
  /** Size of the filesystem holding the kubelet's data. */
  ephemeralStorageBytes: number
  kernelVersion: string
  osImage: string
  machineID: string
  systemUUID: string
  bootID: string
  architecture: string
}

const firstLine = async (path: string) => (await readFile(path, 'utf8').catch(() => '')).split('\n')[0]?.trim() ?? ''

/** Go's runtime.GOARCH names, which node labels and nodeInfo use. */
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' }

export async function readMachineInfo(dataDir: string): Promise<MachineInfo> {
  const fs = await statfs(dataDir)
  const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '')
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? 'Linux'
  const machineID = (await firstLine('/etc/machine-id')) || (await firstLine('/var/lib/dbus/machine-id'))
  const bootID = await firstLine('/proc/sys/kernel/random/boot_id')
  const productUUID = await firstLine('/sys/class/dmi/id/product_uuid')
  return {
    cpus: cpus().length,
    memoryBytes: totalmem(),
    ephemeralStorageBytes: Number(fs.blocks) * Number(fs.bsize),
    kernelVersion: release(),
    osImage: pretty,
    machineID,
    systemUUID: productUUID || machineID.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5'),
    bootID,
    architecture: GOARCH[arch()] ?? arch(),
  }
}
