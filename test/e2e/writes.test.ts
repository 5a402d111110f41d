/**
 * kubectl's write commands (create, replace, patch, label, annotate, scale, set image, edit)
 * with the default kubectl, which is 1.32 and so sends Protobuf bodies for generator creates.
 */
import assert from 'node:assert/strict'
import { chmodSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { parse } from 'yaml'
import { startCluster, type Cluster } from './harness.js'

type Meta = { name: string; namespace?: string; uid: string; resourceVersion: string; generation?: number; labels?: Record<string, string>; annotations?: Record<string, string> }
/** kubectl's JSON output: metadata typed, the rest read loosely (the assertions check it). */
type Obj = { metadata: Meta } & Record<string, any>

describe('kubectl writes', () => {
  let c: Cluster
  const getJson = async (...args: string[]): Promise<Obj> => JSON.parse(await c.ok(['get', ...args, '-o', 'json'])) as Obj
  before(async () => { c = await startCluster() })
  after(() => c?.stop())

  it('create configmap stores the data (Protobuf body)', async () => {
    assert.equal(await c.ok(['create', 'configmap', 'backend', '--from-literal=REDIS_HOST=10.96.0.5']), 'configmap/backend created\n')
    const cm = await getJson('cm', 'backend')
    assert.deepEqual(cm.data, { REDIS_HOST: '10.96.0.5' })
    assert.equal(cm.metadata.namespace, 'default')
    assert.match(cm.metadata.uid, /^[0-9a-f-]{36}$/)
  })

  it('create secret generic stores base64 data with type Opaque', async () => {
    assert.equal(await c.ok(['create', 'secret', 'generic', 'creds', '--from-literal=password=hunter2']), 'secret/creds created\n')
    const s = await getJson('secret', 'creds')
    assert.equal(s.type, 'Opaque')
    assert.deepEqual(s.data, { password: Buffer.from('hunter2').toString('base64') })
  })

  it('create deployment stores upstream defaults field for field', async () => {
    assert.equal(await c.ok(['create', 'deployment', 'web', '--image=nginx']), 'deployment.apps/web created\n')
    const d = parse(await c.ok(['get', 'deploy', 'web', '-o', 'yaml'])) as Obj
    assert.equal(d.apiVersion, 'apps/v1')
    assert.equal(d.kind, 'Deployment')
    assert.equal(d.metadata.generation, 1)
    assert.deepEqual(d.metadata.labels, { app: 'web' })
    const { template, ...rest } = d.spec
    assert.deepEqual(rest, {
      progressDeadlineSeconds: 600, replicas: 1, revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'web' } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
    })
    assert.deepEqual(template.metadata.labels, { app: 'web' })
    assert.deepEqual(template.spec, {
      containers: [{
        image: 'nginx', imagePullPolicy: 'Always', name: 'nginx', resources: {},
        terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
      }],
      dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler',
      securityContext: {}, terminationGracePeriodSeconds: 30,
    })
  })

  it('create service clusterip names the port and selects app=<name>', async () => {
    assert.equal(await c.ok(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']), 'service/web created\n')
    const s = await getJson('svc', 'web')
    assert.equal(s.spec.type, 'ClusterIP')
    assert.deepEqual(s.spec.selector, { app: 'web' })
    assert.deepEqual(s.spec.ports, [{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }])
    assert.match(s.spec.clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/)
  })

  it('create -f, then replace -f with the current and with a stale resourceVersion', async () => {
    const f = c.file('settings.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: a\n')
    assert.equal(await c.ok(['create', '-f', f]), 'configmap/settings created\n')
    const v1 = await getJson('cm', 'settings')
    // Without a resourceVersion in the file kubectl fills in the current one.
    const f2 = c.file('settings-2.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: b\n')
    assert.equal(await c.ok(['replace', '-f', f2]), 'configmap/settings replaced\n')
    const v2 = await getJson('cm', 'settings')
    assert.deepEqual(v2.data, { mode: 'b' })
    assert.ok(Number(v2.metadata.resourceVersion) > Number(v1.metadata.resourceVersion))
    // With the current resourceVersion written in the file it works too.
    const f3 = c.file('settings-3.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  resourceVersion: "${v2.metadata.resourceVersion}"\ndata:\n  mode: c\n`)
    assert.equal(await c.ok(['replace', '-f', f3]), 'configmap/settings replaced\n')
    assert.deepEqual((await getJson('cm', 'settings')).data, { mode: 'c' })
    // v1's resourceVersion is stale now.
    const stale = c.file('settings-stale.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  resourceVersion: "${v1.metadata.resourceVersion}"\ndata:\n  mode: d\n`)
    const r = await c.kubectl(['replace', '-f', stale])
    assert.equal(r.code, 1)
    assert.equal(r.stderr.trim(), `Error from server (Conflict): error when replacing "${stale}": Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again`)
    assert.deepEqual((await getJson('cm', 'settings')).data, { mode: 'c' })
  })

  it('patch: strategic (default) merges containers by name', async () => {
    const p = '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","env":[{"name":"A","value":"1"}]}]}}}}'
    assert.equal(await c.ok(['patch', 'deploy', 'web', '-p', p]), 'deployment.apps/web patched\n')
    const d = await getJson('deploy', 'web')
    assert.equal(d.spec.template.spec.containers.length, 1)
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx')
    assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }])
    assert.equal(d.metadata.generation, 2)
    assert.equal(await c.ok(['patch', 'deploy', 'web', '-p', p]), 'deployment.apps/web patched (no change)\n')
  })

  it('patch --type=merge and --type=json', async () => {
    assert.equal(await c.ok(['patch', 'cm', 'backend', '--type=merge', '-p', '{"data":{"X":"1","Y":"2"}}']), 'configmap/backend patched\n')
    assert.deepEqual((await getJson('cm', 'backend')).data, { REDIS_HOST: '10.96.0.5', X: '1', Y: '2' })
    assert.equal(await c.ok(['patch', 'cm', 'backend', '--type=merge', '-p', '{"data":{"Y":null}}']), 'configmap/backend patched\n')
    assert.deepEqual((await getJson('cm', 'backend')).data, { REDIS_HOST: '10.96.0.5', X: '1' })
    const ops = '[{"op":"remove","path":"/data/X"},{"op":"add","path":"/data/Z","value":"3"}]'
    assert.equal(await c.ok(['patch', 'cm', 'backend', '--type=json', '-p', ops]), 'configmap/backend patched\n')
    assert.deepEqual((await getJson('cm', 'backend')).data, { REDIS_HOST: '10.96.0.5', Z: '3' })
    const bad = await c.kubectl(['patch', 'cm', 'backend', '--type=json', '-p', '[{"op":"test","path":"/data/Z","value":"4"}]'])
    assert.equal(bad.code, 1)
    assert.deepEqual((await getJson('cm', 'backend')).data, { REDIS_HOST: '10.96.0.5', Z: '3' })
  })

  it('label and annotate, including removal with key-', async () => {
    assert.equal(await c.ok(['label', 'cm', 'backend', 'tier=cache', 'env=prod']), 'configmap/backend labeled\n')
    assert.deepEqual((await getJson('cm', 'backend')).metadata.labels, { tier: 'cache', env: 'prod' })
    const clash = await c.kubectl(['label', 'cm', 'backend', 'tier=db'])
    assert.equal(clash.code, 1)
    assert.equal(clash.stderr.trim(), "error: 'tier' already has a value (cache), and --overwrite is false")
    assert.equal(await c.ok(['label', 'cm', 'backend', 'tier-']), 'configmap/backend unlabeled\n')
    assert.deepEqual((await getJson('cm', 'backend')).metadata.labels, { env: 'prod' })
    assert.equal(await c.ok(['annotate', 'cm', 'backend', 'note=hello world']), 'configmap/backend annotated\n')
    assert.equal((await getJson('cm', 'backend')).metadata.annotations?.note, 'hello world')
    assert.equal(await c.ok(['annotate', 'cm', 'backend', 'note-']), 'configmap/backend annotated\n')
    assert.equal((await getJson('cm', 'backend')).metadata.annotations?.note, undefined)
  })

  it('scale sets spec.replicas; --current-replicas guards it', async () => {
    assert.equal(await c.ok(['scale', 'deploy', 'web', '--replicas=4']), 'deployment.apps/web scaled\n')
    assert.equal((await getJson('deploy', 'web')).spec.replicas, 4)
    const scale = JSON.parse(await c.ok(['get', '--raw', '/apis/apps/v1/namespaces/default/deployments/web/scale'])) as Obj
    assert.equal(scale.kind, 'Scale')
    assert.equal(scale.apiVersion, 'autoscaling/v1')
    assert.equal(scale.spec.replicas, 4)
    const wrong = await c.kubectl(['scale', 'deploy', 'web', '--current-replicas=2', '--replicas=5'])
    assert.equal(wrong.code, 1)
    assert.equal(wrong.stderr.trim(), 'error: Expected replicas to be 2, was 4')
    assert.equal((await getJson('deploy', 'web')).spec.replicas, 4)
    assert.equal(await c.ok(['scale', 'deploy', 'web', '--current-replicas=4', '--replicas=3']), 'deployment.apps/web scaled\n')
    assert.equal((await getJson('deploy', 'web')).spec.replicas, 3)
  })

  it('set image changes only the named container', async () => {
    assert.equal(await c.ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.27']), 'deployment.apps/web image updated\n')
    const d = await getJson('deploy', 'web')
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.27')
    assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }])
    const bad = await c.kubectl(['set', 'image', 'deployment/web', 'nope=busybox'])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /error: unable to find container named "nope"/)
  })

  it('edit with a scripted editor', async () => {
    const editor = c.file('editor.sh', '#!/bin/sh\nsed -i "s/REDIS_HOST: 10.96.0.5/REDIS_HOST: 10.96.0.6/" "$1"\n')
    chmodSync(editor, 0o755)
    assert.equal(await c.ok(['edit', 'cm', 'backend'], { env: { KUBE_EDITOR: editor } }), 'configmap/backend edited\n')
    assert.equal((await getJson('cm', 'backend')).data.REDIS_HOST, '10.96.0.6')
    const noop = c.file('noop.sh', '#!/bin/sh\ntrue\n')
    chmodSync(noop, 0o755)
    const r = await c.kubectl(['edit', 'cm', 'backend'], { env: { KUBE_EDITOR: noop } })
    assert.equal(r.code, 0)
    assert.equal(r.stderr.trim(), 'Edit cancelled, no changes made.')
  })
})
