/**
 * End-to-end: zero-downtime changes under load. While clients keep asking the frontend for
 * /api/tasks with a token (frontend proxy → tasks-service → tasks-api, which checks the token
 * with auth-api), tasks-api's pod is deleted, its Deployment scaled 1 → 3 and restarted.
 * Every reply must be a 200 with the task list: readiness, endpoints, the proxy and graceful
 * termination have to work together as in a real cluster.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { poll } from './harness.js'
import { request, signUpAndLogin, startTasksApp, tasksAppSkip, type TasksApp } from './tasks-app-helpers.js'
import { getJson, items, type Obj } from './workloads-helpers.js'

const skip = tasksAppSkip()

type Phase = 'baseline' | 'delete pod' | 'scale 1 → 3' | 'rollout restart'
type Stats = { ok: number; failed: number; newConn: number; keepAlive: number; reused: number; failures: string[] }

/** Clients on both kinds of connection, each sending one request after the other until stopped. */
function loadGenerator(url: string, token: string, seedTitle: string, clients = { newConnection: 3, keepAlive: 3 }) {
  let phase: Phase = 'baseline'
  let running = true
  const stats = new Map<Phase, Stats>()
  const statsOf = (p: Phase) => {
    let s = stats.get(p)
    if (!s) stats.set(p, (s = { ok: 0, failed: 0, newConn: 0, keepAlive: 0, reused: 0, failures: [] }))
    return s
  }
  const agents: http.Agent[] = []
  async function client(keepAlive: boolean, id: number) {
    const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false
    if (agent) agents.push(agent)
    const who = `${keepAlive ? 'keep-alive' : 'new-connection'} client ${id}`
    while (running) {
      const p = phase
      const s = statsOf(p)
      const started = Date.now()
      let problem: string | undefined
      let reused = false
      try {
        const r = await request('GET', url, { token, agent, timeoutMs: 15_000 })
        reused = r.reused
        const tasks = r.json?.tasks
        if (r.status !== 200) problem = `status ${r.status}: ${r.body.slice(0, 200)}`
        else if (r.json?.message !== 'Tasks loaded.' || !Array.isArray(tasks) || !tasks.some((t: { title?: string }) => t.title === seedTitle)) problem = `invalid body: ${r.body.slice(0, 200)}`
      } catch (err) {
        problem = (err as Error).message
      }
      if (problem) {
        s.failed++
        if (s.failures.length < 20) s.failures.push(`${new Date(started).toISOString()} ${who} (${Date.now() - started}ms): ${problem}`)
      } else {
        s.ok++
        if (keepAlive) s.keepAlive++
        else s.newConn++
        if (reused) s.reused++
      }
      // A short pause keeps the two-core test machine's control plane responsive under load.
      await new Promise((r) => setTimeout(r, 5))
    }
  }
  const all = [
    ...Array.from({ length: clients.newConnection }, (_, i) => client(false, i + 1)),
    ...Array.from({ length: clients.keepAlive }, (_, i) => client(true, i + 1)),
  ]
  return {
    set phase(p: Phase) { phase = p },
    stats,
    statsOf,
    async stop() {
      running = false
      await Promise.all(all)
      for (const a of agents) a.destroy()
    },
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('zero-downtime changes to tasks-api under load', { skip, timeout: 900_000 }, () => {
  let app: TasksApp | undefined
  before(async () => {
    // A LoadBalancer pool of its own (the browser suite has 127.0.4.0/25): suites may run at once.
    app = await startTasksApp({ pool: '127.0.4.128/25' })
  })
  after(async () => {
    await app?.stop()
  })

  /** tasks-api pods that are not being deleted. */
  const livePods = async () => (await items(app!.c, ['pods', '-l', 'app=tasks'])).filter((p) => !p.metadata.deletionTimestamp)
  const allPods = async () => items(app!.c, ['pods', '-l', 'app=tasks'])
  type Endpoint = { conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean }; targetRef?: { name: string } }
  /** Every endpoint in tasks-service's EndpointSlices. */
  const endpoints = async () => {
    const slices = await getJson<{ items: Array<{ endpoints?: Endpoint[] }> }>(app!.c, ['endpointslices', '-l', 'kubernetes.io/service-name=tasks-service'])
    return slices.items.flatMap((s) => s.endpoints ?? [])
  }
  /** Pod names behind ready endpoints (an absent condition means ready). */
  const readyEndpoints = async () => (await endpoints()).filter((e) => e.conditions?.ready !== false).map((e) => e.targetRef?.name ?? '?').sort()
  const isReady = (p: Obj) => (p.status?.conditions ?? []).some((x: { type: string; status: string }) => x.type === 'Ready' && x.status === 'True')
  const names = (ps: Obj[]) => ps.map((p) => p.metadata.name).sort()

  /** Waits until exactly `want` ready tasks pods, none of `old`, exist, no old pod is left and the endpoints list exactly them. */
  async function settled(want: number, old: Set<string>, what: string): Promise<string[]> {
    return poll(what, async () => {
      const all = await allPods()
      const live = all.filter((p) => !p.metadata.deletionTimestamp)
      if (all.some((p) => old.has(p.metadata.name))) return undefined
      if (live.length !== want || !live.every(isReady)) return undefined
      const eps = await readyEndpoints()
      return JSON.stringify(eps) === JSON.stringify(names(live)) ? eps : undefined
    }, 180_000, 250)
  }

  it('serves every request while a pod is deleted, the Deployment scaled 1 → 3 and restarted', async () => {
    const { c } = app!
    const token = await signUpAndLogin(app!, `load${Date.now()}@example.com`, 'load-test')
    const seedTitle = `seed ${process.pid}`
    const created = await request('POST', `${app!.frontendUrl}/api/tasks`, { token, body: { title: seedTitle, text: 'must be listed in every reply' } })
    assert.equal(created.status, 201, created.body)

    const load = loadGenerator(`${app!.frontendUrl}/api/tasks`, token, seedTitle)
    const report: string[] = []
    const mark = (what: string) => report.push(`${new Date().toISOString()} ${what}`)
    const summary = () => ['requests per phase:', ...[...load.stats].map(([p, s]) =>
      `${p.padEnd(16)} ${String(s.ok).padStart(6)} ok (${s.newConn} new-connection, ${s.keepAlive} keep-alive of which ${s.reused} on a reused connection), ${s.failed} failed`), ...report]
    try {
      await sleep(3_000)

      // (a) Delete the only pod: it serves as a terminating endpoint until its replacement is ready.
      load.phase = 'delete pod'
      const [first] = names(await livePods())
      assert.ok(first, 'no tasks pod')
      mark(`deleting ${first}`)
      const deletedAt = Date.now()
      await c.ok(['delete', 'pod', first, '--wait=false'])
      // While it terminates the pod stays in the slice as serving and terminating, not ready.
      const conditions = await poll(`${first} as a terminating endpoint`, async () => {
        const e = (await endpoints()).find((x) => x.targetRef?.name === first)
        return e?.conditions?.terminating ? e.conditions : undefined
      }, 30_000, 100)
      assert.deepEqual(conditions, { ready: false, serving: true, terminating: true })
      mark(`${first} is a terminating endpoint`)
      const [replacement] = await poll('a ready replacement endpoint', async () => {
        const ready = (await readyEndpoints()).filter((n) => n !== first)
        return ready.length ? ready : undefined
      }, 120_000, 100)
      mark(`${replacement} is a ready endpoint, ${Date.now() - deletedAt}ms later`)
      await c.ok(['wait', '--for=delete', `pod/${first}`, '--timeout=120s'])
      mark(`${first} is gone`)
      const afterDelete = await settled(1, new Set([first]), `a replacement for ${first} behind tasks-service`)
      mark(`delete pod: ${first} → ${afterDelete.join(', ')}`)
      await sleep(2_000)

      // (b) Scale out: three ready pods behind the Service.
      load.phase = 'scale 1 → 3'
      mark('scaling to 3')
      await c.ok(['scale', 'deployment/tasks-deployment', '--replicas=3'])
      await c.ok(['rollout', 'status', 'deployment/tasks-deployment', '--timeout=180s'])
      const scaled = await settled(3, new Set(), 'three ready endpoints for tasks-service')
      assert.ok(scaled.includes(afterDelete[0]!), 'scaling out replaced the existing pod')
      mark(`scale 1 → 3: endpoints ${scaled.join(', ')}`)
      await sleep(2_000)

      // (c) Restart: every pod is replaced, one surge pod at a time (maxUnavailable rounds down to 0).
      load.phase = 'rollout restart'
      const before = new Set(names(await livePods()))
      mark('restarting')
      await c.ok(['rollout', 'restart', 'deployment/tasks-deployment'])
      await c.ok(['rollout', 'status', 'deployment/tasks-deployment', '--timeout=300s'])
      const restarted = await settled(3, before, 'all tasks pods replaced and behind tasks-service')
      assert.ok(restarted.every((n) => !before.has(n)))
      mark(`rollout restart: ${[...before].join(', ')} → ${restarted.join(', ')}`)
      await sleep(2_000)
    } catch (err) {
      await load.stop()
      throw new Error(`${(err as Error).message}\n${summary().join('\n')}\n${await app!.diagnostics()}`)
    }
    await load.stop()
    console.log(summary().join('\n'))
    for (const p of ['baseline', 'delete pod', 'scale 1 → 3', 'rollout restart'] as const) {
      const s = load.statsOf(p)
      assert.ok(s.newConn > 0 && s.keepAlive > 0, `no successful requests of both kinds during ${p}`)
      assert.ok(s.reused > 0, `no request reused a kept-alive connection during ${p}`)
    }
    const failures = [...load.stats].flatMap(([p, s]) => s.failures.map((f) => `[${p}] ${f}`))
    const failed = [...load.stats.values()].reduce((n, s) => n + s.failed, 0)
    if (failed) assert.fail(`${failed} requests failed:\n${failures.join('\n')}\n${await app!.diagnostics()}`)
  })
})
