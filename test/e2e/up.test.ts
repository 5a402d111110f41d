/**
 * End-to-end: `kubelite up` as a newcomer meets it. `up -d` brings up the tasks demo from
 * nothing and prints its URL; through that URL a user signs up, logs in, creates and lists
 * tasks (the frontend's /api/ reverse proxy to tasks-api); a second `up -d` finds the running
 * cluster; `kubelite down` leaves nothing running. In the foreground, `up` follows events and
 * Ctrl-C stops the cluster. Each run has its own data directory and kubeconfig.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CLI, poll } from './harness.js'
import { leftovers } from './node-helpers.js'

const skip = process.getuid?.() !== 0 ? 'needs root (the demo runs a node with the namespaces runtime)' : undefined

function kubelite(args: string[], env: NodeJS.ProcessEnv, timeout = 240_000) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, timeout })
}

async function call(url: string, method = 'GET', body?: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  })
  const text = await res.text()
  let json: Record<string, unknown> = {}
  try { json = JSON.parse(text) as Record<string, unknown> } catch { /* not JSON: leave empty */ }
  return { status: res.status, json }
}

/** A process that exists and is not a zombie waiting for its (re)parent to reap it. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

const answers = (host: string, port: number) => new Promise<boolean>((resolve) => {
  const s = connect({ host, port, timeout: 1000 })
  const done = (ok: boolean) => { s.destroy(); resolve(ok) }
  s.once('connect', () => done(true)).once('error', () => done(false)).once('timeout', () => done(false))
})

describe('kubelite up', { skip, timeout: 600_000 }, () => {
  let dir: string
  let env: NodeJS.ProcessEnv
  let dataDir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kl-up-e2e-'))
    dataDir = join(dir, 'data')
    env = { ...process.env, KUBECONFIG: join(dir, 'kubeconfig') }
  })
  after(() => {
    // A failed test must not leave the cluster running.
    kubelite(['down', '--data-dir', dataDir], env, 150_000)
    rmSync(dir, { recursive: true, force: true })
  })

  it('up -d brings up the tasks demo and prints its URL; tasks are created and listed through the frontend\'s /api/ proxy', async () => {
    const r = kubelite(['up', '-d', '--data-dir', dataDir, '--port', '0'], env)
    assert.equal(r.status, 0, `up -d failed:\n${r.stdout}\n${r.stderr}`)
    const out = r.stdout
    for (const step of [/✓ Control plane ready at https:\/\/127\.0\.0\.1:\d+ \(\d+\.\ds\)/, /✓ Node \S+ is Ready/,
      /✓ Kubeconfig merged into .*kubeconfig/, /✓ Built 4 images: tasks-app\/auth:latest/, /✓ Applied 9 objects/,
      /deployment\.apps\/tasks-deployment rolled out/, /✓ Rolled out 4 Deployments/]) {
      assert.match(out, step)
    }
    const url = /The tasks app is up: (http:\/\/127\.0\.\d+\.\d+)\n/.exec(out)?.[1]
    assert.ok(url, `no URL in:\n${out}`)
    assert.match(out, /stop it with: kubelite down --data-dir /)

    // kubectl uses the merged kubeconfig with no flags.
    const pods = spawnSync('kubectl', ['get', 'deployments', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.availableReplicas} {end}'],
      { encoding: 'utf8', env })
    assert.equal(pods.status, 0, pods.stderr)
    assert.equal(pods.stdout.trim().split(' ').sort().join(' '),
      'auth-deployment=1 frontend-deployment=1 tasks-deployment=1 users-deployment=1')

    const page = await fetch(`${url}/`)
    assert.match(await page.text(), /<title>Tasks<\/title>/)
    const creds = { email: `newcomer${process.pid}@example.com`, password: 's3cret' }
    assert.equal((await call(`${url}/users/signup`, 'POST', creds)).status, 201)
    const login = await call(`${url}/users/login`, 'POST', creds)
    assert.equal(login.status, 200)
    const token = login.json.token as string
    assert.ok(token)
    assert.equal((await call(`${url}/api/tasks`)).status, 401)
    const created = await call(`${url}/api/tasks`, 'POST', { title: 'Learn Kubernetes', text: 'with kubelite up' }, token)
    assert.equal(created.status, 201, JSON.stringify(created.json))
    const listed = await call(`${url}/api/tasks`, 'GET', undefined, token)
    assert.equal(listed.status, 200)
    assert.ok((listed.json.tasks as Array<{ title: string }>).some((t) => t.title === 'Learn Kubernetes'), JSON.stringify(listed.json))
  })

  it('a second up -d uses the running cluster, and kubelite down leaves nothing running', async () => {
    const again = kubelite(['up', '-d', '--data-dir', dataDir], env)
    assert.equal(again.status, 0, `${again.stdout}\n${again.stderr}`)
    assert.match(again.stdout, /✓ Using the cluster already running \(pid (\d+)\)/)
    const pid = Number(/pid (\d+)/.exec(again.stdout)![1])
    const url = /The tasks app is up: http:\/\/(127\.0\.\d+\.\d+)\n/.exec(again.stdout)?.[1]
    assert.ok(url)
    assert.equal(await answers(url, 80), true)

    const down = kubelite(['down', '--data-dir', dataDir], env)
    assert.equal(down.status, 0, down.stderr)
    assert.match(down.stdout, new RegExp(`Stopping the cluster \\(pid ${pid};[^]*Stopped in \\d+\\.\\ds\\.`))
    assert.equal(alive(pid), false, 'the server is gone')
    assert.deepEqual(leftovers(dataDir), [])
    assert.equal(existsSync(join(dataDir, 'kubelite.pid')), false)
    assert.equal(await answers(url, 80), false, 'the LoadBalancer relay is gone')
    const twice = kubelite(['down', '--data-dir', dataDir], env)
    assert.equal(twice.status, 0)
    assert.match(twice.stdout, /No cluster started by kubelite up -d is running/)
  })

  it('in the foreground, up restarts the stopped cluster, follows events, and Ctrl-C stops everything', async () => {
    const child = spawn(process.execPath, [CLI, 'up', '--data-dir', dataDir, '--no-kubeconfig'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (c: Buffer) => { out += c.toString() })
    child.stderr.on('data', (c: Buffer) => { out += c.toString() })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    try {
      await poll('up to follow events', () => (out.includes('Events (Ctrl-C stops the cluster)') ? true : undefined), 120_000)
      assert.match(out, /✓ Kubeconfig: export KUBECONFIG=/)
      const kubeconfig = /export KUBECONFIG=(\S+)/.exec(out)![1]!
      // A restarted cluster's deployments are rolled out only once the node has run the pods again.
      const url = /The tasks app is up: (\S+)\n/.exec(out)![1]!
      assert.equal((await call(`${url}/api/tasks`)).status, 401)
      const del = spawnSync('kubectl', ['--kubeconfig', kubeconfig, 'delete', 'pod', '-l', 'app=auth', '--wait=false'], { encoding: 'utf8' })
      assert.equal(del.status, 0, del.stderr)
      await poll('the events of the replacement pod', () => (/pod\/auth-deployment-\S+ {2}Started: Started container auth/.test(out.split('Events (')[1] ?? '') ? true : undefined), 30_000)
      assert.match(out.split('Events (')[1]!, /replicaset\/auth-deployment-\S+ {2}SuccessfulCreate: Created pod: auth-deployment-/)
    } finally {
      child.kill('SIGINT')
    }
    assert.equal(await exited, 0, out)
    assert.match(out, /Stopping the cluster \(pods get their grace period\)\.\.\.\nStopped\.\n$/)
    assert.deepEqual(leftovers(dataDir), [])
    assert.equal(existsSync(join(dataDir, 'kubelite.pid')), false)
    assert.match(readFileSync(join(dataDir, 'kubelite.log'), 'utf8'), /SIGTERM received, shutting down/)
  })

  it('up --demo recipe: the backend on its fixed address in the pool, REDIS_HOST and the CORS origin made from the Services', async (t) => {
    const data = join(dir, 'recipe')
    try {
      const r = kubelite(['up', '-d', '--demo', 'recipe', '--data-dir', data, '--port', '0', '--no-kubeconfig',
        '--load-balancer-pool', '127.0.2.0/24', '--ingress-http-port', '0', '--ingress-https-port', '0'], env)
      if (r.status !== 0 && /install redis-server/.test(r.stderr)) return t.skip('redis-server is not installed')
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`)
      assert.match(r.stdout, /✓ Applied 9 objects \(3 ConfigMaps, 3 Services, 3 Deployments\)/)
      assert.match(r.stdout, /service\/backend\s+http:\/\/127\.0\.2\.100:8080\n/)
      const frontend = /The recipe app is up: http:\/\/(127\.0\.2\.\d+)\n/.exec(r.stdout)?.[1]
      assert.ok(frontend, r.stdout)
      const res = await fetch('http://127.0.2.100:8080/recipes', { method: 'POST', headers: { origin: `http://${frontend}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Pancakes', ingredients: ['flour'], instructions: 'mix' }) })
      assert.equal(res.status, 201, await res.text())
      assert.equal(res.headers.get('access-control-allow-origin'), `http://${frontend}`)
      const list = await (await fetch('http://127.0.2.100:8080/recipes')).json() as { recipes: Array<{ name: string }> }
      assert.ok(list.recipes.some((x) => x.name === 'Pancakes'))
    } finally {
      kubelite(['down', '--data-dir', data], env, 150_000)
    }
  })

  it('up --demo lifesub: PostgreSQL and three backends behind the Ingress, the page told where the Ingress is', async (t) => {
    const data = join(dir, 'lifesub')
    try {
      const r = kubelite(['up', '-d', '--demo', 'lifesub', '--data-dir', data, '--port', '0', '--no-kubeconfig',
        '--load-balancer-pool', '127.0.3.0/24', '--ingress-https-port', '0'], env)
      if (r.status !== 0 && /install postgresql-15/.test(r.stderr)) return t.skip('PostgreSQL 15 is not installed')
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`)
      assert.match(r.stdout, /statefulset\.apps\/postgres rolled out/)
      const ingress = /ingress\/lifesub\s+(http:\/\/127\.0\.0\.1(?::\d+)?)\/member\n/.exec(r.stdout)?.[1]
      const page = /The lifesub app is up: (http:\/\/127\.0\.3\.\d+)\n/.exec(r.stdout)?.[1]
      assert.ok(ingress && page, r.stdout)
      assert.equal(await (await fetch(`${page}/config.js`)).text(), `window.LIFESUB_API = "${ingress}"\n`)
      const signup = await fetch(`${ingress}/member/signup`, { method: 'POST', headers: { origin: page, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'up@example.com', password: 'secret12', name: 'Up' }) })
      assert.equal(signup.status, 201, await signup.text())
      assert.equal(signup.headers.get('access-control-allow-origin'), page)
      // Again on the running cluster: its ingress address is found in the log of this start.
      const again = kubelite(['up', '-d', '--demo', 'lifesub', '--data-dir', data, '--no-kubeconfig', '--load-balancer-pool', '127.0.3.0/24'], env)
      assert.equal(again.status, 0, `${again.stdout}\n${again.stderr}`)
      assert.match(again.stdout, /✓ Using the cluster already running/)
      assert.ok(again.stdout.includes(`ingress/lifesub   ${ingress}/member\n`), again.stdout)
    } finally {
      kubelite(['down', '--data-dir', data], env, 150_000)
    }
  })

  it('refuses an unknown demo and stray arguments with usage errors', () => {
    const r = kubelite(['up', '--demo', 'nope', '--data-dir', dataDir], env)
    assert.equal(r.status, 2)
    assert.match(r.stderr, /kubelite up: unknown demo "nope": want one of tasks, recipe, lifesub/)
    const s = kubelite(['up', 'manifests/'], env)
    assert.equal(s.status, 2)
    assert.match(s.stderr, /unexpected argument: manifests\/ \(manifests are given with -f\)/)
  })
})
