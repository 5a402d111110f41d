import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { backoffMs, imageID, normalizeImage } from './containers.js'

describe('sim containers', () => {
  it('name images as containerd reports them', () => {
    assert.deepEqual(['nginx', 'nginx:1.27', 'bitnami/redis', 'ghcr.io/a/b:v1', 'localhost:5000/app', 'registry.k8s.io/pause@sha256:abc'].map(normalizeImage), [
      'docker.io/library/nginx:latest', 'docker.io/library/nginx:1.27', 'docker.io/bitnami/redis:latest', 'ghcr.io/a/b:v1',
      'localhost:5000/app:latest', 'registry.k8s.io/pause@sha256:abc'])
    assert.match(imageID('localhost:5000/app'), /^localhost:5000\/app@sha256:[0-9a-f]{64}$/)
  })

  it('back off restarts as the kubelet does: 10s doubling to 5m', () => {
    assert.deepEqual([1, 2, 3, 5, 6, 10].map(backoffMs), [10_000, 20_000, 40_000, 160_000, 300_000, 300_000])
  })
})
