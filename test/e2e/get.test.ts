/**
 * `kubectl get` in all its forms: upstream's Table columns per kind, output formats,
 * selectors, sorting, chunking and watching. The objects are fixtures with statuses the test
 * sets, so no controllers or scheduler run here to change them.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { kubectlDir, startCluster, type Cluster } from './harness.js'
import { join } from 'node:path'

const headers = (out: string) => out.split('\n')[0]!.trim().split(/\s{2,}/)

const objects = [
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', labels: { app: 'web', tier: 'a' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p2', labels: { app: 'db', tier: 'b' } }, spec: { containers: [{ name: 'c', image: 'redis' }] } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p3', labels: { app: 'web', tier: 'c', canary: 'one' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } } },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs' }, spec: { selector: { matchLabels: { app: 'rs' } }, template: { metadata: { labels: { app: 'rs' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { serviceName: 'db', selector: { matchLabels: { app: 'sts' } }, template: { metadata: { labels: { app: 'sts' } }, spec: { containers: [{ name: 'c', image: 'postgres' }] } } } },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'ds' } }, template: { metadata: { labels: { app: 'ds' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' }, spec: { rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf' }, data: { a: '1', b: '2' } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, stringData: { password: 'x' } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'node-role.kubernetes.io/control-plane': '' } } },
  { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
  { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly' }, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } } } },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
  { apiVersion: 'v1', kind: 'Event', metadata: { name: 'p1.1' }, involvedObject: { kind: 'Pod', name: 'p1', namespace: 'default' }, reason: 'Scheduled', message: 'Successfully assigned default/p1 to node-1', type: 'Normal', firstTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), count: 1, source: { component: 'default-scheduler' } },
]

describe('kubectl get', () => {
  let c: Cluster
  before(async () => {
    c = await startCluster({ extraArgs: ['--disable-controller-manager', '--disable-scheduler'] })
    await c.ok(['create', '-f', c.file('objects.yaml', objects.map((o) => stringify(o)).join('---\n'))])
    await c.ok(['create', 'namespace', 'other'])
    await c.ok(['create', 'configmap', 'elsewhere', '-n', 'other', '--from-literal=x=y'])
  })
  after(() => c?.stop())

  it('prints upstream columns for every common kind', async () => {
    const want: Record<string, string[]> = {
      pods: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
      deployments: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
      replicasets: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
      statefulsets: ['NAME', 'READY', 'AGE'],
      daemonsets: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
      services: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
      ingresses: ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
      configmaps: ['NAME', 'DATA', 'AGE'],
      secrets: ['NAME', 'TYPE', 'DATA', 'AGE'],
      nodes: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
      jobs: ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'],
      cronjobs: ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'],
      pvc: ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'],
      events: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
    }
    for (const [kind, cols] of Object.entries(want)) assert.deepEqual(headers(await c.ok(['get', kind])), cols, kind)
    assert.deepEqual(headers(await c.ok(['get', 'pods', '-o', 'wide'])), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'])
    assert.deepEqual(headers(await c.ok(['get', 'deploy', '-o', 'wide'])), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'])
    assert.deepEqual(headers(await c.ok(['get', 'svc', '-o', 'wide'])), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR'])
  })

  it('fills cells as upstream formats them', async () => {
    assert.match(await c.ok(['get', 'pod', 'p1']), /^p1\s+0\/1\s+Pending\s+0\s+\d+s$/m)
    assert.match(await c.ok(['get', 'deploy', 'web', '-o', 'wide']), /^web\s+0\/1\s+0\s+0\s+\d+s\s+nginx\s+nginx:1\.27\s+app=web$/m)
    assert.match(await c.ok(['get', 'svc', 'web']), /^web\s+NodePort\s+10\.\d+\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP\s+\d+s$/m)
    assert.match(await c.ok(['get', 'cm', 'conf']), /^conf\s+2\s+\d+s$/m)
    assert.match(await c.ok(['get', 'secret', 'sec']), /^sec\s+Opaque\s+1\s+\d+s$/m)
    assert.match(await c.ok(['get', 'node', 'node-1']), /^node-1\s+Unknown\s+control-plane\s+\d+s\s*$/m)
    assert.match(await c.ok(['get', 'ingress', 'web']), /^web\s+<none>\s+web\.example\.com\s+80\s+\d+s$/m)
    assert.match(await c.ok(['get', 'cronjob', 'nightly']), /^nightly\s+0 3 \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\d+s$/m)
    assert.match(await c.ok(['get', 'events']), /^\d+s\s+Normal\s+Scheduled\s+pod\/p1\s+Successfully assigned default\/p1 to node-1$/m)
  })

  it('-A adds the namespace; -o name, json, yaml, jsonpath and custom-columns', async () => {
    assert.match(await c.ok(['get', 'cm', '-A']), /^other\s+elsewhere\s+1\s+\d+s$/m)
    assert.deepEqual((await c.ok(['get', 'pods', '-o', 'name'])).trim().split('\n'), ['pod/p1', 'pod/p2', 'pod/p3'])
    const list = JSON.parse(await c.ok(['get', 'pods', '-o', 'json']))
    assert.equal(list.kind, 'List')
    assert.equal(list.items.length, 3)
    assert.equal(list.items[0].kind, 'Pod')
    assert.match(await c.ok(['get', 'cm', 'conf', '-o', 'yaml']), /^kind: ConfigMap$/m)
    assert.equal(await c.ok(['get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}']), 'p1 p2 p3')
    const cc = await c.ok(['get', 'pods', '-o', 'custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image'])
    assert.match(cc, /^NAME\s+IMAGE\np1\s+nginx\np2\s+redis\np3\s+nginx\n$/)
  })

  it('--show-labels, -L, and label and field selectors', async () => {
    assert.match(await c.ok(['get', 'pod', 'p1', '--show-labels']), /^p1\s+.*\s+app=web,tier=a$/m)
    assert.match(await c.ok(['get', 'pods', '-L', 'tier']), /^p2\s+0\/1\s+Pending\s+0\s+\d+s\s+b$/m)
    const names = async (args: string[]) => (await c.ok(['get', 'pods', '-o', 'name', ...args])).trim().split('\n').filter(Boolean)
    assert.deepEqual(await names(['-l', 'app=web']), ['pod/p1', 'pod/p3'])
    assert.deepEqual(await names(['-l', 'app!=web']), ['pod/p2'])
    assert.deepEqual(await names(['-l', 'tier in (a,b)']), ['pod/p1', 'pod/p2'])
    assert.deepEqual(await names(['-l', 'tier notin (a,b)']), ['pod/p3'])
    assert.deepEqual(await names(['-l', 'canary']), ['pod/p3'])
    assert.deepEqual(await names(['-l', '!canary,app=web']), ['pod/p1'])
    assert.deepEqual(await names(['--field-selector', 'metadata.name=p2']), ['pod/p2'])
    assert.deepEqual(await names(['--field-selector', 'status.phase=Pending,metadata.name!=p1']), ['pod/p2', 'pod/p3'])
    const bad = await c.kubectl(['get', 'pods', '--field-selector', 'spec.bogus=x'])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /field label not supported: spec\.bogus/)
  })

  it('--sort-by and --chunk-size', async () => {
    const sorted = await c.ok(['get', 'pods', '--sort-by=.spec.containers[0].image', '-o', 'custom-columns=NAME:.metadata.name', '--no-headers'])
    assert.deepEqual(sorted.trim().split('\n'), ['p1', 'p3', 'p2'])
    const chunked = await c.ok(['get', 'pods', '--chunk-size=1', '-o', 'name'])
    assert.deepEqual(chunked.trim().split('\n'), ['pod/p1', 'pod/p2', 'pod/p3'])
    const table = await c.ok(['get', 'pods', '--chunk-size=1'])
    assert.equal(table.trim().split('\n').length, 4) // one header, three rows
  })

  it('-w prints later changes', async () => {
    const p = spawn(join(kubectlDir(), 'kubectl.1.32'), ['get', 'configmaps', '-w', '--output-watch-events'], { env: { ...process.env, HOME: c.home, KUBECONFIG: c.kubeconfig } })
    let out = ''
    p.stdout.on('data', (d) => (out += d))
    try {
      await until(() => /conf/.test(out))
      await c.ok(['create', 'configmap', 'watched', '--from-literal=k=v'])
      await until(() => /ADDED\s+watched/.test(out))
      await c.ok(['label', 'configmap', 'watched', 'x=y'])
      await until(() => /MODIFIED\s+watched/.test(out))
      await c.ok(['delete', 'configmap', 'watched'])
      await until(() => /DELETED\s+watched/.test(out))
    } finally {
      p.kill()
    }
  })
})

async function until(cond: () => boolean, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
}
