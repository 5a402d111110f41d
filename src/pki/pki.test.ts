/**
 * @module
 * PKI: the chain verifies, the SANs are there, files are reused on reload, and the serving
 * certificate alone is re-issued when a new SAN is asked or when it nears expiry.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensurePki, issueClientCert, PKI_FILES } from './pki.js'
import { servingSans } from './sans.js'
import type { Pki } from './types.js'

const DAY_MS = 86_400_000
const subjectLines = (cert: X509Certificate) => cert.subject.split('\n').sort()

describe('ensurePki', () => {
  let dir = ''
  let first: Pki
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kl-pki-'))
    first = await ensurePki(dir)
  })
  after(() => rm(dir, { recursive: true, force: true }))

  it('creates a self-signed ECDSA P-256 CA named kubelite-ca, valid ten years', () => {
    const ca = new X509Certificate(first.caCert)
    assert.equal(ca.subject, 'CN=kubelite-ca')
    assert.equal(ca.ca, true)
    assert.equal(ca.verify(ca.publicKey), true)
    assert.equal(ca.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1')
    const years = (Date.parse(ca.validTo) - Date.now()) / (365 * DAY_MS)
    assert.ok(years > 9.9 && years < 10.1, `CA valid for ${years} years`)
  })

  it('signs the serving and admin certificates with the CA', () => {
    const ca = new X509Certificate(first.caCert)
    for (const [pem, key] of [[first.serverCert, first.serverKey], [first.adminCert, first.adminKey]] as const) {
      const cert = new X509Certificate(pem)
      assert.equal(cert.checkIssued(ca), true)
      assert.equal(cert.verify(ca.publicKey), true)
      assert.equal(cert.ca, false)
      assert.equal(cert.checkPrivateKey(createPrivateKey(key)), true)
    }
    const other = new X509Certificate(first.adminCert)
    assert.equal(new X509Certificate(first.serverCert).verify(other.publicKey), false)
  })

  it('puts every default SAN in the serving certificate, for at least a year', () => {
    const cert = new X509Certificate(first.serverCert)
    const { dns, ip } = servingSans()
    for (const name of ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local']) {
      assert.ok(dns.includes(name))
      assert.equal(cert.checkHost(name, { subject: 'never' }), name)
    }
    for (const addr of ['127.0.0.1', '::1', '10.96.0.1']) {
      assert.ok(ip.includes(addr))
      assert.equal(cert.checkIP(addr), addr)
    }
    assert.ok(cert.subjectAltName?.includes('DNS:kubernetes.default.svc.cluster.local'))
    assert.equal(cert.checkHost('example.com', { subject: 'never' }), undefined)
    assert.ok(Date.parse(cert.validTo) - Date.now() > 364 * DAY_MS)
  })

  it('names the admin kubelite-admin in group system:masters', () => {
    const cert = new X509Certificate(first.adminCert)
    assert.deepEqual(subjectLines(cert), ['CN=kubelite-admin', 'O=system:masters'])
  })

  it('writes PEM files, keys with mode 0600', async () => {
    for (const [field, name] of Object.entries(PKI_FILES)) {
      const path = join(dir, 'pki', name)
      assert.equal(await readFile(path, 'utf8'), first[field as keyof Pki])
      const mode = (await stat(path)).mode & 0o777
      assert.equal(mode, name.endsWith('.key') ? 0o600 : 0o644, `${name} mode ${mode.toString(8)}`)
    }
    assert.equal((await stat(join(dir, 'pki'))).mode & 0o777, 0o700)
  })

  it('reuses the files on reload without issuing anything', async () => {
    const mtimes = await Promise.all(Object.values(PKI_FILES).map(async (n) => (await stat(join(dir, 'pki', n))).mtimeMs))
    const again = await ensurePki(dir)
    assert.deepEqual(again, first)
    const after = await Promise.all(Object.values(PKI_FILES).map(async (n) => (await stat(join(dir, 'pki', n))).mtimeMs))
    assert.deepEqual(after, mtimes)
  })

  it('re-issues only the serving certificate when a new SAN is asked', async () => {
    const extraSans = { ip: ['192.0.2.10', '2001:db8::0:1'], dns: ['api.example.test'] }
    const next = await ensurePki(dir, { extraSans })
    assert.notEqual(next.serverCert, first.serverCert)
    assert.notEqual(next.serverKey, first.serverKey)
    assert.equal(next.caCert, first.caCert)
    assert.equal(next.adminCert, first.adminCert)
    const cert = new X509Certificate(next.serverCert)
    assert.equal(cert.checkIP('192.0.2.10'), '192.0.2.10')
    assert.equal(cert.checkIP('2001:db8::1'), '2001:db8::1')
    assert.equal(cert.checkHost('api.example.test', { subject: 'never' }), 'api.example.test')
    assert.equal(cert.checkIP('10.96.0.1'), '10.96.0.1')
    // Asking for the same SANs (spelt differently) again changes nothing.
    const same = await ensurePki(dir, { extraSans: { ip: ['2001:0db8:0:0::1'], dns: ['API.example.test', '192.0.2.10'] } })
    assert.equal(same.serverCert, next.serverCert)
  })

  it('re-issues leaf certificates near expiry, never the CA', async () => {
    const before = await ensurePki(dir)
    const later = await ensurePki(dir, { now: new Date(Date.now() + 300 * DAY_MS) })
    assert.equal(later.caCert, before.caCert)
    assert.notEqual(later.serverCert, before.serverCert)
    assert.notEqual(later.adminCert, before.adminCert)
    assert.ok(Date.parse(new X509Certificate(later.serverCert).validTo) > Date.now() + 600 * DAY_MS)
  })

  it('re-issues a missing admin certificate and keeps the serving one', async () => {
    const before = await ensurePki(dir)
    await unlink(join(dir, 'pki', PKI_FILES.adminCert))
    const next = await ensurePki(dir)
    assert.notEqual(next.adminCert, before.adminCert)
    assert.equal(next.serverCert, before.serverCert)
    assert.equal(new X509Certificate(next.adminCert).checkIssued(new X509Certificate(next.caCert)), true)
  })

  it('starts over with a new CA (and new leaves) when the CA key is gone', async () => {
    const before = await ensurePki(dir)
    await unlink(join(dir, 'pki', PKI_FILES.caKey))
    const next = await ensurePki(dir)
    assert.notEqual(next.caCert, before.caCert)
    const ca = new X509Certificate(next.caCert)
    assert.equal(new X509Certificate(next.serverCert).verify(ca.publicKey), true)
    assert.equal(new X509Certificate(next.adminCert).verify(ca.publicKey), true)
  })
})

describe('issueClientCert', () => {
  let dir = ''
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'kl-pki-client-')) })
  after(() => rm(dir, { recursive: true, force: true }))

  it('issues a client certificate with CN and every O, signed by the CA', async () => {
    const pki = await ensurePki(dir)
    const issued = await issueClientCert({ cert: pki.caCert, key: pki.caKey },
      { commonName: 'system:node:n1', organizations: ['system:nodes', 'team-a'] })
    const cert = new X509Certificate(issued.cert)
    assert.deepEqual(subjectLines(cert), ['CN=system:node:n1', 'O=system:nodes', 'O=team-a'])
    assert.equal(cert.verify(new X509Certificate(pki.caCert).publicKey), true)
    assert.equal(cert.checkPrivateKey(createPrivateKey(issued.key)), true)
  })
})
