/**
 * @module
 * Control-plane benchmarks on simulated nodes, in one process (API server on memory storage,
 * the real loops over the in-process transport):
 *  - kwok's gates: N nodes Ready, then M pods Running, then M pods deleted — time for each;
 *  - scheduler throughput: M pending pods bound with the scheduler started last, pods/s;
 *  - a Deployment of 1,000 replicas from create to all available;
 *  - RSS with N nodes and M pods.
 * No peer runs here (kube-scheduler and kwok are not on the machine); the goals printed are
 * upstream's CI floors.
 */
import { startApiServer } from '../src/apiserver/index.js'
import { createAuthenticator } from '../src/apiserver/authn/index.js'
import { createClient, createInformers, eventBroadcaster, type Client, type ControllerContext } from '../src/client/index.js'
import { startControllerManager } from '../src/controllers/index.js'
import { startScheduler } from '../src/scheduler/index.js'
import { startSimNodes } from '../src/runtime/sim/index.js'
import { openStorage } from '../src/storage/index.js'
import { fmt } from './lib.js'

const line = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`)
type Pod = { metadata?: { name?: string; deletionTimestamp?: string }; spec?: { nodeName?: string }; status?: { phase?: string } }
type Node = { metadata?: { name?: string }; status?: { conditions?: { type: string; status: string }[] } }

async function cluster(opts: { scheduler: boolean }) {
  const storage = await openStorage('memory:')
  const server = await startApiServer({ bind: '127.0.0.1', port: 0, storage, authenticator: createAuthenticator({}) })
  const ac = new AbortController()
  const as = (username: string) => createClient(server.inProcess({ username, groups: ['system:authenticated'] }))
  const cm = as('system:kube-controller-manager')
  const informers = createInformers(cm)
  const ctx = (client: Client): ControllerContext => ({ client, informers, recorder: eventBroadcaster(client), now: Date.now })
  startControllerManager(ctx(cm), { signal: ac.signal })
  const scheduler = () => startScheduler(ctx(as('system:kube-scheduler')), { signal: ac.signal })
  if (opts.scheduler) scheduler()
  informers.start(ac.signal)
  const pods = informers.of<Pod>('v1', 'Pod')
  const nodes = informers.of<Node>('v1', 'Node')
  await informers.waitForSync()
  return {
    admin: as('admin'), informers, pods, nodes, scheduler, simClient: as('system:kubelite-sim'), signal: ac.signal,
    async close() {
      ac.abort()
      await server.close()
      await storage.close()
    },
  }
}

async function until(cond: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const pod = (i: number) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}`, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m', memory: '100Mi' } } }] },
})

async function createAll(client: Client, n: number, make: (i: number) => object, concurrency = 64) {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await client.create(make(next++) as never)
  }))
}

const ready = (n: { readonly status?: { readonly conditions?: readonly { readonly type: string; readonly status: string }[] } }) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')

/** kwok's gates plus the scheduler's throughput, at `nodes` × `podCount`. */
export async function simScale(nodeCount: number, podCount: number) {
  console.log(`\n# Simulated cluster: ${nodeCount} nodes, ${podCount} pods (in process, memory storage)`)
  const c = await cluster({ scheduler: false })
  try {
    let t = performance.now()
    await startSimNodes({ client: c.simClient, informers: c.informers, count: nodeCount, signal: c.signal })
    await until(() => c.nodes.list().filter(ready).length === nodeCount, 120_000, 'nodes Ready')
    line(`${nodeCount} nodes Ready, s  [goal ≤ 10; kwok's CI gate 60]`, fmt((performance.now() - t) / 1000, 2))

    t = performance.now()
    await createAll(c.admin, podCount, pod)
    line(`${podCount} pods created (scheduler stopped), s`, fmt((performance.now() - t) / 1000, 2))
    t = performance.now()
    c.scheduler()
    await until(() => c.pods.list().filter((p) => p.spec?.nodeName).length === podCount, 300_000, 'pods bound')
    const bindS = (performance.now() - t) / 1000
    line(`scheduler: ${podCount} pending pods bound, pods/s  [goal ≥ 1000; upstream floor 680]`, fmt(podCount / bindS, 0))
    await until(() => c.pods.list().filter((p) => p.status?.phase === 'Running').length === podCount, 300_000, 'pods Running')
    line(`${podCount} pods Running (from scheduler start), s  [goal ≤ 10]`, fmt((performance.now() - t) / 1000, 2))
    global.gc?.()
    line(`RSS with ${nodeCount} nodes and ${podCount} pods, MB`, fmt(process.memoryUsage().rss / 1048576, 0))

    t = performance.now()
    let next = 0
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < podCount) await c.admin.delete({ apiVersion: 'v1', kind: 'Pod' }, `pod-${next++}`, 'default')
    }))
    await until(() => c.pods.list().length === 0, 300_000, 'pods deleted')
    line(`${podCount} pods deleted (graceful, finalized by the sim), s  [goal ≤ 10]`, fmt((performance.now() - t) / 1000, 2))
  } finally {
    await c.close()
  }
}

/** A Deployment of `replicas` on simulated nodes: create → all available. */
export async function bigDeployment(replicas: number, nodeCount: number) {
  console.log(`\n# Deployment of ${replicas} replicas on ${nodeCount} simulated nodes`)
  const c = await cluster({ scheduler: true })
  try {
    await startSimNodes({ client: c.simClient, informers: c.informers, count: nodeCount, signal: c.signal })
    await until(() => c.nodes.list().filter(ready).length === nodeCount, 60_000, 'nodes Ready')
    const deployments = c.informers.of<{ metadata?: { name?: string }; status?: { availableReplicas?: number } }>('apps/v1', 'Deployment')
    const t = performance.now()
    await c.admin.create({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'big', namespace: 'default' },
      spec: { replicas, selector: { matchLabels: { app: 'big' } }, template: { metadata: { labels: { app: 'big' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    } as never)
    await until(() => deployments.get('default/big')?.status?.availableReplicas === replicas, 300_000, 'deployment available')
    line(`create → ${replicas} available, s`, fmt((performance.now() - t) / 1000, 2))
  } finally {
    await c.close()
  }
}
