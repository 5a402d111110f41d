import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { createBackoff } from './backoff.js'
import { ensureImage, pullPolicyOf, type ImageRecord, type ImageStore } from './images.js'

const app: ImageRecord = { id: 'sha256:abc', names: ['app:1'], layers: ['/img/l1'], config: { env: ['A=1'] }, created: '', size: 1 }
const store: ImageStore = { resolve: async (ref) => (ref === 'app:1' ? app : undefined) }
const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [] } }

function deps(fallback: 'host' | 'never', clock = { t: 0 }) {
  const events: string[] = []
  return { events, clock, d: { store, fallback, backoff: createBackoff({ now: () => clock.t }), now: () => clock.t,
    event: (type: string, reason: string, message: string) => void events.push(`${type} ${reason} ${message}`) } }
}

describe('images', () => {
  it('defaults the pull policy as the API server does', () => {
    assert.equal(pullPolicyOf({ name: 'a', image: 'nginx' }), 'Always')
    assert.equal(pullPolicyOf({ name: 'a', image: 'nginx:latest' }), 'Always')
    assert.equal(pullPolicyOf({ name: 'a', image: 'localhost:5000/nginx' }), 'Always')
    assert.equal(pullPolicyOf({ name: 'a', image: 'nginx:1.25' }), 'IfNotPresent')
    assert.equal(pullPolicyOf({ name: 'a', image: 'nginx:1.25', imagePullPolicy: 'Never' }), 'Never')
  })
  it('uses a local image with the "already present" event', async () => {
    const { d, events } = deps('never')
    const r = await ensureImage(pod, { name: 'c', image: 'app:1', imagePullPolicy: 'Always' }, d)
    assert.deepEqual(r, { ok: true, rootfs: { layers: ['/img/l1'] }, config: app.config, image: 'app:1', imageID: 'sha256:abc' })
    assert.deepEqual(events, ['Normal Pulled Container image "app:1" already present on machine'])
  })
  it('runs a missing image on the host base when allowed, and says so', async () => {
    const { d, events } = deps('host')
    const r = await ensureImage(pod, { name: 'c', image: 'busybox' }, d)
    assert.equal(r.ok && r.rootfs.layers.length, 0)
    assert.match(events[0]!, /^Normal Pulled .*host base/)
  })
  it('fails a missing image with ErrImagePull, then ImagePullBackOff until the back-off passes', async () => {
    const { d, events, clock } = deps('never')
    const c = { name: 'c', image: 'busybox' }
    const first = await ensureImage(pod, c, d)
    assert.equal(!first.ok && first.reason, 'ErrImagePull')
    assert.deepEqual(events.map((e) => e.split(' ').slice(0, 2).join(' ')), ['Normal Pulling', 'Warning Failed'])
    clock.t = 5000
    const second = await ensureImage(pod, c, d)
    assert.deepEqual(second, { ok: false, reason: 'ImagePullBackOff', message: 'Back-off pulling image "busybox"' })
    clock.t = 10_001
    const third = await ensureImage(pod, c, d)
    assert.equal(!third.ok && third.reason, 'ErrImagePull')
  })
  it('reports ErrImageNeverPull for a missing image with policy Never', async () => {
    const { d, events } = deps('host')
    const r = await ensureImage(pod, { name: 'c', image: 'x:1', imagePullPolicy: 'Never' }, d)
    assert.deepEqual(r, { ok: false, reason: 'ErrImageNeverPull', message: 'Container image "x:1" is not present with pull policy of Never' })
    assert.equal(events[0], 'Warning ErrImageNeverPull Container image "x:1" is not present with pull policy of Never')
  })
})
