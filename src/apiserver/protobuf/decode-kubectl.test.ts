/**
 * @module
 * Real bytes from the real kubectl: each generator command runs with kubectl 1.32 (which
 * sends Protobuf) and kubectl 1.31 (which sends JSON) against a recording server, and the
 * decoded Protobuf body must equal the JSON body exactly.
 */
import assert from 'node:assert/strict'
import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { decodeProtobufObject, PROTOBUF_MEDIA_TYPE } from './index.js'

type Recorded = { userAgent: string; path: string; contentType: string; body: Buffer }

const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']
const res = (name: string, kind: string, namespaced: boolean, v = verbs) =>
  ({ name, singularName: kind.toLowerCase(), namespaced, kind, verbs: v })
// Legacy discovery (kubectl-contract.md §1): one APIResourceList per group-version.
const groups: Record<string, Record<string, unknown>[]> = {
  'v1': [res('configmaps', 'ConfigMap', true), res('secrets', 'Secret', true), res('namespaces', 'Namespace', false),
    res('services', 'Service', true), res('serviceaccounts', 'ServiceAccount', true), res('pods', 'Pod', true),
    { ...res('serviceaccounts/token', 'TokenRequest', true, ['create']), singularName: '' },
    res('resourcequotas', 'ResourceQuota', true), res('nodes', 'Node', false)],
  'apps/v1': [res('deployments', 'Deployment', true), { ...res('deployments/scale', 'Scale', true,
    ['get', 'patch', 'update']), singularName: '', group: 'autoscaling', version: 'v1' }],
  'batch/v1': [res('jobs', 'Job', true), res('cronjobs', 'CronJob', true)],
  'networking.k8s.io/v1': [res('ingresses', 'Ingress', true)],
  'rbac.authorization.k8s.io/v1': [res('roles', 'Role', true), res('rolebindings', 'RoleBinding', true),
    res('clusterroles', 'ClusterRole', false), res('clusterrolebindings', 'ClusterRoleBinding', false)],
  'policy/v1': [res('poddisruptionbudgets', 'PodDisruptionBudget', true)],
  'scheduling.k8s.io/v1': [res('priorityclasses', 'PriorityClass', false)],
  'autoscaling/v1': [res('horizontalpodautoscalers', 'HorizontalPodAutoscaler', true)],
  'authentication.k8s.io/v1': [res('selfsubjectreviews', 'SelfSubjectReview', false, ['create'])],
  'authorization.k8s.io/v1': [res('selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, ['create'])],
  'certificates.k8s.io/v1': [res('certificatesigningrequests', 'CertificateSigningRequest', false),
    { ...res('certificatesigningrequests/approval', 'CertificateSigningRequest', false, ['get', 'patch', 'update']), singularName: '' }],
}
const gv = (groupVersion: string) => ({ groupVersion, version: groupVersion.split('/')[1] })
const apiGroupList = {
  kind: 'APIGroupList', apiVersion: 'v1',
  groups: Object.keys(groups).filter((g) => g !== 'v1')
    .map((g) => ({ name: g.split('/')[0], versions: [gv(g)], preferredVersion: gv(g) })),
}
// `kubectl autoscale` reads its target first.
const existingDeployment = {
  kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'web', namespace: 'default', uid: 'u1' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } },
    spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
}

// `kubectl certificate approve` reads the request, adds a condition and PUTs it to /approval.
const existingCsr = {
  kind: 'CertificateSigningRequest', apiVersion: 'certificates.k8s.io/v1',
  metadata: { name: 'csr1', uid: 'u2', resourceVersion: '7', creationTimestamp: '2024-05-06T07:08:09Z' },
  spec: { request: Buffer.from('not really a CSR').toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client',
    usages: ['client auth'], username: 'bob', groups: ['devs'], extra: { scope: ['a', 'b'] } },
}

/** What the server answers a create with: the object echoed, plus what read-back commands print. */
function reply(obj: Record<string, unknown>): Record<string, unknown> {
  const statusFor: Record<string, unknown> = {
    SelfSubjectAccessReview: { allowed: true },
    SelfSubjectReview: { userInfo: { username: 'alice', groups: ['devs'] } },
    TokenRequest: { token: 'tkn', expirationTimestamp: '2030-01-01T00:00:00Z' },
  }
  const status = statusFor[obj.kind as string]
  return status ? { ...obj, status } : obj
}

function send(res: ServerResponse, code: number, body: unknown) {
  res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body))
}

function recordingServer(posts: Recorded[]) {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname
      if (req.method === 'GET') {
        if (path === '/version') return send(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0' })
        if (path === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'] })
        if (path === '/apis') return send(res, 200, apiGroupList)
        const groupVersion = path === '/api/v1' ? 'v1' : path.replace(/^\/apis\//, '')
        if (groups[groupVersion]) {
          return send(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources: groups[groupVersion] })
        }
        if (path.endsWith('/deployments/web')) return send(res, 200, existingDeployment)
        if (path.endsWith('/certificatesigningrequests/csr1')) return send(res, 200, existingCsr)
        return send(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 })
      }
      const body = Buffer.concat(chunks)
      const contentType = req.headers['content-type'] ?? ''
      posts.push({ userAgent: req.headers['user-agent'] ?? '', path, contentType, body })
      try {
        const obj = contentType === PROTOBUF_MEDIA_TYPE ? decodeProtobufObject(body) : JSON.parse(body.toString())
        send(res, 201, reply(obj))
      } catch (err) {
        send(res, 400, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 400, message: String(err) })
      }
    })
  })
}

const kubectlDir = dirname(realpathSync(execFileSync('which', ['kubectl'], { encoding: 'utf8' }).trim()))

const commands: string[][] = [
  ['create', 'configmap', 'c', '--from-literal=a=b', '--from-literal=REDIS_HOST=10.96.0.5', '-o', 'name'],
  ['create', 'secret', 'generic', 's', '--from-literal=p=q', '-o', 'name'],
  ['create', 'secret', 'docker-registry', 'dr', '--docker-server=r.io', '--docker-username=u', '--docker-password=pw', '-o', 'name'],
  ['create', 'namespace', 'n', '-o', 'name'],
  ['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '--port=80', '-o', 'name'],
  ['create', 'deployment', 'cmd', '--image=busybox', '-o', 'name', '--', 'sleep', '3600'],
  ['create', 'service', 'clusterip', 'web', '--tcp=80:8080', '-o', 'name'],
  ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080', '-o', 'name'],
  ['create', 'job', 'j', '--image=busybox', '-o', 'name', '--', 'echo', 'hi'],
  ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '-o', 'name', '--', 'echo', 'hi'],
  ['create', 'serviceaccount', 'sa', '-o', 'name'],
  ['create', 'role', 'r', '--verb=get,list', '--resource=pods', '-o', 'name'],
  ['create', 'rolebinding', 'rb', '--role=r', '--user=alice', '-o', 'name'],
  ['create', 'clusterrole', 'cr', '--verb=get', '--resource=nodes', '-o', 'name'],
  ['create', 'clusterrolebinding', 'crb', '--clusterrole=cr', '--group=devs', '-o', 'name'],
  ['create', 'quota', 'q', '--hard=pods=10,cpu=2', '-o', 'name'],
  ['create', 'ingress', 'ing', '--rule=foo.com/bar=svc1:8080,tls=my-cert', '-o', 'name'],
  ['create', 'poddisruptionbudget', 'pdb', '--selector=app=web', '--min-available=1', '-o', 'name'],
  ['create', 'priorityclass', 'pc', '--value=1000', '--description=test', '-o', 'name'],
  ['create', 'token', 'sa', '--duration=1h'],
  ['autoscale', 'deployment', 'web', '--max=5', '--cpu-percent=80', '-o', 'name'],
  ['auth', 'can-i', 'get', 'pods'],
  ['auth', 'whoami'],
  ['certificate', 'approve', 'csr1'],
]

/** Each kubectl stamps the approval condition with its own clock: equal within 10 s is equal. */
function alignClocks(proto: any, json: any) {
  const [a, b] = [proto.status?.conditions?.[0], json.status?.conditions?.[0]]
  if (!a?.lastUpdateTime || !b?.lastUpdateTime) return
  assert.ok(Math.abs(Date.parse(a.lastUpdateTime) - Date.parse(b.lastUpdateTime)) < 10_000)
  a.lastUpdateTime = b.lastUpdateTime
}

describe('kubectl 1.32 Protobuf bodies decode to what kubectl 1.31 sends as JSON', () => {
  const posts: Recorded[] = []
  const server = recordingServer(posts)
  let home = ''

  function kubectl(version: string, args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile(join(kubectlDir, `kubectl.${version}`), [`--cache-dir=${join(home, `cache-${version}`)}`, ...args],
        { env: { HOME: home, KUBECONFIG: join(home, 'config'), PATH: process.env.PATH }, timeout: 30_000 },
        (err, _stdout, stderr) => (err
          ? reject(new Error(`kubectl.${version} ${args.join(' ')} failed: ${err.message}\n${stderr}`))
          : resolve()))
    })
  }

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'kl-protobuf-'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    writeFileSync(join(home, 'config'), [
      'apiVersion: v1', 'kind: Config', 'current-context: t',
      `clusters: [{name: t, cluster: {server: "http://127.0.0.1:${port}"}}]`,
      'users: [{name: nobody, user: {}}]',
      'contexts: [{name: t, context: {cluster: t, user: nobody, namespace: default}}]', '',
    ].join('\n'))
  })
  after(async () => {
    server.closeAllConnections() // kubectl's keep-alive sockets would hold close() open
    await new Promise((resolve) => server.close(resolve))
    rmSync(home, { recursive: true, force: true })
  })

  for (const args of commands) {
    it(args.join(' '), async () => {
      posts.length = 0
      await Promise.all([kubectl('1.32', args), kubectl('1.31', args)])
      const from = (v: string) => {
        const found = posts.filter((p) => p.userAgent.includes(`/v${v}.`)) // kubectl.1.32/v1.32.5 (linux/amd64) ...
        assert.equal(found.length, 1, `one write from kubectl ${v}, got ${JSON.stringify(posts.map((p) => p.userAgent))}`)
        return found[0]
      }
      const proto = from('1.32')
      const json = from('1.31')
      assert.equal(proto.contentType, PROTOBUF_MEDIA_TYPE)
      assert.equal(json.contentType, 'application/json')
      assert.equal(proto.path, json.path)
      const [decoded, sent] = [decodeProtobufObject(proto.body), JSON.parse(json.body.toString())]
      alignClocks(decoded, sent)
      assert.deepEqual(decoded, sent)
    })
  }
})
