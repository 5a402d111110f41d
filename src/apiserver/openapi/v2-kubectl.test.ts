// The real kubectl against a real kubelite server, for what only the /openapi/v2 protobuf
// document makes work: client-side validation of `kind: List` files (1.32 falls back to it),
// default validation on 1.27/1.28 (v2 only), and `explain --output=plaintext-openapiv2`.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { startCluster, type Cluster } from '../../../test/e2e/harness.js'

const deployment = (name: string, spec: Record<string, unknown> = { replicas: 2 }) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { ...spec, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } },
    spec: { containers: [{ name: 'web', image: 'nginx:1.26', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] } } },
})
const list = (...items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items })
const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' } })

describe('kubectl and the /openapi/v2 protobuf document', () => {
  let cluster: Cluster
  before(async () => { cluster = await startCluster({ datastore: 'memory' }) })
  after(() => cluster?.stop())

  it('1.32 create -f of a v1 List validates client-side and creates every item', async () => {
    const file = cluster.file('list.json', list(configMap('cm1'), deployment('web')))
    const out = await cluster.kubectl(['create', '-f', file], { version: '1.32' })
    assert.equal(out.code, 0, out.stderr)
    assert.match(out.stdout, /configmap\/cm1 created/)
    assert.match(out.stdout, /deployment\.apps\/web created/)
  })

  it('1.32 rejects a List item with an unknown field before sending anything', async () => {
    const file = cluster.file('bad.json', list(configMap('cm2'), deployment('web2', { replicasx: 2 })))
    const out = await cluster.kubectl(['create', '-f', file], { version: '1.32' })
    assert.notEqual(out.code, 0)
    assert.match(out.stderr, /error validating data: ValidationError\(Deployment\.spec\): unknown field "replicasx" in io\.k8s\.api\.apps\.v1\.DeploymentSpec/)
    const cm = await cluster.kubectl(['get', 'configmap', 'cm2'], { version: '1.32' })
    assert.match(cm.stderr, /NotFound/, 'client-side validation runs before any item is created')
  })

  for (const version of ['1.27', '1.28']) {
    it(`${version} apply works with default validation and patches by our merge keys`, async () => {
      const name = `web-${version.replace('.', '')}`
      const first = await cluster.kubectl(['apply', '-f', cluster.file(`${name}.json`, JSON.stringify(deployment(name)))], { version })
      assert.equal(first.code, 0, first.stderr)
      assert.match(first.stdout, new RegExp(`deployment.apps/${name} created`))
      const changed = deployment(name)
      changed.spec.template.spec.containers[0]!.env = [{ name: 'A', value: '1' }, { name: 'C', value: '3' }]
      const second = await cluster.kubectl(['apply', '-f', cluster.file(`${name}-2.json`, JSON.stringify(changed))], { version })
      assert.equal(second.code, 0, second.stderr)
      const env = await cluster.ok(['get', 'deployment', name, '-o', 'jsonpath={.spec.template.spec.containers[0].env}'], { version })
      assert.deepEqual(JSON.parse(env), [{ name: 'A', value: '1' }, { name: 'C', value: '3' }])
    })
  }

  it('1.32 explain --output=plaintext-openapiv2 lists the fields', async () => {
    const out = await cluster.kubectl(['explain', 'deployment.spec', '--output=plaintext-openapiv2'], { version: '1.32' })
    assert.equal(out.code, 0, out.stderr)
    assert.match(out.stdout, /KIND:\s+Deployment\nVERSION:\s+apps\/v1/)
    assert.match(out.stdout, /RESOURCE: spec <Object>/)
    assert.match(out.stdout, /\n\s+replicas\t<integer>\n/)
    assert.match(out.stdout, /\n\s+template\t<Object> -required-\n/)
  })
})
