/**
 * API semantics kubectl reaches only indirectly: generateName, fieldValidation
 * Strict/Warn/Ignore, DeleteOptions preconditions, and watch timeoutSeconds.
 */
import * as k8s from '@kubernetes/client-node'
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { startCluster, type Cluster } from './harness.js'

describe('API semantics', () => {
  let c: Cluster
  let kc: k8s.KubeConfig
  let api: k8s.CoreV1Api
  before(async () => {
    // API semantics over the objects the test writes: no controllers adding kube-root-ca.crt and the like.
    c = await startCluster({ extraArgs: ['--disable-controller-manager', '--disable-scheduler'] })
    kc = new k8s.KubeConfig()
    kc.loadFromFile(c.kubeconfig)
    api = kc.makeApiClient(k8s.CoreV1Api)
  })
  after(() => c?.stop())

  it('names an object from generateName with five random characters', async () => {
    const out = await c.ok(['create', '-f', c.file('gen.yaml', stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'job-config-' } }))])
    assert.match(out.trim(), /^configmap\/job-config-[bcdfghjklmnpqrstvwxz2456789]{5} created$/)
  })

  it('fieldValidation: Strict refuses, Warn warns, Ignore accepts unknown fields', async () => {
    const doc = (name: string) => c.file(`${name}.yaml`, stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' }, bogus: 1 }))
    const strict = await c.kubectl(['create', '-f', doc('strict')])
    assert.equal(strict.code, 1)
    assert.match(strict.stderr, /ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"/)
    const warn = await c.kubectl(['create', '--validate=warn', '-f', doc('warned')])
    assert.equal(warn.code, 0, warn.stderr)
    assert.match(warn.stderr, /Warning: unknown field "bogus"/)
    const ignore = await c.kubectl(['create', '--validate=false', '-f', doc('ignored')])
    assert.equal(ignore.code, 0, ignore.stderr)
    assert.doesNotMatch(ignore.stderr, /unknown field/)
  })

  it('concurrent patches without a resourceVersion all apply; one naming a stale resourceVersion is a 409', async () => {
    await api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'racy' }, data: {} } })
    const patch = (body: object, type: k8s.PatchStrategy) =>
      api.patchNamespacedConfigMap({ name: 'racy', namespace: 'default', body }, k8s.setHeaderOptions('Content-Type', type))
    // 40 writers at once: every lost compare-and-swap must re-read and re-apply, as upstream's GuaranteedUpdate does.
    await Promise.all(Array.from({ length: 40 }, (_, i) => i % 2
      ? patch({ data: { [`k${i}`]: String(i) } }, k8s.PatchStrategy.MergePatch)
      : patch([{ op: 'add', path: `/data/k${i}`, value: String(i) }], k8s.PatchStrategy.JsonPatch)))
    const cm = await api.readNamespacedConfigMap({ name: 'racy', namespace: 'default' })
    assert.equal(Object.keys(cm.data ?? {}).length, 40)
    await assert.rejects(patch({ metadata: { resourceVersion: '1' }, data: { x: 'y' } }, k8s.PatchStrategy.MergePatch),
      (err: { code?: number; body?: string }) => err.code === 409 && /the object has been modified/.test(err.body ?? ''))
  })

  it('DeleteOptions preconditions: a wrong uid or resourceVersion is a 409, the right ones delete', async () => {
    const cm = await api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'guarded' } } })
    const refused = async (preconditions: k8s.V1Preconditions) => {
      try {
        await api.deleteNamespacedConfigMap({ name: 'guarded', namespace: 'default', body: { preconditions } })
      } catch (err) {
        return { code: (err as { code?: number }).code, body: JSON.parse(String((err as { body?: unknown }).body)) }
      }
      return { code: 200, body: undefined }
    }
    const wrongUid = await refused({ uid: 'not-the-uid' })
    assert.equal(wrongUid.code, 409)
    assert.equal(wrongUid.body.message, `Operation cannot be fulfilled on configmaps "guarded": Precondition failed: UID in precondition: not-the-uid, UID in object meta: ${cm.metadata?.uid}`)
    const wrongRv = await refused({ resourceVersion: '1' })
    assert.equal(wrongRv.code, 409)
    assert.match(wrongRv.body.message, /Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in meta: \d+/)
    await api.deleteNamespacedConfigMap({ name: 'guarded', namespace: 'default', body: { preconditions: { uid: cm.metadata?.uid, resourceVersion: cm.metadata?.resourceVersion } } })
    await assert.rejects(api.readNamespacedConfigMap({ name: 'guarded', namespace: 'default' }), (err: { code?: number }) => err.code === 404)
  })

  it('a watch with timeoutSeconds ends by itself', async () => {
    const watch = new k8s.Watch(kc)
    const started = Date.now()
    const ended = new Promise<unknown>((resolve) => {
      void watch.watch('/api/v1/namespaces/default/configmaps', { timeoutSeconds: 1, allowWatchBookmarks: true }, () => {}, resolve)
    })
    assert.equal(await ended, null) // done without an error: the server ended the stream
    assert.ok(Date.now() - started >= 900)
  })

  it('a streaming list (sendInitialEvents) ends its initial events with a bookmark', async () => {
    await api.createNamespace({ body: { metadata: { name: 'stream' } } })
    for (const n of ['a', 'b']) await api.createNamespacedConfigMap({ namespace: 'stream', body: { metadata: { name: n } } })
    const r = await c.request('GET', '/api/v1/namespaces/stream/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1')
    assert.equal(r.status, 200)
    const events = r.body.trim().split('\n').map((l) => JSON.parse(l))
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`), ['ADDED a', 'ADDED b', 'BOOKMARK '])
    const bookmark = events[2].object
    assert.equal(bookmark.kind, 'ConfigMap')
    assert.deepEqual(bookmark.metadata.annotations, { 'k8s.io/initial-events-end': 'true' })
    assert.ok(Number(bookmark.metadata.resourceVersion) >= Number(events[1].object.metadata.resourceVersion))
  })

  it('refuses watch options upstream refuses, with a 422 on ListOptions', async () => {
    const r = await c.request('GET', '/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true')
    assert.equal(r.status, 422)
    assert.equal(JSON.parse(r.body).message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan')
    const r2 = await c.request('GET', '/api/v1/namespaces/default/configmaps?watch=true&resourceVersionMatch=Exact')
    assert.equal(r2.status, 422)
    assert.match(JSON.parse(r2.body).message, /resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"/)
  })

  it('refuses values of the wrong type whatever fieldValidation says, and stores nothing', async () => {
    const bad = c.file('bad-types.yaml', stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'typed' },
      spec: { replicas: 'three', selector: { matchLabels: { app: 'typed' } }, template: { metadata: { labels: { app: 'typed' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    }))
    for (const validate of ['true', 'false']) {
      const r = await c.kubectl(['create', `--validate=${validate}`, '-f', bad])
      assert.equal(r.code, 1)
      assert.equal(r.stderr.trim(), `Error from server (BadRequest): error when creating "${bad}": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`)
    }
    assert.equal((await c.kubectl(['get', 'deploy', 'typed'])).code, 1)
    await c.ok(['create', 'deployment', 'typed', '--image=nginx'])
    const patch = await c.kubectl(['patch', 'deploy', 'typed', '-p', '{"spec":{"template":{"metadata":{"labels":{"tier":1}}}}}'])
    assert.equal(patch.code, 1)
    assert.match(patch.stderr, /json: cannot unmarshal number into Go struct field ObjectMeta\.spec\.template\.metadata\.labels of type string/)
    assert.equal(await c.ok(['get', 'deploy', 'typed', '-o', 'jsonpath={.spec.template.metadata.labels}']), '{"app":"typed"}')
  })
})
