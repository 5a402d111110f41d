// users-api: POST /signup and POST /login with {email, password}. Passwords are hashed and
// tokens issued by auth-api at http://AUTH_ADDRESS (the course's path: localhost in one
// pod, then the Service's automatic AUTH_SERVICE_SERVICE_HOST, then its DNS name).
// Users live in memory: a demo, one replica.
import http from 'node:http'

const port = Number(process.env.PORT ?? 8080)
const authFrom = ['AUTH_ADDRESS', 'AUTH_SERVICE_SERVICE_HOST'].find((v) => process.env[v]) ?? 'the default'
const authAddress = process.env.AUTH_ADDRESS || process.env.AUTH_SERVICE_SERVICE_HOST || 'localhost'
const users = new Map()

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type',
}

function send(res, status, body) {
  res.writeHead(status, { ...CORS, 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    let data = ''
    req.setEncoding('utf8')
    req.on('data', (c) => { data += c; if (data.length > 1e5) req.destroy(new Error('body too large')) })
    req.on('end', () => { try { resolve(data ? JSON.parse(data) : {}) } catch { reject(new Error('invalid JSON')) } })
    req.on('error', reject)
  })
}

/** GETs auth-api; resolves with its status and JSON body. */
function auth(path) {
  return new Promise((resolve, reject) => {
    http.get(`http://${authAddress}${path}`, { timeout: 5000 }, (res) => {
      let data = ''
      res.setEncoding('utf8')
      res.on('data', (c) => { data += c })
      res.on('end', () => { try { resolve({ status: res.statusCode, body: JSON.parse(data) }) } catch (e) { reject(e) } })
    }).on('timeout', function () { this.destroy(new Error('auth-api timed out')) }).on('error', reject)
  })
}

async function credentials(req) {
  const body = await readJson(req)
  const email = typeof body.email === 'string' ? body.email.trim() : ''
  const password = typeof body.password === 'string' ? body.password : ''
  if (!email.includes('@') || password.length < 4) return undefined
  return { email, password }
}

async function handle(req, res) {
  const path = new URL(req.url, 'http://x').pathname
  if (req.method === 'OPTIONS') return send(res, 204, {})
  if (req.method === 'GET' && (path === '/' || path === '/healthz')) return send(res, 200, { status: 'ok' })
  if (req.method !== 'POST') return send(res, 404, { message: 'Not found.' })
  if (path === '/signup') {
    const c = await credentials(req)
    if (!c) return send(res, 422, { message: 'An email and a password of at least 4 characters are required.' })
    if (users.has(c.email)) return send(res, 409, { message: 'The user exists already.' })
    const r = await auth(`/hashed-password/${encodeURIComponent(c.password)}`)
    if (r.status !== 200) return send(res, 502, { message: 'Hashing the password failed.' })
    users.set(c.email, r.body.hashedPassword)
    return send(res, 201, { message: 'User created!' })
  }
  if (path === '/login') {
    const c = await credentials(req)
    const hashed = c && users.get(c.email)
    if (!hashed) return send(res, 401, { message: 'Invalid credentials.' })
    const r = await auth(`/token/${encodeURIComponent(hashed)}/${encodeURIComponent(c.password)}`)
    if (r.status !== 200) return send(res, 401, { message: 'Invalid credentials.' })
    return send(res, 200, { token: r.body.token })
  }
  send(res, 404, { message: 'Not found.' })
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => {
    console.error(`${req.method} ${req.url}: ${err.message}`)
    if (!res.headersSent) send(res, 500, { message: 'Something went wrong.' })
  })
})

server.listen(port, '0.0.0.0', () => {
  console.log(`users-api listening on 0.0.0.0:${server.address().port}, auth-api at ${authAddress} (from ${authFrom})`)
})
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeIdleConnections() })
