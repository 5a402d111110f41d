// auth-api: hashes passwords, issues tokens for a matching password and verifies them.
// Toy cryptography for a demo: sha256 hashes, HMAC-signed tokens. Tokens are stateless
// (signed with TOKEN_SECRET), so any replica verifies what another issued.
import http from 'node:http'
import crypto from 'node:crypto'

const port = Number(process.env.PORT ?? 80)
const secret = process.env.TOKEN_SECRET || 'kubelite-tasks-demo'
const ttlSeconds = 3600

const hash = (password) => crypto.createHash('sha256').update(password).digest('hex')
const sign = (payload) => crypto.createHmac('sha256', secret).update(payload).digest('base64url')

function issueToken(uid) {
  const payload = Buffer.from(JSON.stringify({ uid, exp: Math.floor(Date.now() / 1000) + ttlSeconds })).toString('base64url')
  return `${payload}.${sign(payload)}`
}

function verifyToken(token) {
  const [payload, mac] = token.split('.')
  if (!payload || !mac) return undefined
  const expected = Buffer.from(sign(payload))
  const given = Buffer.from(mac)
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return undefined
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    return claims.exp > Date.now() / 1000 ? claims : undefined
  } catch {
    return undefined
  }
}

function send(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}

const server = http.createServer((req, res) => {
  const parts = new URL(req.url, 'http://x').pathname.split('/').filter(Boolean).map(decodeURIComponent)
  if (req.method !== 'GET') return send(res, 405, { message: 'Method not allowed.' })
  if (parts.length === 0 || parts[0] === 'healthz') return send(res, 200, { status: 'ok' })
  if (parts[0] === 'hashed-password' && parts.length === 2) {
    return send(res, 200, { hashedPassword: hash(parts[1]) })
  }
  if (parts[0] === 'token' && parts.length === 3) {
    const [, hashedPassword, enteredPassword] = parts
    if (hash(enteredPassword) !== hashedPassword) return send(res, 401, { message: 'Passwords do not match.' })
    // The uid is derived from the stored hash: stable per user without a user database here.
    return send(res, 200, { token: issueToken(hashedPassword.slice(0, 12)) })
  }
  if (parts[0] === 'verify-token' && parts.length === 2) {
    const claims = verifyToken(parts[1])
    if (!claims) return send(res, 401, { message: 'Token invalid.' })
    return send(res, 200, { message: 'Valid token.', uid: claims.uid })
  }
  send(res, 404, { message: 'Not found.' })
})

server.listen(port, '0.0.0.0', () => console.log(`auth-api listening on 0.0.0.0:${server.address().port}`))
// Graceful termination: finish requests in flight, then exit (the pod's grace period).
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeIdleConnections() })
