/**
 * @module
 * The authenticator: certificate subjects and bearer tokens to users; the admin token file.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PeerCertificate } from 'node:tls'
import { certificateSubject, createAuthenticator } from './authenticator.js'
import { ADMIN_TOKEN_FILE, ensureAdminToken } from './admin-token.js'

describe('createAuthenticator', () => {
  let dir = ''
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'kl-authn-')) })
  after(() => rm(dir, { recursive: true, force: true }))

  it('maps CN to the user and O to groups, adding system:authenticated once', () => {
    const authn = createAuthenticator()
    assert.deepEqual(authn.fromCertificate({ commonName: 'kubelite-admin', organizations: ['system:masters'] }),
      { username: 'kubelite-admin', groups: ['system:masters', 'system:authenticated'] })
    assert.deepEqual(authn.fromCertificate({ commonName: 'u', organizations: ['system:authenticated'] }),
      { username: 'u', groups: ['system:authenticated'] })
    assert.equal(authn.fromCertificate({ commonName: '', organizations: ['g'] }), undefined)
    assert.equal(authn.fromCertificate({ organizations: ['g'] }), undefined)
  })

  it('authenticates tokens from the file and the table; the table wins a clash', async () => {
    const tokenFile = join(dir, 'tokens.csv')
    await writeFile(tokenFile, 'file-token,alice,1,"dev,ops"\nshared,mallory,2\n')
    const authn = createAuthenticator({
      tokenFile,
      tokens: new Map([['admin-token', { username: 'kubelite-admin', groups: ['system:masters'] }],
        ['shared', { username: 'bob', groups: [] }]]),
    })
    assert.deepEqual(authn.fromBearerToken('file-token'),
      { username: 'alice', uid: '1', groups: ['dev', 'ops', 'system:authenticated'] })
    assert.deepEqual(authn.fromBearerToken('admin-token'),
      { username: 'kubelite-admin', groups: ['system:masters', 'system:authenticated'] })
    assert.equal(authn.fromBearerToken('shared')?.username, 'bob')
    assert.equal(authn.fromBearerToken('nope'), undefined)
    assert.equal(authn.fromBearerToken(''), undefined)
    // Answers are copies: a caller editing groups cannot change the next answer.
    authn.fromBearerToken('file-token')!.groups.push('evil')
    assert.ok(!authn.fromBearerToken('file-token')!.groups.includes('evil'))
  })

  it('fails when the named token file is missing', () => {
    assert.throws(() => createAuthenticator({ tokenFile: join(dir, 'absent.csv') }), /ENOENT/)
  })
})

describe('certificateSubject', () => {
  const peer = (subject: unknown) => ({ subject }) as Pick<PeerCertificate, 'subject'>
  it('reads CN and O whether Node gives a string or an array', () => {
    assert.deepEqual(certificateSubject(peer({ CN: 'alice', O: 'dev' })), { commonName: 'alice', organizations: ['dev'] })
    assert.deepEqual(certificateSubject(peer({ CN: ['first', 'last'], O: ['a', 'b'] })), { commonName: 'last', organizations: ['a', 'b'] })
    assert.deepEqual(certificateSubject(peer({ CN: 'x' })), { commonName: 'x', organizations: [] })
    assert.deepEqual(certificateSubject(peer(undefined)), { commonName: undefined, organizations: [] })
    assert.deepEqual(certificateSubject(undefined), { commonName: undefined, organizations: [] })
  })
})

describe('ensureAdminToken', () => {
  let dir = ''
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'kl-admin-token-')) })
  after(() => rm(dir, { recursive: true, force: true }))

  it('creates a random token once, mode 0600, and returns it again later', async () => {
    const token = await ensureAdminToken(dir)
    assert.match(token, /^[A-Za-z0-9_-]{43}$/)
    const path = join(dir, ADMIN_TOKEN_FILE)
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.equal((await readFile(path, 'utf8')).trim(), token)
    assert.equal(await ensureAdminToken(dir), token)
    const other = await mkdtemp(join(tmpdir(), 'kl-admin-token-2-'))
    try {
      assert.notEqual(await ensureAdminToken(other), token)
    } finally {
      await rm(other, { recursive: true, force: true })
    }
  })
})
