import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { familiarName, normalizeImageRef } from './reference.js'

describe('normalizeImageRef', () => {
  const cases: Array<[string, string]> = [
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['user/app', 'docker.io/user/app:latest'],
    ['docker.io/nginx', 'docker.io/library/nginx:latest'],
    ['index.docker.io/library/nginx:1', 'docker.io/library/nginx:1'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/team/app:v2', 'localhost:5000/team/app:v2'],
    ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10'],
    [`busybox@sha256:${'a'.repeat(64)}`, `docker.io/library/busybox@sha256:${'a'.repeat(64)}`],
  ]
  for (const [ref, want] of cases) it(`${ref} → ${want}`, () => assert.equal(normalizeImageRef(ref), want))

  it('rejects upper case and bad tags as docker does', () => {
    assert.throws(() => normalizeImageRef('Nginx'), /must be lowercase/)
    assert.throws(() => normalizeImageRef('app:-bad'), /invalid reference format/)
  })

  it('gives the short names docker prints', () => {
    assert.deepEqual(familiarName('docker.io/library/nginx:latest'), { repository: 'nginx', tag: 'latest' })
    assert.deepEqual(familiarName('docker.io/user/app:1'), { repository: 'user/app', tag: '1' })
    assert.deepEqual(familiarName('localhost:5000/app:2'), { repository: 'localhost:5000/app', tag: '2' })
  })
})
