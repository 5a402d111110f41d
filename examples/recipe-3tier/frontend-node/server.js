// The frontend without nginx: serves ./public, and /config.js from CONFIG_DIR (the
// frontend-config ConfigMap's mount), as frontend/nginx.conf does.
import http from 'node:http'
import fs from 'node:fs'
import path from 'node:path'

const port = Number(process.env.PORT ?? 80)
const root = path.resolve(process.env.PUBLIC_DIR || path.join(import.meta.dirname, 'public'))
const configDir = process.env.CONFIG_DIR || '/etc/recipe'
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon' }

function sendFile(req, res, file, extra = {}) {
  fs.readFile(file, (err, data) => {
    if (err) {
      res.writeHead(404, { 'Content-Type': 'text/plain' })
      return res.end('Not Found\n')
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', ...extra })
    res.end(req.method === 'HEAD' ? undefined : data)
  })
}

const server = http.createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { 'Content-Type': 'text/plain' })
    return res.end('Method Not Allowed\n')
  }
  const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname)
  // Read on every request: a ConfigMap volume is updated in place when the ConfigMap changes.
  if (pathname === '/config.js') return sendFile(req, res, path.join(configDir, 'config.js'), { 'Cache-Control': 'no-store' })
  let file = path.join(root, path.normalize(pathname))
  if (!file.startsWith(root)) file = root
  fs.stat(file, (err, st) => {
    // Unknown paths get index.html, as try_files $uri $uri/ /index.html does.
    if (err || st.isDirectory()) file = path.join(err ? root : file, 'index.html')
    sendFile(req, res, file)
  })
})

server.listen(port, '0.0.0.0', () => console.log(`frontend listening on 0.0.0.0:${server.address().port}, config from ${configDir}`))
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeIdleConnections() })
