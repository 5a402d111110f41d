/**
 * Older and newer kubectl against the same server: kubectl 1.27 (aggregated discovery
 * v2beta1 only, OpenAPI v2 Protobuf only, hence --validate=false) and kubectl 1.33 (Protobuf
 * bodies for generator creates) each apply a directory, read Tables, create, patch, delete.
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startCluster, type Cluster } from './harness.js'

const manifests = {
  'configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n  LOG_LEVEL: info\n  PORT: "8080"\n',
  'deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  labels: {app: app}\nspec:\n  replicas: 2\n' +
    '  selector:\n    matchLabels: {app: app}\n  template:\n    metadata:\n      labels: {app: app}\n    spec:\n      containers:\n' +
    '      - name: app\n        image: nginx:1.27\n        ports:\n        - containerPort: 8080\n        envFrom:\n        - configMapRef: {name: app-config}\n',
  'service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: app\nspec:\n  selector: {app: app}\n  ports:\n  - port: 80\n    targetPort: 8080\n',
}

const lines = (s: string) => s.split('\n').filter(Boolean)

describe('kubectl versions', () => {
  let c: Cluster
  before(async () => { c = await startCluster() })
  after(() => c?.stop())

  for (const { version, flags } of [{ version: '1.27', flags: ['--validate=false'] }, { version: '1.33', flags: [] as string[] }]) {
    describe(`kubectl ${version}`, () => {
      const ns = `v${version.replace('.', '-')}`
      const k = (args: string[]) => c.kubectl([...args, '-n', ns], { version })
      const ok = (args: string[]) => c.ok([...args, '-n', ns], { version })

      it('apply -f DIR creates, then reports unchanged', async () => {
        assert.equal(await c.ok(['create', 'namespace', ns], { version }), `namespace/${ns} created\n`)
        const dir = join(dirname(c.file(`${ns}-marker`, '')), `${ns}-manifests`)
        mkdirSync(dir)
        for (const [name, body] of Object.entries(manifests)) writeFileSync(join(dir, name), body)
        assert.deepEqual(lines(await ok(['apply', '-f', dir, ...flags])), ['configmap/app-config created', 'deployment.apps/app created', 'service/app created'])
        assert.deepEqual(lines(await ok(['apply', '-f', dir, ...flags])), ['configmap/app-config unchanged', 'deployment.apps/app unchanged', 'service/app unchanged'])
        const applied = await ok(['get', 'deploy', 'app', '-o', "jsonpath={.metadata.annotations['kubectl\\.kubernetes\\.io/last-applied-configuration']}"])
        assert.equal((JSON.parse(applied) as { spec: { replicas: number } }).spec.replicas, 2)
      })

      it('get prints the server-side Table columns', async () => {
        const d = lines(await ok(['get', 'deploy', 'app']))
        assert.match(d[0]!, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/)
        assert.match(d[1]!, /^app\s+\d\/2\s+\d\s+\d\s+\d+s$/)
        const s = lines(await ok(['get', 'svc', 'app']))
        assert.match(s[0]!, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/)
        assert.match(s[1]!, /^app\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s$/)
        const m = lines(await ok(['get', 'cm', 'app-config']))
        assert.match(m[0]!, /^NAME\s+DATA\s+AGE$/)
        assert.match(m[1]!, /^app-config\s+2\s+\d+s$/)
        const wide = lines(await ok(['get', 'deploy', 'app', '-o', 'wide']))
        assert.match(wide[0]!, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/)
        assert.match(wide[1]!, /\sapp\s+nginx:1\.27\s+app=app$/)
      })

      it('create configmap, patch it, delete it', async () => {
        assert.equal(await ok(['create', 'configmap', 'extra', '--from-literal=a=1', '--from-literal=b=2']), 'configmap/extra created\n')
        assert.equal(await ok(['get', 'cm', 'extra', '-o', 'jsonpath={.data}']), '{"a":"1","b":"2"}')
        assert.equal(await ok(['patch', 'cm', 'extra', '-p', '{"data":{"a":"10"}}']), 'configmap/extra patched\n')
        assert.equal(await ok(['patch', 'deploy', 'app', '--type=merge', '-p', '{"spec":{"replicas":3}}']), 'deployment.apps/app patched\n')
        assert.equal(await ok(['get', 'cm', 'extra', '-o', 'jsonpath={.data.a}']), '10')
        assert.equal(await ok(['get', 'deploy', 'app', '-o', 'jsonpath={.spec.replicas}']), '3')
        assert.match(await ok(['delete', 'cm', 'extra']), new RegExp(`^configmap "extra" deleted( from ${ns} namespace)?\\n$`))
        const r = await k(['get', 'cm', 'extra'])
        assert.equal(r.code, 1)
        assert.equal(r.stderr.trim(), 'Error from server (NotFound): configmaps "extra" not found')
        assert.deepEqual(lines(await ok(['delete', '-f', join(dirname(c.file(`${ns}-marker`, '')), `${ns}-manifests`)])).map((l) => l.replace(/ from \S+ namespace$/, '')).sort(),
          ['configmap "app-config" deleted', 'deployment.apps "app" deleted', 'service "app" deleted'])
      })
    })
  }
})

describe('kubectl versions and the control loops', () => {
  let c: Cluster
  before(async () => { c = await startCluster({ datastore: 'memory', extraArgs: ['--sim-nodes', '2'] }) })
  after(() => c?.stop())

  for (const version of ['1.27', '1.33']) {
    it(`kubectl ${version}: rollout status, history, undo and top`, async () => {
      const ns = `loops-${version.replace('.', '-')}`
      const ok = (args: string[]) => c.ok([...args, '-n', ns], { version })
      await c.ok(['create', 'namespace', ns], { version })
      await ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=2'])
      assert.match(await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']), /deployment "web" successfully rolled out/)
      await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.27'])
      await ok(['rollout', 'status', 'deployment/web', '--timeout=60s'])
      assert.match(await ok(['rollout', 'history', 'deployment/web']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/)
      assert.match(await ok(['rollout', 'undo', 'deployment/web']), /deployment.apps\/web rolled back/)
      await ok(['rollout', 'status', 'deployment/web', '--timeout=60s'])
      assert.equal(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx')
      assert.match(await ok(['top', 'pods']), /NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\nweb-/)
    })
  }
})
