/**
 * @module
 * `startSimNodes`: a fleet of simulated nodes in one process, like kwok. Each node registers
 * as a kubelet does, renews its Lease, reports status and runs the pods bound to it through
 * their lifecycle without any process. Built to carry thousands of nodes: one timeline and
 * one timer for all of them, one pod informer, and a bound on API calls in flight.
 */
import { randomUUID } from 'node:crypto'
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js'
import { parseQuantity } from '../../api/index.js'
import { eventBroadcaster } from '../../client/index.js'
import type { Client, EventRecorder, Informers } from '../../client/types.js'
import { ANNOTATIONS } from './annotations.js'
import { podIPPool, slotAllocator, slotCidr, slotNodeIP } from './addresses.js'
import { keys, type FleetContext, type SimNode } from './context.js'
import { dueQueue } from './due-queue.js'
import { limiter } from './limiter.js'
import { heartbeat, registerNode, reportStatus, reserveAddresses, schedulePods } from './node-agent.js'
import { podAgent } from './pod-agent.js'

export type SimOptions = {
  client: Client
  /** Shared informers; the caller starts them (before awaiting this function). */
  informers: Informers
  count: number
  /** Node names are the prefix and an index: sim-node-0, sim-node-1 ... */
  namePrefix?: string
  cpu?: string
  memory?: string
  pods?: number
  ephemeralStorage?: string
  /** kubernetes.io/arch and nodeInfo.architecture (default amd64, as kwok). */
  arch?: string
  labels?: Record<string, string>
  /** Taints the nodes register with (the kubelet's --register-with-taints). */
  taints?: Taint[]
  now?: () => number
  random?: () => number
  timings?: { podStartMs?: number; heartbeatMs?: number; nodeStatusReportMs?: number }
  /** How long Job pods run when they carry no sim.kubelite.io/run-duration (default: forever). */
  jobPodDurationMs?: number
  /** The kubelet's event recorder per node; default: Events through `client`. */
  recorder?: (node: string) => EventRecorder
  /** API calls in flight at most (default 32). */
  maxInFlight?: number
  /** No timer: the caller drives time with `tick()` (tests with a fake clock). */
  manualTick?: boolean
  onError?: (what: string, err: unknown) => void
  signal: AbortSignal
}

export type SimFleet = {
  /** The fleet's node names, in creation order. */
  nodes(): string[]
  /** Stops a node like a dead kubelet: no heartbeats, no status, no pod updates. */
  stop(name: string): void
  /** Brings a stopped node back: it reports Ready and resumes its pods. */
  start(name: string): void
  /** Registers `count` more nodes; resolves with their names. */
  add(count: number): Promise<string[]>
  /** Runs everything due at now(), and what becomes due meanwhile, waiting for its API calls. */
  tick(): Promise<void>
  /** Stops every timer and waits for calls in flight. The Nodes stay, as kwok leaves them. */
  close(): Promise<void>
}

const RETRY_MS = 5000

/** Starts `count` simulated nodes; resolves once each has tried to register. */
export async function startSimNodes(opts: SimOptions): Promise<SimFleet> {
  const prefix = opts.namePrefix ?? 'sim-node-'
  const shapeDefaults = {
    cpu: parseQuantity(opts.cpu ?? '32').text, memory: parseQuantity(opts.memory ?? '256Gi').text,
    pods: opts.pods ?? 110, ephemeralStorage: parseQuantity(opts.ephemeralStorage ?? '100Gi').text,
    arch: opts.arch ?? 'amd64', labels: opts.labels ?? {}, taints: opts.taints ?? [],
  }
  const now = opts.now ?? Date.now
  const onError = opts.onError ?? throttledLog()
  const calls = limiter(opts.maxInFlight ?? 32)
  const queue = dueQueue()
  const nodes = new Map<string, SimNode>()
  const nodeCache = opts.informers.of<Node>('v1', 'Node')
  const podCache = opts.informers.of<Pod>('v1', 'Pod')
  let closed = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let timerAt = Infinity

  const arm = () => {
    if (opts.manualTick || closed) return
    const next = queue.nextAtMs()
    if (next === undefined || (timer && timerAt <= next)) return
    clearTimeout(timer)
    timerAt = next
    timer = setTimeout(() => {
      timer = undefined
      timerAt = Infinity
      void runDue()
    }, Math.max(0, next - now()))
  }
  const broadcaster = eventBroadcaster(opts.client, now)
  const recorders = new Map<string, EventRecorder>()
  const ctx: FleetContext = {
    recorder(node) {
      if (opts.recorder) return opts.recorder(node)
      let r = recorders.get(node)
      if (!r) recorders.set(node, (r = broadcaster('kubelet', node)))
      return r
    },
    client: opts.client, nodes, nodeCache, podCache, queue, now, random: opts.random ?? Math.random,
    bootID: randomUUID(), jobPodDurationMs: opts.jobPodDurationMs,
    timings: {
      podStartMs: opts.timings?.podStartMs ?? 500, heartbeatMs: opts.timings?.heartbeatMs ?? 10_000,
      nodeStatusReportMs: opts.timings?.nodeStatusReportMs ?? 300_000,
    },
    api: (call) => calls.run(call),
    schedule(key, atMs) {
      if (closed) return
      queue.schedule(key, atMs)
      arm()
    },
  }
  await opts.informers.waitForSync(opts.signal)
  const pods = podAgent(ctx)

  // A key runs once at a time; if it comes due while running, it runs again right after.
  const running = new Set<string>()
  const again = new Set<string>()
  async function run(key: string): Promise<void> {
    if (running.has(key)) return void again.add(key)
    running.add(key)
    try {
      const node = nodes.get(key.slice(2))
      if (key.startsWith('P:')) await pods.sync(key.slice(2))
      else if (node && key.startsWith('R:')) await registerNode(ctx, node)
      else if (node && key.startsWith('L:')) await heartbeat(ctx, node)
      else if (node && key.startsWith('S:')) await reportStatus(ctx, node)
    } catch (err) {
      if (closed) return
      onError(key, err)
      if (!queue.has(key)) ctx.schedule(key, now() + RETRY_MS)
    } finally {
      running.delete(key)
      if (again.delete(key)) ctx.schedule(key, now())
    }
  }
  async function runDue(): Promise<void> {
    const due = queue.takeDue(now())
    arm()
    await Promise.all(due.map(run))
  }

  const slots = slotAllocator(() => nodeCache.list())
  let nextIndex = 0
  const addNodes = async (count: number): Promise<string[]> => {
    const added: SimNode[] = []
    const taken = slots.taken()
    for (let i = 0; i < count; i++) {
      const name = `${prefix}${nextIndex++}`
      if (nodes.has(name)) continue
      // A Node left by an earlier run keeps its range and address.
      const cached = nodeCache.get(name)
      const cachedCidr = cached?.spec?.podCIDR
      const cachedIP = cached?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address
      let slot = cachedCidr ? slots.claim(cachedCidr) : undefined
      if (slot === undefined && (!cachedCidr || !cachedIP)) slot = slots.allocate(taken)
      const podCIDR = cachedCidr ?? slotCidr(slot!)
      const internalIP = cachedIP ?? slotNodeIP(slot!)
      const node: SimNode = {
        shape: { name, podCIDR, internalIP, ...shapeDefaults, labels: { ...shapeDefaults.labels } },
        slot, pool: podIPPool(podCIDR), registered: false, stopped: false,
      }
      nodes.set(name, node)
      reserveAddresses(ctx, node)
      added.push(node)
    }
    await Promise.all(added.map((n) => run(keys.register(n.shape.name))))
    return added.map((n) => n.shape.name)
  }

  const fleet: SimFleet = {
    nodes: () => [...nodes.keys()],
    stop(name) {
      const node = nodes.get(name)
      if (!node) throw new Error(`sim: no node ${name}`)
      node.stopped = true
      queue.cancel(keys.lease(name))
      queue.cancel(keys.status(name))
    },
    start(name) {
      const node = nodes.get(name)
      if (!node) throw new Error(`sim: no node ${name}`)
      if (!node.stopped) return
      node.stopped = false
      if (!node.registered) return ctx.schedule(keys.register(name), now())
      ctx.schedule(keys.lease(name), now())
      ctx.schedule(keys.status(name), now())
      schedulePods(ctx, name)
    },
    add: addNodes,
    async tick() {
      // Bounded: a pod whose every write is answered by another due step must not spin forever.
      for (let round = 0; round < 100; round++) {
        const next = queue.nextAtMs()
        if (next === undefined || next > now()) break
        await runDue()
      }
      await calls.idle()
    },
    async close() {
      if (closed) return
      closed = true
      clearTimeout(timer)
      opts.signal.removeEventListener('abort', onAbort)
      pods.close()
      unsubscribeNodes()
      await calls.idle()
    },
  }
  let unsubscribeNodes = () => {}
  const onAbort = () => void fleet.close()
  opts.signal.addEventListener('abort', onAbort, { once: true })

  const names = await addNodes(opts.count)
  // `kubectl annotate node X sim.kubelite.io/stopped=true` kills X's kubelet; removing it
  // brings it back. Nodes stopped through `fleet.stop` are left to `fleet.start`.
  const stoppedByAnnotation = new Set<string>()
  unsubscribeNodes = nodeCache.subscribe((ev) => {
    const name = ev.obj.metadata?.name ?? ''
    if (ev.type === 'delete' || !nodes.has(name)) return
    const wantStopped = ev.obj.metadata?.annotations?.[ANNOTATIONS.nodeStopped] === 'true'
    if (wantStopped && !nodes.get(name)!.stopped) {
      stoppedByAnnotation.add(name)
      fleet.stop(name)
    } else if (!wantStopped && stoppedByAnnotation.delete(name)) {
      fleet.start(name)
    }
  })
  if (names.length && !names.some((n) => nodes.get(n)?.registered)) {
    await fleet.close()
    throw new Error(`sim: none of ${names.length} nodes could register (see the errors above)`)
  }
  return fleet
}

/** Logs errors, at most one line a second, so an unreachable server does not flood stderr. */
function throttledLog(): (what: string, err: unknown) => void {
  let lastMs = 0
  let suppressed = 0
  return (what, err) => {
    const t = Date.now()
    if (t - lastMs < 1000) return void suppressed++
    lastMs = t
    const more = suppressed ? ` (and ${suppressed} more errors)` : ''
    suppressed = 0
    console.error(`kubelite sim: ${what}: ${err instanceof Error ? err.message : String(err)}${more}`)
  }
}
