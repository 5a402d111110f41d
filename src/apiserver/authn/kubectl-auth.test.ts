/**
 * @module
 * The real kubectl against our certificates and kubeconfigs: a small HTTPS server with the
 * generated serving certificate authenticates kubectl's admin client certificate and tokens.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, realpathSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { buildKubeconfig, ensurePki, type Pki } from '../../pki/index.js'
import type { UserInfo } from '../options.js'
import { ADMIN_USER, ensureAdminToken } from './admin-token.js'
import { certificateSubject, createAuthenticator } from './authenticator.js'

/** kubectl 1.32 beside the dispatcher that `kubectl` on the PATH resolves to. */
function kubectl132(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl')
    if (dir && existsSync(candidate)) return join(dirname(realpathSync(candidate)), 'kubectl.1.32')
  }
  throw new Error('kubectl is not on the PATH')
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(bin, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

describe('kubectl 1.32 with the generated PKI and kubeconfig', () => {
  let dir = ''
  let pki: Pki
  let adminToken = ''
  let server: Server
  let url = ''
  const seen: UserInfo[] = []

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kl-kubectl-auth-'))
    pki = await ensurePki(dir)
    adminToken = await ensureAdminToken(dir)
    const tokenFile = join(dir, 'tokens.csv')
    await writeFile(tokenFile, 'dev-token,dev-user,42,"dev,qa"\n')
    const authn = createAuthenticator({ tokens: new Map([[adminToken, ADMIN_USER]]), tokenFile })
    server = createServer({ cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        const socket = req.socket as TLSSocket
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
        const user = socket.authorized
          ? authn.fromCertificate(certificateSubject(socket.getPeerCertificate()))
          : bearer !== undefined ? authn.fromBearerToken(bearer) : undefined
        const path = (req.url ?? '').split('?')[0]
        if (path === '/version') {
          res.writeHead(200, { 'Content-Type': 'application/json' })
          res.end(JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.0+kubelite' }))
          return
        }
        if (!user) {
          res.writeHead(401, { 'Content-Type': 'application/json' })
          res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }))
          return
        }
        seen.push(user)
        res.writeHead(200, { 'Content-Type': 'application/json', 'X-Remote-User': user.username, 'X-Remote-Groups': user.groups.join(',') })
        res.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [], user }))
      })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(async () => {
    server?.closeAllConnections()
    await new Promise((resolve) => server?.close(resolve))
    await rm(dir, { recursive: true, force: true })
  })

  const kubectl = async (kubeconfig: string) => {
    const path = join(dir, `kubeconfig-${seen.length}-${Math.random().toString(36).slice(2)}.yaml`)
    await writeFile(path, kubeconfig, { mode: 0o600 })
    // HOME inside the temp dir: kubectl's caches stay out of the real home.
    return run(kubectl132(), ['--kubeconfig', path, 'get', '--raw', '/api/v1/namespaces'], { ...process.env, HOME: dir })
  }

  it('authenticates the admin client certificate as kubelite-admin in system:masters', async () => {
    const before = seen.length
    const out = await kubectl(buildKubeconfig({ server: url, caCert: pki.caCert, clientCert: pki.adminCert, clientKey: pki.adminKey }))
    assert.equal(out.code, 0, out.stderr)
    assert.deepEqual(seen.slice(before), [{ username: 'kubelite-admin', groups: ['system:masters', 'system:authenticated'] }])
    assert.equal(JSON.parse(out.stdout).user.username, 'kubelite-admin')
  })

  it('authenticates the admin token and a token from tokens.csv', async () => {
    const before = seen.length
    const admin = await kubectl(buildKubeconfig({ server: url, caCert: pki.caCert, token: adminToken }))
    assert.equal(admin.code, 0, admin.stderr)
    const dev = await kubectl(buildKubeconfig({ server: url, caCert: pki.caCert, token: 'dev-token', user: 'dev' }))
    assert.equal(dev.code, 0, dev.stderr)
    assert.deepEqual(seen.slice(before), [
      { username: 'kubelite-admin', groups: ['system:masters', 'system:authenticated'] },
      { username: 'dev-user', uid: '42', groups: ['dev', 'qa', 'system:authenticated'] },
    ])
  })

  it('is refused with a wrong token, as kubectl reports it', async () => {
    const out = await kubectl(buildKubeconfig({ server: url, caCert: pki.caCert, token: 'wrong' }))
    assert.notEqual(out.code, 0)
    assert.match(out.stderr, /Unauthorized/)
  })

  it('verifies the serving certificate: a kubeconfig with another CA fails TLS', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'kl-kubectl-other-ca-'))
    try {
      const other = await ensurePki(otherDir)
      const out = await kubectl(buildKubeconfig({ server: url, caCert: other.caCert, token: adminToken }))
      assert.notEqual(out.code, 0)
      assert.match(out.stderr, /certificate signed by unknown authority|x509/)
    } finally {
      await rm(otherDir, { recursive: true, force: true })
    }
  })
})
