// The frontend without nginx: serves ./public as frontend/nginx.conf does, and /config.js,
// which tells the page where the Ingress is (API_BASE_URL).
import http from 'node:http'
import fs from 'node:fs'
import path from 'node:path'

const port = Number(process.env.PORT ?? 80)
const root = path.resolve(process.env.PUBLIC_DIR || path.join(import.meta.dirname, 'public'))
const configJs = `window.LIFESUB_API = ${JSON.stringify(process.env.API_BASE_URL || 'http://127.0.0.1')}\n`
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.ico': 'image/x-icon' }

function serveStatic(req, res) {
  const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname)
  if (pathname === '/config.js') {
    res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-store' })
    return res.end(req.method === 'HEAD' ? undefined : configJs)
  }
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
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { 'Content-Type': 'text/plain' })
    return res.end('Method Not Allowed\n')
  }
  serveStatic(req, res)
})

server.listen(port, '0.0.0.0', () => console.log(`frontend listening on 0.0.0.0:${server.address().port}, API at ${process.env.API_BASE_URL || 'http://127.0.0.1'}`))
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeIdleConnections() })
