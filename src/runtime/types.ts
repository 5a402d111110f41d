/**
 * @module
 * The container runtime as the kubelet sees it: close to the CRI (a pod sandbox, then
 * containers in it), small enough for three implementations — `namespaces` (Linux
 * namespaces and the kubelite-shim), `host` (plain processes), and the sim (no processes).
 *
 * Container logs are the runtime's to write, in the CRI format the kubelet reads back:
 * one line per record, `<RFC3339Nano time> <stdout|stderr> <F|P> <text>` (P = partial line).
 */
import type { Duplex, Readable, Writable } from 'node:stream'

/** A bind mount into a container. `hostPath` is a path in the node's mount namespace. */
export type Mount = {
  hostPath: string
  containerPath: string
  readOnly?: boolean
}

export type PodSandboxConfig = {
  uid: string
  namespace: string
  name: string
  /** The pod's hostname (UTS), already computed by the kubelet (spec.hostname or the pod name, ≤ 63). */
  hostname: string
  /** Share the node's network namespace (spec.hostNetwork). */
  hostNetwork: boolean
  /** spec.shareProcessNamespace: every container of the pod in one PID namespace. */
  shareProcessNamespace: boolean
  /** A directory the runtime may use for the sandbox's own files; removed by removePodSandbox. */
  dir: string
}

export type PodSandbox = {
  id: string
  /** The pod's IP (the node's for hostNetwork). */
  ip: string
}

/** An image as the runtime runs it: the host's root filesystem read-only, the image's own files on top. */
export type ImageRootfs = {
  /** Directories with the image's files, highest layer first; [] runs on the host base alone. */
  layers: string[]
}

export type ContainerResources = {
  /** limits.memory in bytes. */
  memoryLimitBytes?: number
  /** limits.cpu in millicores (CFS quota). */
  cpuLimitMillis?: number
  /** requests.cpu in millicores (shares / weight). */
  cpuRequestMillis?: number
}

export type ContainerConfig = {
  /** The container's name in the pod; with `attempt` it names the runtime container. */
  name: string
  attempt: number
  rootfs: ImageRootfs
  /** The whole command line, resolved: entrypoint/command + args, `$(VAR)` already expanded. */
  argv: string[]
  env: Array<[string, string]>
  /** Absolute path inside the container; "/" when unset. */
  workingDir: string
  /** Volumes, /etc/hosts, /etc/hostname, /etc/resolv.conf, the termination-log file... */
  mounts: Mount[]
  /** Run as this user; unset = root (uid 0 in the container). */
  user?: { uid: number; gid: number; supplementalGroups: number[] }
  noNewPrivileges: boolean
  readOnlyRootFilesystem: boolean
  tty: boolean
  stdin: boolean
  stdinOnce: boolean
  resources: ContainerResources
  /** Where the runtime writes the CRI-format log. */
  logPath: string
  /** A directory the runtime may use for this container (writable layer...); removed with it. */
  dir: string
}

export type ContainerExit = {
  exitCode: number
  /** The signal that ended it (SIGKILL...), when one did. */
  signal?: NodeJS.Signals
  /** The kernel's OOM killer ended it (cgroup memory limit). */
  oomKilled: boolean
  finishedAt: Date
}

export interface ContainerHandle {
  /** Unique across the node's life: `<sandboxId>_<name>_<attempt>`. */
  readonly id: string
  /** The container's init process as the node sees it. */
  readonly pid: number
  readonly startedAt: Date
  /** Resolves once every process of the container is gone. */
  readonly exited: Promise<ContainerExit>
  /** Signals the container's main process (its init forwards it). */
  kill(signal: NodeJS.Signals): void
}

/** A process started inside a running container (`kubectl exec`, exec probes, hooks). */
export interface ExecSession {
  /** null unless stdin was asked for. */
  readonly stdin: Writable | null
  readonly stdout: Readable
  /** null with a TTY: the terminal merges both streams. */
  readonly stderr: Readable | null
  resize(cols: number, rows: number): void
  readonly exited: Promise<{ exitCode: number; signal?: NodeJS.Signals }>
  kill(signal?: NodeJS.Signals): void
}

export type ExecOptions = {
  argv: string[]
  tty: boolean
  stdin: boolean
  /** Extra environment on top of the container's own. */
  env?: Array<[string, string]>
}

/** A live view of a running container's stdio (`kubectl attach`, `kubectl run -it`). */
export interface AttachSession {
  readonly stdin: Writable | null
  readonly stdout: Readable
  readonly stderr: Readable | null
  resize(cols: number, rows: number): void
  /** Stop watching; the container keeps running. */
  close(): void
}

export type ContainerStats = {
  /** Cumulative CPU time in nanoseconds. */
  cpuUsageNanos: bigint
  /** Working set in bytes. */
  memoryWorkingSetBytes: bigint
}

/** What the node can and cannot do: the kubelet turns it into conditions and events. */
export type RuntimeInfo = {
  name: 'namespaces' | 'host' | 'sim'
  version: string
  /** Whether limits are enforced (cgroups delegated) and why not. */
  cgroups: { enforced: boolean; reason?: string }
  /** Set when pods cannot get their own network (the host runtime). */
  networkLimitation?: string
}

export interface Runtime {
  info(): RuntimeInfo
  runPodSandbox(config: PodSandboxConfig): Promise<PodSandbox>
  /** Stops whatever is left in the sandbox and frees its network; idempotent. */
  removePodSandbox(id: string): Promise<void>
  startContainer(sandbox: PodSandbox, config: ContainerConfig): Promise<ContainerHandle>
  /** Forgets an exited container and removes its directory (not its log). */
  removeContainer(id: string): Promise<void>
  exec(containerId: string, opts: ExecOptions): Promise<ExecSession>
  attach(containerId: string, opts: { stdin: boolean; tty: boolean }): Promise<AttachSession>
  /** A TCP connection to `port` inside the sandbox's network (port-forward). */
  portForward(sandboxId: string, port: number): Promise<Duplex>
  stats(containerId: string): Promise<ContainerStats | undefined>
  /** Stops everything (SIGKILL) and frees every sandbox. */
  close(): Promise<void>
}
