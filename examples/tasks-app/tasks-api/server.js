// tasks-api: GET /tasks and POST /tasks {title, text} for a request with
// `Authorization: Bearer <token>`, the token checked by auth-api at http://AUTH_ADDRESS.
// Tasks are one JSON file in TASKS_FOLDER (a volume), so they outlive the pod.
import http from 'node:http'
import fs from 'node:fs/promises'
import path from 'node:path'

const port = Number(process.env.PORT ?? 8000)
const authAddress = process.env.AUTH_ADDRESS || process.env.AUTH_SERVICE_SERVICE_HOST || 'localhost'
const folder = process.env.TASKS_FOLDER || path.join(import.meta.dirname, 'tasks')
const file = path.join(folder, 'tasks.json')

// CORS as in the course notes: any origin, the methods used and the Authorization header.
const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type',
}

function send(res, status, body) {
  res.writeHead(status, { ...CORS, 'Content-Type': 'application/json' })
  res.end(body === undefined ? '' : JSON.stringify(body))
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

/** The uid for a valid bearer token, or undefined. */
function verify(req) {
  const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')
  if (!m) return Promise.resolve(undefined)
  return new Promise((resolve, reject) => {
    http.get(`http://${authAddress}/verify-token/${encodeURIComponent(m[1])}`, { timeout: 5000 }, (res) => {
      let data = ''
      res.setEncoding('utf8')
      res.on('data', (c) => { data += c })
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(undefined)
        try { resolve(JSON.parse(data).uid ?? 'unknown') } catch (e) { reject(e) }
      })
    }).on('timeout', function () { this.destroy(new Error('auth-api timed out')) }).on('error', reject)
  })
}

async function loadTasks() {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'))
  } catch (err) {
    if (err.code === 'ENOENT') return []
    throw err
  }
}

// Writes go through a temporary file and a rename, so a reader never sees half a file.
// Within one process they are serialized; replicas sharing the volume may race (a demo).
let writing = Promise.resolve()
function addTask(task) {
  const next = writing.then(async () => {
    const tasks = await loadTasks()
    tasks.push(task)
    await fs.mkdir(folder, { recursive: true })
    const tmp = `${file}.${process.pid}.tmp`
    await fs.writeFile(tmp, JSON.stringify(tasks, null, 2))
    await fs.rename(tmp, file)
  })
  writing = next.catch(() => {})
  return next
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://x')
  if (req.method === 'OPTIONS') return send(res, 204)
  if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/healthz')) return send(res, 200, { status: 'ok' })
  if (url.pathname !== '/tasks') return send(res, 404, { message: 'Not found.' })
  if (req.method !== 'GET' && req.method !== 'POST') return send(res, 405, { message: 'Method not allowed.' })
  const uid = await verify(req)
  if (!uid) return send(res, 401, { message: 'Could not authenticate user.' })
  if (req.method === 'GET') return send(res, 200, { message: 'Tasks loaded.', tasks: await loadTasks() })
  const body = await readJson(req)
  if (typeof body.title !== 'string' || !body.title.trim()) return send(res, 422, { message: 'A title is required.' })
  const task = { title: body.title.trim(), text: typeof body.text === 'string' ? body.text : '', createdBy: uid, createdAt: new Date().toISOString() }
  await addTask(task)
  send(res, 201, { message: 'Task stored.', createdTask: task })
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => {
    console.error(`${req.method} ${req.url}: ${err.message}`)
    if (!res.headersSent) send(res, 500, { message: 'Something went wrong.' })
  })
})

server.listen(port, '0.0.0.0', () => {
  console.log(`tasks-api listening on 0.0.0.0:${server.address().port}, tasks in ${file}, auth-api at ${authAddress}`)
})
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeIdleConnections() })
