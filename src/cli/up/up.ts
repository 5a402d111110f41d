/**
 * @module
 * `kubelite up`: one command from nothing to a running, browsable application. Each phase is
 * a step with its time — start the cluster, wait for its node, merge the kubeconfig, build the
 * images, apply the manifests, wait for the rollouts — then the application's addresses, then
 * the cluster's events until Ctrl-C, which stops the cluster with the pods' grace periods.
 */
import { readFileSync } from 'node:fs'
import { mkdir, readFile, rm } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import type { Ingress } from 'kubernetes-types/networking/v1.js'
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js'
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'
import { createClient, httpTransport, kubeconfigTransportOptions, resourceFor, type ApiObject, type Client } from '../../client/index.js'
import {
  ingressURLsFromLog, lastLines, lastStartOffset, logLength, logPath, pidPath, runningServerPid, ServerExitedError, startServerProcess,
  waitForServerReady, writePidFile, type ClusterProcess,
} from './cluster-process.js'
import { defaultDataDir } from '../defaults.js'
import { DEFAULT_LOAD_BALANCER_POOL, examplesDir, hostTools, type Demo } from './demos.js'
import { followEvents } from './event-stream.js'
import { describeObject, installOrder, manifestFiles, readManifests, type Manifest } from './manifests.js'
import { ROLLOUT_KINDS, rolloutStatus } from './rollout-status.js'

export type UpOptions = {
  dataDir: string
  /** Flags for `kubelite server` (port, image fallback, networking). */
  serverArgs: string[]
  files: string[]
  demo?: Demo
  builds: Array<{ tag: string; context: string; dockerfile?: string }>
  detach: boolean
  mergeKubeconfig: boolean
  timeoutMs: number
  /** The server's --load-balancer-pool (demos with a fixed address follow it). */
  loadBalancerPool?: string
  /** Where progress goes (default stdout). */
  write?: (text: string) => void
}

const FIELD_MANAGER = 'kubelite-up'
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'

export async function up(o: UpOptions): Promise<void> {
  const write = o.write ?? ((t: string) => { process.stdout.write(t) })
  const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)}s`
  const step = (text: string, since?: number) => write(`  ✓ ${text}${since === undefined ? '' : ` (${seconds(since)})`}\n`)
  const t0 = performance.now()
  await mkdir(o.dataDir, { recursive: true, mode: 0o700 })

  const demoDir = o.demo ? join(examplesDir(), o.demo.dir) : undefined
  const what = o.demo ? `${o.demo.title} (${relative(process.cwd(), demoDir!) || '.'})` : o.files.map((f) => relative(process.cwd(), f) || '.').join(', ')
  write(`kubelite up: ${what || 'an empty cluster'}\n`)
  const host = hostTools()
  const unmet = o.demo?.unmet?.(host)
  if (unmet) throw new Error(unmet)

  // Ctrl-C at any point: stop what this command started, once.
  const stopped = new AbortController()
  let cluster: ClusterProcess | undefined
  let stopping: Promise<void> | undefined
  const stopCluster = () => {
    stopping ??= (async () => {
      stopped.abort()
      if (!cluster || o.detach) return
      write('\nStopping the cluster (pods get their grace period)...\n')
      await cluster.stop()
      await rm(pidPath(o.dataDir), { force: true })
      write('Stopped.\n')
    })()
    return stopping
  }
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return
    void stopCluster().then(() => process.exit(signal === 'SIGINT' && !cluster ? 130 : 0))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  // 1. The cluster: one `up -d` already started, or a new server.
  let t = performance.now()
  const running = await runningServerPid(o.dataDir)
  // The log is appended to by every start: this cluster's lines begin at its own start.
  const from = running === undefined ? logLength(o.dataDir) : lastStartOffset(o.dataDir)
  let kubeconfig = join(o.dataDir, 'kubeconfig.yaml')
  let apiUrl: string
  // A restarted cluster's objects still say what was true before it stopped (a Ready node,
  // available replicas) until the node reports again: only what changed since this start counts.
  let freshSince: number | undefined
  if (running !== undefined) {
    apiUrl = (await kubeconfigTransportOptions(kubeconfig)).server
    step(`Using the cluster already running (pid ${running}) at ${apiUrl}`)
  } else {
    freshSince = Math.floor(Date.now() / 1000) * 1000
    cluster = startServerProcess(o.dataDir, o.serverArgs, { detached: o.detach })
    // Also in the foreground: `kubelite down` elsewhere stops it, and a second `up` uses it.
    await writePidFile(o.dataDir, cluster.pid)
    try {
      const ready = await waitForServerReady(o.dataDir, from, cluster)
      kubeconfig = ready.kubeconfig
      apiUrl = ready.url
    } catch (err) {
      if (err instanceof ServerExitedError) throw new Error(`${err.message}\n(full log: ${logPath(o.dataDir)})`)
      await stopCluster()
      throw err
    }
    step(`Control plane ready at ${apiUrl}`, t)
  }
  void cluster?.exited.then((code) => {
    if (stopped.signal.aborted) return
    write(`\nkubelite up: the server exited (code ${code}); the end of its log:\n${lastLines(readLog(o.dataDir, from), 20)}\n`)
    process.exit(1)
  })

  try {
    const client = createClient(httpTransport(await kubeconfigTransportOptions(kubeconfig)), { fieldManager: FIELD_MANAGER })

    // 2. A Ready node to run the pods.
    t = performance.now()
    const node = await waitForReadyNode(client, 60_000, freshSince, stopped.signal)
    step(`Node ${node} is Ready`, t)

    // 3. The kubeconfig, where kubectl looks for it.
    if (o.mergeKubeconfig) {
      const { defaultKubeconfigPath, mergeKubeconfig } = await import('../../pki/index.js')
      const target = defaultKubeconfigPath()
      await mergeKubeconfig(target, await readFile(join(o.dataDir, 'kubeconfig.yaml'), 'utf8'))
      step(`Kubeconfig merged into ${target}: kubectl uses this cluster now`)
    } else {
      step(`Kubeconfig: export KUBECONFIG=${kubeconfig}`)
    }

    // 4. Images.
    const images = [
      ...(o.demo?.images(host) ?? []).map((i) => ({
        tag: i.tag, context: join(demoDir!, i.context), ...(i.dockerfile ? { dockerfile: join(demoDir!, i.dockerfile) } : {}),
      })),
      ...o.builds,
    ]
    if (images.length) {
      t = performance.now()
      await buildImages(o.dataDir, images)
      step(`Built ${images.length === 1 ? 'image' : `${images.length} images`}: ${images.map((i) => i.tag).join(', ')}`, t)
    }

    // 5. Manifests: what workloads depend on first, then the demo's computed objects, then the workloads.
    const paths = [...(o.demo?.manifests.map((m) => join(demoDir!, m)) ?? []), ...o.files]
    const applied: Manifest[] = []
    if (paths.length) {
      t = performance.now()
      let objs = installOrder(await readManifests(manifestFiles(paths)))
      if (o.demo?.prepare) objs = o.demo.prepare(objs, { loadBalancerPool: o.loadBalancerPool ?? DEFAULT_LOAD_BALANCER_POOL })
      const later = (m: Manifest) => ROLLOUT_KINDS.has(m.kind ?? '') || ['Pod', 'ReplicaSet', 'Job', 'CronJob', 'Ingress'].includes(m.kind ?? '')
      for (const m of objs.filter((m) => !later(m))) applied.push(await apply(client, m))
      if (o.demo?.computed) {
        const ingressURLs = await waitForIngressURLs(o.dataDir, from)
        for (const m of await o.demo.computed(client, { ingressURLs })) applied.push(await apply(client, m))
      }
      for (const m of objs.filter(later)) applied.push(await apply(client, m))
      step(`Applied ${applied.length} objects (${summarize(applied)})`, t)
    }

    // 6. Rollouts.
    const workloads = applied.filter((m) => ROLLOUT_KINDS.has(m.kind ?? ''))
    if (workloads.length) {
      t = performance.now()
      await waitForRollouts(client, workloads, o.timeoutMs, freshSince, stopped.signal, (line) => write(`      ${line}\n`))
      step(`Rolled out ${summarize(workloads)}`, t)
    }
    write(`  Ready in ${seconds(t0)}.\n`)

    // 7. Addresses.
    const ingressBase = applied.some((m) => m.kind === 'Ingress') ? await waitForIngressURLs(o.dataDir, from) : []
    const addresses = await applicationAddresses(client, applied, ingressBase)
    if (addresses.length) {
      const entry = o.demo && addresses.find((a) => a.name === (o.demo!.entry.service ?? o.demo!.entry.ingress))
      write('\n')
      if (entry) write(`${capitalize(o.demo!.title)} is up: ${entry.url}\n\n`)
      const width = Math.max(...addresses.map((a) => a.what.length))
      for (const a of addresses) write(`  ${a.what.padEnd(width)}  ${a.url}\n`)
    }
    const kubectl = o.mergeKubeconfig ? 'kubectl' : `KUBECONFIG=${kubeconfig} kubectl`
    write(`\nTry: ${kubectl} get pods   (API server ${apiUrl}; its log: ${logPath(o.dataDir)})\n`)

    if (o.detach) {
      write(running !== undefined ? '' : `The cluster runs in the background (pid ${cluster!.pid}); stop it with: kubelite down${dataDirFlag(o.dataDir)}\n`)
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      stopped.abort()
      // Keep-alive sockets to the API server would hold the process open.
      process.exit(0)
    }

    // 8. Events, until Ctrl-C.
    write(cluster ? '\nEvents (Ctrl-C stops the cluster):\n' : '\nEvents (Ctrl-C leaves the cluster running; kubelite down stops it):\n')
    await followEvents(client, (line) => write(`${line}\n`), stopped.signal)
    await stopping
  } catch (err) {
    if (stopped.signal.aborted) {
      await stopping
      return
    }
    if (o.detach && cluster) {
      write(`The cluster is still running (pid ${cluster.pid}); its log: ${logPath(o.dataDir)}; stop it with: kubelite down${dataDirFlag(o.dataDir)}\n`)
    } else {
      await stopCluster()
    }
    throw err
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
const dataDirFlag = (dataDir: string) => (resolve(dataDir) === resolve(defaultDataDir()) ? '' : ` --data-dir ${dataDir}`)

function readLog(dataDir: string, from: number): string {
  try {
    return readFileSync(logPath(dataDir)).subarray(from).toString('utf8')
  } catch {
    return ''
  }
}

/** `3 deployments, 4 services`: counts by kind, as a learner reads them. */
function summarize(objs: ApiObject[]): string {
  const counts = new Map<string, number>()
  for (const m of objs) counts.set(m.kind ?? '', (counts.get(m.kind ?? '') ?? 0) + 1)
  return [...counts].map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : kind.endsWith('s') ? 'es' : 's'}`).join(', ')
}

const since = (time: string | undefined, fresh: number | undefined) => fresh === undefined || Date.parse(time ?? '') >= fresh

async function waitForReadyNode(client: Client, timeoutMs: number, fresh: number | undefined, signal: AbortSignal): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const nodes = await client.list<Node>({ apiVersion: 'v1', kind: 'Node' }, { signal })
    const ready = nodes.items.find((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True' && since(c.lastHeartbeatTime, fresh)))
    if (ready) return ready.metadata?.name ?? ''
    if (Date.now() > deadline) {
      throw new Error(nodes.items.length ? `no node became Ready within ${timeoutMs / 1000}s` : `no node registered within ${timeoutMs / 1000}s`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function buildImages(dataDir: string, images: Array<{ tag: string; context: string; dockerfile?: string }>): Promise<void> {
  const { buildImage, openImageStore, plainProgress } = await import('../../runtime/images/index.js')
  const { runOnce } = await import('../../runtime/namespaces/shim.js')
  const store = openImageStore(join(dataDir, 'images'))
  for (const img of images) {
    let log = ''
    try {
      await buildImage({ contextDir: img.context, ...(img.dockerfile ? { dockerfile: img.dockerfile } : {}), tags: [img.tag], store, runOnce,
        progress: plainProgress((text) => { log += text }) })
    } catch (err) {
      throw new Error(`building ${img.tag} from ${img.context} failed: ${(err as Error).message}\n${lastLines(log, 20)}`)
    }
  }
}

/** Server-side apply, keeping kubectl's last-applied annotation so `kubectl apply -f` takes over quietly. */
async function apply(client: Client, m: Manifest): Promise<Manifest> {
  const ref = resourceFor({ apiVersion: m.apiVersion!, kind: m.kind! })
  const namespace = ref.namespaced ? m.metadata.namespace ?? 'default' : undefined
  const annotated: Manifest = {
    ...m,
    metadata: { ...m.metadata, annotations: { ...m.metadata.annotations, [LAST_APPLIED]: `${JSON.stringify(m)}\n` } },
  }
  try {
    return await client.patch<Manifest>({ apiVersion: m.apiVersion!, kind: m.kind! }, m.metadata.name, namespace, annotated,
      { type: 'apply', force: true })
  } catch (err) {
    throw new Error(`applying ${describeObject(m)}: ${(err as Error).message}`)
  }
}

async function waitForRollouts(client: Client, workloads: Manifest[], timeoutMs: number, fresh: number | undefined,
  signal: AbortSignal, say: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const started = performance.now()
  const pending = new Map(workloads.map((w) => [describeObject(w), w]))
  const last = new Map<string, string>()
  while (pending.size) {
    for (const [name, w] of pending) {
      const live = await client.get<Manifest>({ apiVersion: w.apiVersion!, kind: w.kind! }, w.metadata.name, w.metadata.namespace ?? 'default', { signal })
      const status = rolloutStatus(live as never)
      last.set(name, status.message)
      if (status.failed) throw new Error(status.message)
      if (status.done && (fresh === undefined || await podsReadySince(client, live, fresh, signal))) {
        pending.delete(name)
        say(`${name} rolled out (${((performance.now() - started) / 1000).toFixed(1)}s)`)
      }
    }
    if (!pending.size) return
    if (Date.now() > deadline) {
      const why = [...pending.keys()].map((n) => `  ${n}: ${last.get(n)}`).join('\n')
      throw new Error(`the rollouts did not finish within ${timeoutMs / 1000}s:\n${why}\n${await podTrouble(client)}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Every pod of `workload` became ready after `fresh` (the restarted node has reported it). */
async function podsReadySince(client: Client, workload: Manifest, fresh: number, signal: AbortSignal): Promise<boolean> {
  const selector = (workload as { spec?: { selector?: LabelSelector } }).spec?.selector
  const labelSelector = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',')
  const pods = await client.list<Pod>({ apiVersion: 'v1', kind: 'Pod' }, { namespace: workload.metadata.namespace ?? 'default', labelSelector, signal })
  return pods.items.filter((p) => !p.metadata?.deletionTimestamp).every((p) =>
    p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True' && since(c.lastTransitionTime, fresh)))
}

/** Pods that are not ready and why, for a rollout that timed out. */
async function podTrouble(client: Client): Promise<string> {
  const pods = await client.list<Pod>({ apiVersion: 'v1', kind: 'Pod' })
  const lines = pods.items.filter((p) => !p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((p) => {
    const waiting = p.status?.containerStatuses?.map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason).filter(Boolean)
    return `  pod/${p.metadata?.name} ${p.status?.phase ?? 'Pending'}${waiting?.length ? ` (${waiting.join(', ')})` : ''}`
  })
  return lines.length ? `Pods not ready (kubectl describe pod NAME says more):\n${lines.join('\n')}` : ''
}

/** The ingress controller's host URLs appear in the log once the node's networking is up. */
async function waitForIngressURLs(dataDir: string, from: number): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const urls = ingressURLsFromLog(dataDir, from)
    if (urls) return urls
    await new Promise((r) => setTimeout(r, 50))
  }
  return []
}

type Address = { what: string; name: string; url: string }

/** Where the applied LoadBalancer Services and Ingresses answer on this machine. */
async function applicationAddresses(client: Client, applied: Manifest[], ingressBase: string[]): Promise<Address[]> {
  const { serviceURLs, withRelayFallbacks } = await import('../service-command.js')
  const out: Address[] = []
  for (const m of applied) {
    if (m.kind === 'Service' && (m as Service).spec?.type === 'LoadBalancer') {
      const svc = await client.get<Service>({ apiVersion: 'v1', kind: 'Service' }, m.metadata.name, m.metadata.namespace ?? 'default')
      for (const u of await withRelayFallbacks(serviceURLs(svc))) out.push({ what: `service/${m.metadata.name}`, name: m.metadata.name, url: u.url })
    }
    if (m.kind === 'Ingress') {
      const base = ingressBase.find((u) => u.startsWith('http:')) ?? ingressBase[0]
      if (!base) continue
      for (const rule of (m as Ingress).spec?.rules ?? [{}]) {
        for (const p of rule.http?.paths ?? [{ path: '/' }]) {
          // A regex path shows as its literal beginning: /member(/|$)(.*) → /member
          const path = (p.path ?? '/').split(/[([^$*+?\\|]/)[0] || '/'
          const host = rule.host ? ` (Host: ${rule.host})` : ''
          out.push({ what: `ingress/${m.metadata.name}`, name: m.metadata.name, url: `${base}${path === '/' ? '/' : path}${host}` })
        }
      }
    }
  }
  return out
}
