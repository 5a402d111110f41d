/**
 * End-to-end: the example applications run as their own scripts say — each starts a
 * throwaway cluster, builds its images, applies its manifests and uses the application
 * through its LoadBalancer address. The frontend is nginx where it is installed, else the
 * Node variant; the test runs both where it can.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const skip = process.getuid?.() !== 0 ? 'needs root (the examples run a node with the namespaces runtime)' : undefined
const hasNginx = spawnSync('sh', ['-c', 'command -v nginx']).status === 0

function runExample(script: string, env: Record<string, string> = {}) {
  const r = spawnSync('bash', [join(repo, script)], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } })
  assert.equal(r.status, 0, `${script} failed:\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}

describe('example applications', { skip, timeout: 600_000 }, () => {
  it('tasks-app: sign up, log in, create and list a task through the frontend\'s /api/ reverse proxy (Node frontend)', () => {
    const out = runExample('examples/tasks-app/test.sh', { TASKS_APP_FRONTEND: 'node' })
    assert.match(out, /"message":"Tasks loaded\."/)
    assert.match(out, /== PASS/)
  })

  it('tasks-app with the nginx frontend', { skip: hasNginx ? undefined : 'nginx is not installed' }, () => {
    const out = runExample('examples/tasks-app/test.sh', { TASKS_APP_FRONTEND: 'nginx' })
    assert.match(out, /== PASS/)
  })
})
