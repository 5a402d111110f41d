import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { Deployment, StatefulSet } from 'kubernetes-types/apps/v1.js'
import { formatEvent } from './event-stream.js'
import { describeObject, installOrder, manifestFiles, readManifests } from './manifests.js'
import { rolloutStatus } from './rollout-status.js'
import { DEMOS, hostTools, poolAddress } from './demos.js'

const deployment = (spec: Deployment['spec'], status: Deployment['status'], generation = 2): Deployment => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', generation }, spec, status,
})

describe('rollout status, as kubectl rollout status decides it', () => {
  const sel = { matchLabels: { app: 'web' } }
  const tpl = {}
  it('waits for the controller to observe the latest generation', () => {
    const s = rolloutStatus(deployment({ replicas: 2, selector: sel, template: tpl }, { observedGeneration: 1, updatedReplicas: 2, replicas: 2, availableReplicas: 2 }))
    assert.deepEqual(s, { done: false, message: 'Waiting for deployment spec update to be observed...' })
  })
  it('counts updated, old and available replicas in that order', () => {
    const d = (st: Deployment['status']) => rolloutStatus(deployment({ replicas: 3, selector: sel, template: tpl }, { observedGeneration: 2, ...st }))
    assert.equal(d({ updatedReplicas: 1, replicas: 3 }).message, 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...')
    assert.equal(d({ updatedReplicas: 3, replicas: 4 }).message, 'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...')
    assert.equal(d({ updatedReplicas: 3, replicas: 3, availableReplicas: 2 }).message, 'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...')
    assert.deepEqual(d({ updatedReplicas: 3, replicas: 3, availableReplicas: 3 }), { done: true, message: 'deployment "web" successfully rolled out' })
  })
  it('fails on an exceeded progress deadline', () => {
    const s = rolloutStatus(deployment({ replicas: 1, selector: sel, template: tpl }, {
      observedGeneration: 2, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
    }))
    assert.equal(s.failed, true)
    assert.match(s.message, /exceeded its progress deadline/)
  })
  it('waits for a StatefulSet\'s pods to be ready and on the update revision', () => {
    const sts = (status: StatefulSet['status']): StatefulSet => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', generation: 1 },
      spec: { replicas: 2, selector: sel, serviceName: 'db', template: tpl }, status: { observedGeneration: 1, ...status } as StatefulSet['status'] })
    assert.equal(rolloutStatus(sts({ replicas: 2, readyReplicas: 1 })).message, 'Waiting for 1 pods to be ready...')
    assert.equal(rolloutStatus(sts({ replicas: 2, readyReplicas: 2, currentRevision: 'a', updateRevision: 'b', updatedReplicas: 1 })).done, false)
    assert.equal(rolloutStatus(sts({ replicas: 2, readyReplicas: 2, currentRevision: 'b', updateRevision: 'b', currentReplicas: 2 })).done, true)
  })
})

describe('manifests for kubelite up -f', () => {
  it('reads files and directories as kubectl apply -f does, and orders them for install', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kl-up-'))
    try {
      mkdirSync(join(dir, 'm'))
      writeFileSync(join(dir, 'm', 'b.yaml'), [
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}',
        'apiVersion: v1\nkind: Service\nmetadata: {name: web}',
        '',
      ].join('\n---\n'))
      writeFileSync(join(dir, 'm', 'a.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [
        { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } },
      ] }))
      writeFileSync(join(dir, 'm', 'notes.txt'), 'not a manifest')
      writeFileSync(join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n')
      const objs = installOrder(await readManifests(manifestFiles([join(dir, 'm'), join(dir, 'ns.yaml')])))
      assert.deepEqual(objs.map(describeObject), ['namespace/shop', 'configmap/cfg', 'service/web', 'deployment.apps/web', 'ingress.networking.k8s.io/web'])
      writeFileSync(join(dir, 'bad.yaml'), 'kind: Pod\nmetadata: {name: x}\n')
      await assert.rejects(readManifests([join(dir, 'bad.yaml')]), /apiVersion and kind must be set/)
      assert.throws(() => manifestFiles([join(dir, 'missing')]), /does not exist/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('the event stream', () => {
  it('prints one compact line per Event, warnings marked, the namespace only when not default', () => {
    const line = formatEvent({ metadata: {}, involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'shop' }, type: 'Warning', reason: 'BackOff',
      message: 'Back-off restarting\n failed container', count: 3, lastTimestamp: '2026-01-02T03:04:05Z' })
    assert.match(line, /^\d\d:\d\d:\d\d {2}Warning shop\/pod\/web-1 {2}BackOff: Back-off restarting failed container \(x3\)$/)
  })
})

describe('demos', () => {
  it('the tasks demo builds the nginx frontend where nginx is installed (and the node is not rootless), else the Node one', () => {
    const fe = (nginx: boolean, rootless = false) => DEMOS.tasks!.images({ nginx, redis: false, postgres: false, rootless }).find((i) => i.tag === 'tasks-app/frontend:latest')
    assert.deepEqual(fe(true), { tag: 'tasks-app/frontend:latest', context: 'frontend' })
    assert.deepEqual(fe(false), { tag: 'tasks-app/frontend:latest', context: '.', dockerfile: 'frontend-node/Dockerfile' })
    assert.deepEqual(fe(true, true), fe(false), 'a rootless node runs the Node frontend')
    assert.deepEqual(hostTools('', 0), { nginx: false, redis: false, postgres: hostTools('', 0).postgres, rootless: false })
  })
  it('the recipe demo needs the host\'s redis-server, and moves its fixed address into the pool', () => {
    assert.match(DEMOS.recipe!.unmet!({ nginx: true, redis: false, postgres: false, rootless: false })!, /install redis-server/)
    assert.equal(poolAddress('127.0.2.0/24', 100), '127.0.2.100')
    assert.equal(poolAddress('10.0.0.0/16', 300), '10.0.1.44')
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'backend' }, spec: { loadBalancerIP: '127.0.1.100' } }
    const [moved] = DEMOS.recipe!.prepare!([svc], { loadBalancerPool: '127.0.2.0/24' })
    assert.equal((moved as typeof svc).spec.loadBalancerIP, '127.0.2.100')
  })
  it('the lifesub demo needs the host\'s PostgreSQL 15, and a node that maps uid 999', () => {
    const host = { nginx: true, redis: true, postgres: true, rootless: false }
    assert.equal(DEMOS.lifesub!.unmet!(host), undefined)
    assert.match(DEMOS.lifesub!.unmet!({ ...host, postgres: false })!, /install postgresql-15/)
    assert.match(DEMOS.lifesub!.unmet!({ ...host, rootless: true })!, /uid 999/)
  })
})
