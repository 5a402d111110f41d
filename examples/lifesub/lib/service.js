// What the three backends share: configuration from the environment (a ConfigMap and a
// Secret through envFrom), CORS for ALLOWED_ORIGINS, HS256 tokens (a small JWT), JSON
// helpers, and the HTTP server with the probe endpoints:
//   /healthz  200 once the service has reached its tables (startupProbe, livenessProbe);
//             it never looks at the database again, so a database outage takes the
//             backends out of the Service (readiness) without restarting them (liveness)
//   /readyz   200 while the database answers (readinessProbe)
import http from 'node:http'
import crypto from 'node:crypto'
import { createPool } from './pg.js'

/** The environment a backend runs with; DB_PASSWORD and JWT_SECRET are required. */
export function loadConfig(name, defaultPort = 8080) {
  const env = process.env
  const missing = ['DB_PASSWORD', 'JWT_SECRET'].filter((k) => !env[k])
  if (missing.length) {
    console.error(`${name}: ${missing.join(' and ')} must be set (they come from the lifesub-secret Secret)`)
    process.exit(1)
  }
  return {
    name,
    port: Number(env.PORT ?? defaultPort),
    db: {
      host: env.DB_HOST || 'localhost',
      port: Number(env.DB_PORT || 5432),
      database: env.DB_NAME || 'lifesub',
      user: env.DB_USER || 'lifesub',
      password: env.DB_PASSWORD,
    },
    jwtSecret: env.JWT_SECRET,
    tokenTtlSeconds: Number(env.TOKEN_TTL_SECONDS || 3600),
    // A comma-separated list of origins, e.g. "http://127.0.1.3"; "*" allows any.
    allowedOrigins: (env.ALLOWED_ORIGINS || '').split(',').map((s) => s.trim()).filter(Boolean),
  }
}

/** An HttpError is answered with its status and message; anything else is a 500. */
export class HttpError extends Error {
  constructor(status, message) {
    super(message)
    this.status = status
  }
}

const b64url = (buf) => Buffer.from(buf).toString('base64url')

/** A signed HS256 token (the JWT format) with `sub`, `email`, `iat` and `exp`. */
export function signToken(claims, secret, ttlSeconds) {
  const now = Math.floor(Date.now() / 1000)
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const body = b64url(JSON.stringify({ ...claims, iat: now, exp: now + ttlSeconds }))
  const sig = crypto.createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')
  return `${head}.${body}.${sig}`
}

/** The claims of a valid, unexpired token from the Authorization header; throws 401 otherwise. */
export function authenticate(req, secret) {
  const m = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(req.headers.authorization ?? '')
  if (!m) throw new HttpError(401, 'A bearer token is required.')
  const want = crypto.createHmac('sha256', secret).update(`${m[1]}.${m[2]}`).digest()
  const got = Buffer.from(m[3], 'base64url')
  // timingSafeEqual: comparing signatures byte by byte in JS time would leak how much matched.
  if (got.length !== want.length || !crypto.timingSafeEqual(got, want)) throw new HttpError(401, 'Invalid token.')
  let claims
  try {
    claims = JSON.parse(Buffer.from(m[2], 'base64url').toString('utf8'))
  } catch {
    throw new HttpError(401, 'Invalid token.')
  }
  if (typeof claims.exp !== 'number' || claims.exp < Date.now() / 1000) throw new HttpError(401, 'The token has expired.')
  return claims
}

/** The request body as JSON (at most 100 kB). */
export function readJson(req) {
  return new Promise((resolve, reject) => {
    let data = ''
    req.setEncoding('utf8')
    req.on('data', (c) => {
      data += c
      if (data.length > 1e5) reject(new HttpError(413, 'The body is too large.'))
    })
    req.on('end', () => {
      try {
        resolve(data ? JSON.parse(data) : {})
      } catch {
        reject(new HttpError(400, 'The body is not valid JSON.'))
      }
    })
    req.on('error', reject)
  })
}

/** CORS headers when the request's Origin is allowed; none otherwise (the browser then refuses). */
function corsHeaders(req, allowed) {
  const origin = req.headers.origin
  if (!origin || !(allowed.includes('*') || allowed.includes(origin))) return {}
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  }
}

/**
 * Runs a backend: `routes` maps "METHOD /path" to async (ctx) => [status, body]; a path
 * segment written `:name` is captured into ctx.params. `ready` is the SQL that proves the
 * service's tables are there. ctx = { req, url, params, db, config, body(), user() }.
 */
export function serve(config, { routes, ready = 'SELECT 1' }) {
  const db = createPool(config.db)
  let started = false
  const table = Object.entries(routes).map(([key, fn]) => {
    const [method, path] = key.split(' ')
    const names = []
    const re = new RegExp('^' + path.replace(/:(\w+)/g, (_, n) => (names.push(n), '([^/]+)')) + '/?$')
    return { method, re, names, fn }
  })

  async function waitForDatabase() {
    for (let attempt = 1; ; attempt++) {
      try {
        await db.query(ready)
        started = true
        console.log(`${config.name}: database ${config.db.database} at ${config.db.host}:${config.db.port} is ready`)
        return
      } catch (err) {
        // Expected while postgres-0 starts: the startupProbe gives us time, the log says why.
        if (attempt === 1 || attempt % 10 === 0) console.log(`${config.name}: waiting for the database (${err.message})`)
        await new Promise((r) => setTimeout(r, 1000))
      }
    }
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://x')
    const cors = corsHeaders(req, config.allowedOrigins)
    const send = (status, body) => {
      res.writeHead(status, { ...cors, 'Content-Type': 'application/json' })
      res.end(body === undefined ? '' : JSON.stringify(body) + '\n')
    }
    if (req.method === 'OPTIONS') return send(204)
    if (url.pathname === '/healthz') return send(started ? 200 : 503, { status: started ? 'ok' : 'starting' })
    if (url.pathname === '/readyz') {
      try {
        await db.query(ready)
        return send(200, { status: 'ready' })
      } catch (err) {
        return send(503, { status: 'database unavailable', error: err.message })
      }
    }
    for (const r of table) {
      const m = r.re.exec(url.pathname)
      if (!m) continue
      if (r.method !== req.method) continue
      const params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]))
      const ctx = {
        req, url, params, db, config,
        body: () => readJson(req),
        user: () => authenticate(req, config.jwtSecret),
      }
      const [status, body] = await r.fn(ctx)
      return send(status, body)
    }
    // The path as this service saw it: after the ingress rewrite, /member/x arrives as /x.
    const known = table.some((r) => r.re.test(url.pathname))
    return send(known ? 405 : 404, { message: known ? 'Method not allowed.' : 'Not found.', service: config.name, path: url.pathname })
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      const status = err instanceof HttpError ? err.status : 500
      if (status === 500) console.error(`${config.name}: ${req.method} ${req.url}: ${err.stack ?? err.message}`)
      if (!res.headersSent) {
        res.writeHead(status, { ...corsHeaders(req, config.allowedOrigins), 'Content-Type': 'application/json' })
        res.end(JSON.stringify({ message: status === 500 ? 'Something went wrong.' : err.message }) + '\n')
      }
    })
  })
  server.listen(config.port, '0.0.0.0', () => {
    const origins = config.allowedOrigins.join(', ') || 'none (same-origin and curl only)'
    console.log(`${config.name} listening on 0.0.0.0:${server.address().port}; CORS origins: ${origins}`)
    waitForDatabase()
  })
  process.on('SIGTERM', () => {
    console.log(`${config.name}: SIGTERM, closing`)
    server.close(() => { db.end(); process.exit(0) })
    server.closeIdleConnections()
  })
  return { server, db }
}
