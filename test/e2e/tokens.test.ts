/**
 * ServiceAccount tokens: `kubectl create token` issues a JWT that authenticates as the
 * ServiceAccount, and stops working when the ServiceAccount is deleted.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startCluster, type Cluster } from './harness.js'

describe('ServiceAccount tokens', () => {
  let c: Cluster
  before(async () => { c = await startCluster() })
  after(() => c?.stop())

  it('kubectl create token issues a token that authenticates as the ServiceAccount', async () => {
    await c.ok(['create', 'serviceaccount', 'robot'])
    const uid = await c.ok(['get', 'sa', 'robot', '-o', 'jsonpath={.metadata.uid}'])
    const token = (await c.ok(['create', 'token', 'robot'])).trim()
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())
    assert.equal(claims.sub, 'system:serviceaccount:default:robot')
    assert.equal(claims['kubernetes.io'].serviceaccount.uid, uid)
    assert.equal(claims.exp - claims.iat, 3600)
    const who = JSON.parse(await c.ok(['auth', 'whoami', '--token', token, '-o', 'json']))
    assert.equal(who.status.userInfo.username, 'system:serviceaccount:default:robot')
    assert.deepEqual(who.status.userInfo.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'])
  })

  it('refuses durations under ten minutes, and tokens of deleted or tampered ServiceAccounts', async () => {
    const short = await c.kubectl(['create', 'token', 'robot', '--duration=5m'])
    assert.equal(short.code, 1)
    assert.match(short.stderr, /TokenRequest\.authentication\.k8s\.io "robot" is invalid: spec\.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes/)
    const token = (await c.ok(['create', 'token', 'robot'])).trim()
    const [h, p] = token.split('.')
    const forged = `${h}.${p}.${Buffer.alloc(64).toString('base64url')}`
    assert.equal((await c.kubectl(['get', 'ns', '--token', forged])).code, 1)
    await c.ok(['delete', 'sa', 'robot'])
    const gone = await c.kubectl(['get', 'ns', '--token', token], { version: '1.32' })
    assert.equal(gone.code, 1)
    assert.match(gone.stderr, /Unauthorized/)
    const missing = await c.kubectl(['create', 'token', 'nobody'])
    assert.match(missing.stderr, /serviceaccounts "nobody" not found/)
  })
})
