// The frontend without nginx: serves ./public and proxies as frontend/nginx.conf does,
// /api/ to tasks-api and /users/ to users-api by their Services' DNS names (prefix stripped).
import http from 'node:http'
import fs from 'node:fs'
import path from 'node:path'

const port = Number(process.env.PORT ?? 80)
const root = path.resolve(process.env.PUBLIC_DIR || path.join(import.meta.dirname, 'public'))
const routes = [
  { prefix: '/api/', target: new URL(process.env.TASKS_URL || 'http://tasks-service.default:8000/') },
  { prefix: '/users/', target: new URL(process.env.USERS_URL || 'http://users-service.default:8080/') },
]
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon' }

function proxy(req, res, route) {
  const upstream = http.request({
    host: route.target.hostname,
    port: route.target.port || 80,
    method: req.method,
    path: route.target.pathname + req.url.slice(route.prefix.length),
    // Like nginx's proxy_pass: Host names the upstream; the connection is not kept to the client's.
    headers: { ...req.headers, host: route.target.host, connection: 'close' },
  }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers)
    up.pipe(res)
  })
  upstream.on('error', (err) => {
    console.error(`${req.method} ${req.url}: ${err.message}`)
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' })
    res.end('Bad Gateway\n')
  })
  req.pipe(upstream)
}

function serveStatic(req, res) {
  const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname)
  let file = path.join(root, path.normalize(pathname))
  if (!file.startsWith(root)) file = root
  fs.stat(file, (err, st) => {
    // Unknown paths get index.html, as try_files $uri $uri/ /index.html does.
    if (err || st.isDirectory()) file = path.join(err ? root : file, 'index.html')
    fs.readFile(file, (err2, data) => {
      if (err2) {
        res.writeHead(404, { 'Content-Type': 'text/plain' })
        return res.end('Not Found\n')
      }
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' })
      res.end(req.method === 'HEAD' ? undefined : data)
    })
  })
}

const server = http.createServer((req, res) => {
  const route = routes.find((r) => req.url.startsWith(r.prefix))
  if (route) return proxy(req, res, route)
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { 'Content-Type': 'text/plain' })
    return res.end('Method Not Allowed\n')
  }
  serveStatic(req, res)
})

server.listen(port, '0.0.0.0', () => console.log(`frontend listening on 0.0.0.0:${server.address().port}`))
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeIdleConnections() })
