// The real kubectl 1.32 against a tiny fixture server that serves our OpenAPI documents plus a
// minimal legacy discovery: explain must find fields, apply must send fieldValidation=Strict and
// compute its strategic merge patch from our schemas (merge keys present).
import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { ResourceType } from '../../registry/types.js'
import { openApiV3 } from './handler.js'

const resources: ResourceType[] = [
  { group: '', version: 'v1', kind: 'Pod', resource: 'pods', singular: 'pod', namespaced: true, shortNames: ['po'],
    subresources: { status: true } },
  { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', singular: 'namespace', namespaced: false },
  { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', singular: 'deployment', namespaced: true,
    shortNames: ['deploy'], subresources: { status: true, scale: { specReplicasPath: ['spec', 'replicas'],
      statusReplicasPath: ['status', 'replicas'] } } },
]

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
const resourceList = (gv: string) => ({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv,
  resources: resources.filter((r) => (r.group ? `${r.group}/${r.version}` : r.version) === gv).map((r) => ({
    name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: VERBS,
    shortNames: r.shortNames ?? [] })) })

const LAST_APPLIED = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'live', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'live' } }, template: { metadata: { labels: { app: 'live' } },
    spec: { containers: [{ name: 'web', image: 'nginx:1.26', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] } } } }
const live = { ...LAST_APPLIED, metadata: { ...LAST_APPLIED.metadata, resourceVersion: '7',
  annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(LAST_APPLIED) } } }

function kubectlPath(): string {
  const dispatcher = realpathSync(execFileSync('which', ['kubectl'], { encoding: 'utf8' }).trim())
  return join(dirname(dispatcher), 'kubectl.1.32')
}

describe('kubectl 1.32 against our OpenAPI documents', () => {
  const requests: { method: string; url: string; contentType?: string; body: string }[] = []
  const openApi = openApiV3(resources)
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      const url = new URL(req.url ?? '/', 'http://x')
      requests.push({ method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'], body })
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value))
      }
      const served = openApi(url.pathname, url.searchParams, req.headers)
      if (served) return void res.writeHead(served.status, served.headers).end(served.body)
      const port = (server.address() as AddressInfo).port
      switch (url.pathname) {
        case '/version': return json(200, { major: '1', minor: '32', gitVersion: 'v1.32.0' })
        case '/api': return json(200, { kind: 'APIVersions', versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }] })
        case '/apis': return json(200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps',
          versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }] })
        case '/api/v1': return json(200, resourceList('v1'))
        case '/apis/apps/v1': return json(200, resourceList('apps/v1'))
        case '/apis/apps/v1/namespaces/default/deployments/live':
          return json(200, live) // GET shows the live object; the PATCH answer may echo it
        case '/apis/apps/v1/namespaces/default/deployments/web':
          return json(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound',
            message: 'deployments.apps "web" not found', details: { name: 'web', group: 'apps', kind: 'deployments' }, code: 404 })
        case '/apis/apps/v1/namespaces/default/deployments':
          return json(201, JSON.parse(body))
        default:
          return json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' })
      }
    })
  })
  let home = ''
  let env: NodeJS.ProcessEnv = {}
  const kubectl = kubectlPath()
  const run = (...args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(kubectl, args, { env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }))
  })

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    home = mkdtempSync(join(tmpdir(), 'kl-openapi-kubectl-'))
    const port = (server.address() as AddressInfo).port
    writeFileSync(join(home, 'kubeconfig'), [
      'apiVersion: v1', 'kind: Config', 'current-context: t',
      'clusters: [{name: t, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
      'users: [{name: nobody, user: {}}]',
      'contexts: [{name: t, context: {cluster: t, user: nobody, namespace: default}}]', ''].join('\n'))
    env = { PATH: process.env.PATH, HOME: home, KUBECONFIG: join(home, 'kubeconfig') }
  })
  after(async () => {
    await new Promise((resolve) => server.close(resolve))
    rmSync(home, { recursive: true, force: true })
  })

  it('explain deployment.spec.strategy lists its fields', async () => {
    const out = await run('explain', 'deployment.spec.strategy')
    assert.equal(out.code, 0, out.stderr)
    assert.match(out.stdout, /KIND:\s+Deployment/)
    assert.match(out.stdout, /rollingUpdate\s+<RollingUpdateDeployment>/)
    assert.match(out.stdout, /type\s+<string>/)
  })

  it('explain pods.spec.containers.env lists its fields', async () => {
    const out = await run('explain', 'pods.spec.containers.env')
    assert.equal(out.code, 0, out.stderr)
    assert.match(out.stdout, /KIND:\s+Pod/)
    for (const field of ['name', 'value', 'valueFrom']) assert.match(out.stdout, new RegExp(`\\n\\s+${field}\\s+<`))
  })

  it('apply --dry-run=server sends fieldValidation=Strict', async () => {
    const file = join(home, 'web.yaml')
    writeFileSync(file, JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx' }] } } } }))
    const out = await run('apply', '--dry-run=server', '-f', file)
    assert.equal(out.code, 0, out.stderr)
    const post = requests.find((r) => r.method === 'POST' && r.url.startsWith('/apis/apps/v1/namespaces/default/deployments?'))
    assert.ok(post, `no POST; saw ${requests.map((r) => `${r.method} ${r.url}`).join(', ')}`)
    const query = new URL(post.url, 'http://x').searchParams
    assert.equal(query.get('fieldValidation'), 'Strict')
    assert.equal(query.get('dryRun'), 'All')
  })

  it('apply of a changed object sends a strategic merge patch computed from our schema', async () => {
    const file = join(home, 'live.yaml')
    const changed = structuredClone(LAST_APPLIED)
    changed.spec.template.spec.containers[0].env = [{ name: 'A', value: '1' }, { name: 'C', value: '3' }]
    writeFileSync(file, JSON.stringify(changed))
    const out = await run('apply', '-f', file)
    assert.equal(out.code, 0, out.stderr)
    assert.doesNotMatch(out.stderr, /openapi/i) // no "error calculating patch from openapi v3 spec"
    const patch = requests.find((r) => r.method === 'PATCH' && r.url.includes('/deployments/live'))
    assert.ok(patch, 'no PATCH sent')
    assert.equal(patch.contentType, 'application/strategic-merge-patch+json')
    assert.equal(new URL(patch.url, 'http://x').searchParams.get('fieldValidation'), 'Strict')
    const body = JSON.parse(patch.body)
    const container = body.spec.template.spec.containers[0]
    // Merge keys from our schema: containers by name, env by name, B deleted by key.
    assert.deepEqual(body.spec.template.spec['$setElementOrder/containers'], [{ name: 'web' }])
    assert.deepEqual(container['$setElementOrder/env'], [{ name: 'A' }, { name: 'C' }])
    assert.deepEqual(container.env, [{ name: 'C', value: '3' }, { $patch: 'delete', name: 'B' }])
  })
})
