/**
 * End-to-end: `kubelite image build` images run as pods on the embedded node, and an image
 * that is neither built here nor pullable fails the way a kubelet reports it.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { CLI, startCluster, type Cluster } from './harness.js'
import { containerStatus, eventsOf, inNode, isRunningReady, waitNodeReady, waitPod } from './node-helpers.js'
import { yamlOf } from './workloads-helpers.js'

const REPO = join(dirname(CLI), '..', '..', '..')
const skipReason = process.getuid?.() !== 0 ? 'needs root (image builds as other users are covered by unit tests)' : undefined

describe('images built with kubelite image build run as pods', { skip: skipReason, timeout: 300_000 }, () => {
  let c: Cluster
  let scratch: string
  const build = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, 'image', 'build', '--data-dir', c.dataDir, ...args], { encoding: 'utf8', timeout: 120_000 })
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`)
    return r.stdout + r.stderr
  }
  before(async () => {
    c = await startCluster({ agent: true })
    scratch = mkdtempSync(join(tmpdir(), 'kubelite-images-'))
    await waitNodeReady(c)
  })
  after(async () => {
    await c?.stop()
    rmSync(scratch, { recursive: true, force: true })
  })

  it('builds a Node app with RUN npm install and serves it from a Deployment', async () => {
    const out = build('-t', 'node-app:1', join(REPO, 'examples', 'images', 'node-app'))
    assert.match(out, /Successfully tagged/)
    const ls = spawnSync(process.execPath, [CLI, 'image', 'ls', '--data-dir', c.dataDir], { encoding: 'utf8' }).stdout
    assert.match(ls, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE/)
    assert.match(ls, /node-app\s+1\s/)
    await c.ok(['create', 'deployment', 'app', '--image=node-app:1', '--port=8080'])
    await c.ok(['rollout', 'status', 'deployment/app', '--timeout=60s'])
    const pod = JSON.parse(await c.ok(['get', 'pods', '-l', 'app=app', '-o', 'json'])).items[0]
    const body = inNode(c, ['curl', '-s', '--max-time', '5', `http://${pod.status.podIP}:8080/`])
    assert.equal(body.stdout, 'hello from node-app\n', body.stderr)
    assert.match(await c.ok(['logs', pod.metadata.name]), /listening on 0\.0\.0\.0:8080/)
    const events = await eventsOf(c, pod.metadata.name)
    assert.ok(events.some((e) => /^Normal Pulled Container image "node-app:1" already present on machine/.test(e)), events.join('\n'))
  })

  it('runs a multi-stage build with COPY --from to completion', async () => {
    build('-t', 'multi:1', join(REPO, 'examples', 'images', 'multi-stage'))
    await c.ok(['run', 'multi', '--image=multi:1', '--restart=Never'])
    const p = await waitPod(c, 'multi', (q) => q.status?.phase === 'Succeeded', 30_000)
    assert.equal(containerStatus(p, 'multi').state.terminated.reason, 'Completed')
    assert.equal(await c.ok(['logs', 'multi']), 'hello from the build stage\n')
  })

  it('uses a new local build of app:latest for the next pod', async () => {
    const dir = join(scratch, 'latest')
    cpSync(join(REPO, 'examples', 'images', 'node-app'), dir, { recursive: true })
    const dockerfile = (msg: string) => writeFileSync(join(dir, 'Dockerfile'), `FROM node:20\nCMD ["node", "-e", "console.log('${msg}')"]\n`)
    dockerfile('first build')
    build('-t', 'app:latest', dir)
    await c.ok(['run', 'v1', '--image=app:latest', '--restart=Never'])
    await waitPod(c, 'v1', (q) => q.status?.phase === 'Succeeded', 30_000)
    assert.equal(await c.ok(['logs', 'v1']), 'first build\n')
    dockerfile('second build')
    build('-t', 'app:latest', dir)
    await c.ok(['run', 'v2', '--image=app:latest', '--restart=Never'])
    await waitPod(c, 'v2', (q) => q.status?.phase === 'Succeeded', 30_000)
    assert.equal(await c.ok(['logs', 'v2']), 'second build\n')
  })

  it('runs a named USER as the image\'s /etc/passwd says, and fails a user it does not have as CreateContainerError', async () => {
    const dir = join(scratch, 'user')
    cpSync(join(REPO, 'examples', 'images', 'node-app'), dir, { recursive: true })
    // The user is added by the build, so only the image's own /etc/passwd knows it.
    writeFileSync(join(dir, 'Dockerfile'), 'FROM debian:12\nRUN groupadd --gid 4321 builders && useradd --uid 4321 --gid 4321 --no-create-home builder\n' +
      'USER builder\nCMD ["id"]\n')
    build('-t', 'named-user:1', dir)
    await c.ok(['run', 'named', '--image=named-user:1', '--restart=Never'])
    await waitPod(c, 'named', (q) => q.status?.phase === 'Succeeded', 30_000)
    assert.match(await c.ok(['logs', 'named']), /^uid=4321\(builder\) gid=4321\(builders\)/)
    writeFileSync(join(dir, 'Dockerfile'), 'FROM debian:12\nUSER nosuchuser\nCMD ["id"]\n')
    build('-t', 'missing-user:1', dir)
    await c.ok(['run', 'missing', '--image=missing-user:1', '--restart=Never'])
    const p = await waitPod(c, 'missing', (q) => containerStatus(q, 'missing')?.state?.waiting?.reason === 'CreateContainerError', 30_000)
    assert.match(containerStatus(p, 'missing').state.waiting.message, /unable to find user nosuchuser: no matching entries in passwd file/)
  })

  it('reports ErrImagePull then ImagePullBackOff for an image it cannot get', async () => {
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: nopull}', 'spec:', '  containers:',
      '  - {name: app, image: "example.invalid/nothing:1"}',
    ]) })
    const p = await waitPod(c, 'nopull', (q) => ['ErrImagePull', 'ImagePullBackOff'].includes(containerStatus(q, 'app')?.state?.waiting?.reason), 30_000)
    assert.ok(!isRunningReady(p))
    await waitPod(c, 'nopull', (q) => containerStatus(q, 'app')?.state?.waiting?.reason === 'ImagePullBackOff', 30_000)
    const events = await eventsOf(c, 'nopull')
    assert.ok(events.some((e) => e.startsWith('Warning Failed Failed to pull image "example.invalid/nothing:1"')), events.join('\n'))
    assert.ok(events.some((e) => e.startsWith('Normal BackOff Back-off pulling image "example.invalid/nothing:1"')), events.join('\n'))
  })
})
