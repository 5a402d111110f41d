/**
 * End-to-end: the example applications run as their own scripts say — each starts a
 * throwaway cluster, builds its images, applies its manifests and uses the application
 * through its LoadBalancer address (and Ingress), with the kubectl commands its README
 * teaches. The frontend is nginx where it is installed, else the Node variant; the test runs
 * both where it can. A script exits 77 when the host lacks a program the example runs on the
 * host base (redis-server, PostgreSQL): the test then skips with the script's reason.
 */
import { describe, it, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const skip = process.getuid?.() !== 0 ? 'needs root (the examples run a node with the namespaces runtime)' : undefined
const hasNginx = spawnSync('sh', ['-c', 'command -v nginx']).status === 0

function runExample(t: TestContext, script: string, env: Record<string, string> = {}): string | undefined {
  const r = spawnSync('bash', [join(repo, script)], { encoding: 'utf8', timeout: 400_000, env: { ...process.env, ...env } })
  if (r.status === 77) {
    t.skip(/SKIP: (.*)/.exec(`${r.stdout}\n${r.stderr}`)?.[1] ?? 'the script skipped')
    return undefined
  }
  assert.equal(r.status, 0, `${script} failed:\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}

describe('example applications', { skip, timeout: 1_800_000 }, () => {
  it('tasks-app: sign up, log in, create and list a task through the frontend\'s /api/ reverse proxy (Node frontend)', (t) => {
    const out = runExample(t, 'examples/tasks-app/test.sh', { TASKS_APP_FRONTEND: 'node' })
    if (out === undefined) return
    assert.match(out, /"message":"Tasks loaded\."/)
    assert.match(out, /== PASS/)
  })

  it('tasks-app with the nginx frontend', { skip: hasNginx ? undefined : 'nginx is not installed' }, (t) => {
    const out = runExample(t, 'examples/tasks-app/test.sh', { TASKS_APP_FRONTEND: 'nginx' })
    if (out !== undefined) assert.match(out, /== PASS/)
  })

  it('recipe-3tier: Redis, a 5-replica backend on a fixed LoadBalancer IP with REDIS_HOST from a custom-columns lookup, CORS for the frontend', (t) => {
    const out = runExample(t, 'examples/recipe-3tier/test.sh', { RECIPE_FRONTEND: hasNginx ? 'nginx' : 'node', LB_POOL: '127.0.2.0/24' })
    if (out === undefined) return
    assert.match(out, /answered by:\n(?: {2}backend-\S+\n){5}/)
    assert.match(out, /== PASS/)
  })

  it('lifesub: PostgreSQL StatefulSet on a PVC, three backends behind one regex Ingress (rewrite-target /$2), CORS from the frontend\'s LoadBalancer IP', (t) => {
    const out = runExample(t, 'examples/lifesub/test.sh', { LIFESUB_FRONTEND: hasNginx ? 'nginx' : 'node', LB_POOL: '127.0.3.0/24' })
    if (out === undefined) return
    assert.match(out, /"path":"\/x"/)
    assert.match(out, /"category":"video"/)
    assert.match(out, /after the restart: .* subscriptions cinebox,streamly/)
    assert.match(out, /== PASS/)
  })
})
