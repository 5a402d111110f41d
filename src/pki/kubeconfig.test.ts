/**
 * @module
 * kubeconfig: what buildKubeconfig writes, and kind-style merging into an existing file.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { buildKubeconfig, defaultKubeconfigPath, mergeKubeconfig } from './kubeconfig.js'

const CA = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n'
const CERT = '-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----\n'
const KEY = '-----BEGIN PRIVATE KEY-----\na2V5\n-----END PRIVATE KEY-----\n'
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8')

const EXISTING = `# my clusters
apiVersion: v1
kind: Config
preferences:
  colors: true
clusters:
  - name: prod
    cluster:
      server: https://prod.example:6443
      extra-field: keep-me
  - name: kubelite
    cluster:
      server: https://old:1
users:
  - name: alice
    user:
      token: alice-token
  - name: kubelite
    user:
      token: stale
contexts:
  - name: prod
    context:
      cluster: prod
      user: alice
      namespace: web # a comment
current-context: prod
extensions:
  - name: something
    extension: { a: 1 }
`

describe('buildKubeconfig', () => {
  it('writes one cluster, user and context named kubelite with base64 data', () => {
    const cfg = parse(buildKubeconfig({ server: 'https://127.0.0.1:6443', caCert: CA, clientCert: CERT, clientKey: KEY }))
    assert.equal(cfg.apiVersion, 'v1')
    assert.equal(cfg.kind, 'Config')
    assert.equal(cfg['current-context'], 'kubelite')
    assert.deepEqual(cfg.clusters.map((c: { name: string }) => c.name), ['kubelite'])
    assert.equal(cfg.clusters[0].cluster.server, 'https://127.0.0.1:6443')
    assert.equal(unb64(cfg.clusters[0].cluster['certificate-authority-data']), CA)
    assert.equal(cfg.users[0].name, 'kubelite')
    assert.equal(unb64(cfg.users[0].user['client-certificate-data']), CERT)
    assert.equal(unb64(cfg.users[0].user['client-key-data']), KEY)
    assert.deepEqual(cfg.contexts, [{ name: 'kubelite', context: { cluster: 'kubelite', user: 'kubelite' } }])
  })

  it('writes a token user, and honours other names', () => {
    const cfg = parse(buildKubeconfig({ server: 'https://h:1', caCert: CA, token: 't0k', name: 'dev', user: 'dev-admin' }))
    assert.deepEqual(cfg.users, [{ name: 'dev-admin', user: { token: 't0k' } }])
    assert.deepEqual(cfg.contexts, [{ name: 'dev', context: { cluster: 'dev', user: 'dev-admin' } }])
    assert.equal(cfg['current-context'], 'dev')
  })
})

describe('mergeKubeconfig', () => {
  let dir = ''
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'kl-kubeconfig-')) })
  after(() => rm(dir, { recursive: true, force: true }))
  const ours = () => buildKubeconfig({ server: 'https://127.0.0.1:7443', caCert: CA, clientCert: CERT, clientKey: KEY })

  it('replaces our entries, adds none twice, and leaves everything else alone', async () => {
    const path = join(dir, 'existing')
    await writeFile(path, EXISTING, { mode: 0o644 })
    await mergeKubeconfig(path, ours())
    const text = await readFile(path, 'utf8')
    const cfg = parse(text)
    assert.equal(cfg['current-context'], 'kubelite')
    assert.deepEqual(cfg.preferences, { colors: true })
    assert.deepEqual(cfg.extensions, [{ name: 'something', extension: { a: 1 } }])
    assert.deepEqual(cfg.clusters.map((c: { name: string }) => c.name), ['prod', 'kubelite'])
    assert.deepEqual(cfg.clusters[0], { name: 'prod', cluster: { server: 'https://prod.example:6443', 'extra-field': 'keep-me' } })
    assert.equal(cfg.clusters[1].cluster.server, 'https://127.0.0.1:7443')
    assert.deepEqual(cfg.users.map((u: { name: string }) => u.name), ['alice', 'kubelite'])
    assert.deepEqual(cfg.users[0], { name: 'alice', user: { token: 'alice-token' } })
    assert.equal(cfg.users[1].user.token, undefined) // replaced whole, as kind does
    assert.equal(unb64(cfg.users[1].user['client-key-data']), KEY)
    assert.deepEqual(cfg.contexts.map((c: { name: string }) => c.name), ['prod', 'kubelite'])
    assert.deepEqual(cfg.contexts[0].context, { cluster: 'prod', user: 'alice', namespace: 'web' })
    assert.match(text, /^# my clusters/)
    assert.match(text, /# a comment/)
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    // Merging again is idempotent.
    await mergeKubeconfig(path, ours())
    assert.equal(await readFile(path, 'utf8'), text)
    assert.deepEqual((await readdir(dir)).sort(), ['existing']) // no temp files left behind
  })

  it('creates the file and its directory when absent', async () => {
    const path = join(dir, 'new', '.kube', 'config')
    await mergeKubeconfig(path, ours())
    const cfg = parse(await readFile(path, 'utf8'))
    assert.deepEqual(cfg, parse(ours()))
    assert.equal((await stat(path)).mode & 0o777, 0o600)
  })

  it('treats an empty file as an empty Config', async () => {
    const path = join(dir, 'empty')
    await writeFile(path, '# nothing yet\n')
    await mergeKubeconfig(path, parse(ours()))
    const cfg = parse(await readFile(path, 'utf8'))
    assert.equal(cfg.kind, 'Config')
    assert.equal(cfg['current-context'], 'kubelite')
    assert.equal(cfg.clusters.length, 1)
  })

  it('writes through a symlink instead of replacing it', async () => {
    const real = join(dir, 'real-config')
    const link = join(dir, 'link-config')
    await writeFile(real, EXISTING)
    await symlink(real, link)
    await mergeKubeconfig(link, ours())
    assert.equal(parse(await readFile(real, 'utf8'))['current-context'], 'kubelite')
  })

  it('refuses to overwrite a file that is not YAML', async () => {
    const path = join(dir, 'broken')
    await writeFile(path, 'clusters: [\n')
    await assert.rejects(mergeKubeconfig(path, ours()), /cannot merge into/)
    assert.equal(await readFile(path, 'utf8'), 'clusters: [\n')
  })
})

describe('defaultKubeconfigPath', () => {
  it('takes the first entry of $KUBECONFIG, else ~/.kube/config', () => {
    assert.equal(defaultKubeconfigPath({ KUBECONFIG: '/a/one:/b/two' }, '/home/u'), '/a/one')
    assert.equal(defaultKubeconfigPath({ KUBECONFIG: ':/b/two' }, '/home/u'), '/b/two')
    assert.equal(defaultKubeconfigPath({}, '/home/u'), '/home/u/.kube/config')
    assert.equal(defaultKubeconfigPath({ KUBECONFIG: '' }, '/home/u'), '/home/u/.kube/config')
  })
})
