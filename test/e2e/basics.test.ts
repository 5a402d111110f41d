/**
 * kubectl's everyday read-only commands and upstream's error wording, against a fresh server.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { get, request } from 'node:https'
import { after, before, describe, it } from 'node:test'
import { parse, stringify } from 'yaml'
import { startCluster, type Cluster } from './harness.js'

describe('kubectl basics', () => {
  let c: Cluster
  before(async () => { c = await startCluster() })
  after(() => c?.stop())

  it('version reports the server as Kubernetes 1.32', async () => {
    const out = await c.ok(['version'])
    assert.match(out, /Server Version: v1\.32\.4\+kubelite/)
    const json = JSON.parse(await c.ok(['version', '-o', 'json']))
    assert.equal(json.serverVersion.major, '1')
    assert.equal(json.serverVersion.minor, '32')
  })

  it('api-resources lists every built-in kind with short names and scope', async () => {
    const out = await c.ok(['api-resources'])
    const lines = out.split('\n')
    assert.match(lines[0]!, /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/)
    for (const re of [
      /^pods\s+po\s+v1\s+true\s+Pod$/, /^services\s+svc\s+v1\s+true\s+Service$/, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/,
      /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/, /^cronjobs\s+cj\s+batch\/v1\s+true\s+CronJob$/,
      /^horizontalpodautoscalers\s+hpa\s+autoscaling\/v2\s+true\s+HorizontalPodAutoscaler$/,
      /^ingresses\s+ing\s+networking\.k8s\.io\/v1\s+true\s+Ingress$/, /^priorityclasses\s+pc\s+scheduling\.k8s\.io\/v1\s+false\s+PriorityClass$/,
      /^clusterroles\s+rbac\.authorization\.k8s\.io\/v1\s+false\s+ClusterRole$/, /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/,
    ]) assert.ok(lines.some((l) => re.test(l.trim())), `no line matches ${re}\n${out}`)
    const wide = await c.ok(['api-resources', '-o', 'wide'])
    assert.match(wide, /^pods\s+po\s+v1\s+true\s+Pod\s+create,delete,deletecollection,get,list,patch,update,watch\s+all$/m)
  })

  it('api-versions lists every group-version', async () => {
    const out = (await c.ok(['api-versions'])).split('\n')
    for (const gv of ['v1', 'apps/v1', 'batch/v1', 'autoscaling/v1', 'autoscaling/v2', 'networking.k8s.io/v1', 'rbac.authorization.k8s.io/v1', 'policy/v1']) {
      assert.ok(out.includes(gv), `missing ${gv}`)
    }
  })

  it('cluster-info names the control plane and CoreDNS', async () => {
    const out = await c.ok(['cluster-info'])
    assert.match(out, new RegExp(`Kubernetes control plane.* is running at .*${c.url.replace(/[.]/g, '\\.')}`))
    assert.match(out, /CoreDNS.* is running at .*\/api\/v1\/namespaces\/kube-system\/services\/kube-dns:dns\/proxy/)
  })

  it('get all shows the kubernetes Service at the first Service IP', async () => {
    const out = await c.ok(['get', 'all'])
    assert.match(out, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/m)
    assert.match(out, /^service\/kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+\d+s$/m)
    const ns = await c.ok(['get', 'ns', '-o', 'name'])
    assert.deepEqual(ns.trim().split('\n').sort(), ['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system'])
    const dns = await c.ok(['get', 'svc', '-n', 'kube-system', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}'])
    assert.equal(dns, '10.96.0.10')
  })

  it('NotFound and AlreadyExists read as upstream', async () => {
    const nf = await c.kubectl(['get', 'pod', 'nope'])
    assert.equal(nf.code, 1)
    assert.equal(nf.stderr.trim(), 'Error from server (NotFound): pods "nope" not found')
    const nfg = await c.kubectl(['get', 'deploy', 'nope'])
    assert.equal(nfg.stderr.trim(), 'Error from server (NotFound): deployments.apps "nope" not found')
    const f = c.file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n')
    await c.ok(['create', '-f', f])
    const ae = await c.kubectl(['create', '-f', f])
    assert.equal(ae.code, 1)
    assert.equal(ae.stderr.trim(), `Error from server (AlreadyExists): error when creating "${f}": configmaps "cfg" already exists`)
  })

  it('Invalid objects are refused with upstream field errors', async () => {
    const pod = c.file('bad-pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers: []\n')
    const r1 = await c.kubectl(['create', '-f', pod])
    assert.equal(r1.code, 1)
    assert.match(r1.stderr, /The Pod "bad" is invalid: spec\.containers: Required value/)
    const r2 = await c.kubectl(['create', 'configmap', 'Bad_Name', '--from-literal=a=b'])
    assert.equal(r2.code, 1)
    assert.match(r2.stderr, /ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/)
    const dep = c.file('bad-deploy.yaml', stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    }))
    const r3 = await c.kubectl(['create', '-f', dep])
    assert.equal(r3.code, 1)
    assert.match(r3.stderr, /The Deployment "web" is invalid: spec\.template\.metadata\.labels: Invalid value: map\[string\]string\{"app":"other"\}: `selector` does not match template `labels`/)
    const frozen = c.file('frozen.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: frozen\nimmutable: true\ndata:\n  a: "1"\n')
    await c.ok(['create', '-f', frozen])
    const r4 = await c.kubectl(['patch', 'configmap', 'frozen', '--type=merge', '-p', '{"data":{"a":"2"}}'])
    assert.equal(r4.code, 1)
    assert.match(r4.stderr, /The ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set/)
  })

  it('refuses requests without credentials with 401', async () => {
    const cfg = parse(readFileSync(c.kubeconfig, 'utf8'))
    cfg.users[0].user = { token: 'not-a-real-token' }
    const bad = c.file('bad-kubeconfig.yaml', stringify(cfg))
    // With discovery cached, kubectl prints the Status message; with a cold cache its discovery
    // client fails first and words the same 401 as real clusters do for bad tokens.
    await c.ok(['get', 'pods'])
    const r = await c.kubectl(['get', 'pods', '--kubeconfig', bad], { version: '1.32' })
    assert.equal(r.code, 1)
    assert.equal(r.stderr.trim(), 'error: You must be logged in to the server (Unauthorized)')
    const cold = await c.kubectl(['get', 'pods', '--kubeconfig', bad], { env: { HOME: c.home + '-cold' } })
    assert.equal(cold.code, 1)
    assert.match(cold.stderr, /error: You must be logged in to the server \(the server has asked for the client to provide credentials\)/)
    // No credentials at all (kubectl would prompt for a password, so ask directly).
    const ca = Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64')
    const anon = await rawGet(c.url + '/api/v1/namespaces', ca)
    assert.equal(anon.status, 401)
    assert.deepEqual(JSON.parse(anon.body), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 })
    // Health and version stay public.
    assert.deepEqual(await rawGet(c.url + '/readyz', ca), { status: 200, body: 'ok' })
    assert.equal(JSON.parse((await rawGet(c.url + '/version', ca)).body).minor, '32')
  })

  it('refuses bodies over 3 MiB with 413, malformed JSON and wrong kinds with 400, and keeps serving', async () => {
    const big = c.file('big.json', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(3.5 * 1024 * 1024) } }))
    const r1 = await c.kubectl(['create', '--raw', '/api/v1/namespaces/default/configmaps', '-f', big])
    assert.equal(r1.code, 1)
    assert.match(r1.stderr, /RequestEntityTooLarge|Request entity too large: limit is 3145728/)
    const bad = c.file('bad.json', '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {')
    const r2 = await c.kubectl(['create', '--raw', '/api/v1/namespaces/default/configmaps', '-f', bad])
    assert.equal(r2.code, 1)
    assert.match(r2.stderr, /BadRequest/)
    const wrong = c.file('wrong.json', JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }))
    const r3 = await c.kubectl(['create', '--raw', '/api/v1/namespaces/default/configmaps', '-f', wrong])
    assert.equal(r3.code, 1)
    assert.match(r3.stderr, /BadRequest/)
    const ca = Buffer.from(parse(readFileSync(c.kubeconfig, 'utf8')).clusters[0].cluster['certificate-authority-data'], 'base64')
    const token = readFileSync(`${c.dataDir}/admin.token`, 'utf8').trim()
    const yamlReply = await rawPost(c.url + '/api/v1/namespaces/default/configmaps', ca, token, 'application/yaml', 'kind: ConfigMap\nmetadata: {name: [unclosed\n')
    assert.equal(yamlReply.status, 400)
    assert.equal(JSON.parse(yamlReply.body).reason, 'BadRequest')
    assert.equal((await c.kubectl(['get', 'cm', 'big'])).code, 1)
    assert.match(await c.ok(['get', 'ns', 'default']), /default\s+Active/)
  })
})

function rawGet(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    }).on('error', reject)
  })
}

function rawPost(url: string, ca: Buffer, token: string, contentType: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request(url, { method: 'POST', ca, headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType } }, (res) => {
      let out = ''
      res.on('data', (d) => (out += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: out }))
    })
    r.on('error', reject)
    r.end(body)
  })
}
