// backend: a JSON API for recipes, stored in Redis (REDIS_HOST, from the `backend`
// ConfigMap). Every reply names the pod that answered, so one can watch the LoadBalancer
// spread requests over the replicas. Browsers may call it only from ALLOWED_ORIGIN (the
// frontend's address): CORS preflights and requests from any other origin get 403.
//
//   GET    /recipes          all recipes, newest first
//   POST   /recipes          {name, ingredients: [..] | "a, b", instructions} → 201
//   GET    /recipes/:id      one recipe
//   PUT    /recipes/:id      replace name, ingredients, instructions
//   DELETE /recipes/:id      → 204
//   GET    /healthz          200 when Redis answers PING (the readiness probe)
import http from 'node:http'
import os from 'node:os'
import { createClient } from './resp.js'

const port = Number(process.env.PORT ?? 8080)
const pod = os.hostname()
// REDIS_HOST may carry a port ("10.96.0.20:6379"). Not REDIS_PORT: the kubelet sets that
// to "tcp://10.96.0.20:6379" in every pod started after the `redis` Service existed.
const [redisHost, redisPort = '6379'] = (process.env.REDIS_HOST || 'localhost').split(':')
const allowedOrigins = (process.env.ALLOWED_ORIGIN ?? '').split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean)
const redis = createClient({ host: redisHost, port: Number(redisPort) })

const CORS_METHODS = 'GET, POST, PUT, DELETE, OPTIONS'
const CORS_HEADERS = 'Content-Type'

function send(res, status, body, extra = {}) {
  if (status === 204) {
    res.writeHead(status, { 'X-Served-By': pod, ...extra })
    return res.end()
  }
  res.writeHead(status, { 'Content-Type': 'application/json', 'X-Served-By': pod, ...extra })
  res.end(JSON.stringify({ pod, ...body }))
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    let data = ''
    req.setEncoding('utf8')
    req.on('data', (c) => { data += c; if (data.length > 1e5) req.destroy(new Error('body too large')) })
    req.on('end', () => { try { resolve(data ? JSON.parse(data) : {}) } catch { reject(Object.assign(new Error('invalid JSON'), { status: 400 })) } })
    req.on('error', reject)
  })
}

/** The recipe fields from a request body, or a message saying what is wrong. */
function recipeFrom(body) {
  const name = typeof body.name === 'string' ? body.name.trim() : ''
  if (!name) return { error: 'A name is required.' }
  let ingredients = body.ingredients ?? []
  if (typeof ingredients === 'string') ingredients = ingredients.split(/[,\n]/)
  if (!Array.isArray(ingredients) || ingredients.some((i) => typeof i !== 'string')) {
    return { error: 'ingredients must be a list of strings.' }
  }
  ingredients = ingredients.map((i) => i.trim()).filter(Boolean)
  const instructions = typeof body.instructions === 'string' ? body.instructions.trim() : ''
  return { recipe: { name, ingredients, instructions } }
}

// Redis layout: recipe:<id> is a hash (name, ingredients as JSON, instructions, createdAt,
// createdBy), recipes:next-id the id counter, and the sorted set `recipes` holds the ids.
const key = (id) => `recipe:${id}`

function fromHash(id, flat) {
  if (!flat || flat.length === 0) return undefined
  const h = {}
  for (let i = 0; i < flat.length; i += 2) h[flat[i]] = flat[i + 1]
  return { id: Number(id), name: h.name, ingredients: JSON.parse(h.ingredients ?? '[]'), instructions: h.instructions ?? '', createdAt: h.createdAt, createdBy: h.createdBy }
}

async function getRecipe(id) {
  return fromHash(id, await redis.command('HGETALL', key(id)))
}

async function listRecipes() {
  const ids = await redis.command('ZREVRANGE', 'recipes', 0, -1)
  const all = await Promise.all(ids.map(getRecipe)) // pipelined on the one connection
  return all.filter(Boolean)
}

async function saveRecipe(id, r, created) {
  await redis.command('HSET', key(id), 'name', r.name, 'ingredients', JSON.stringify(r.ingredients),
    'instructions', r.instructions, ...(created ? ['createdAt', new Date().toISOString(), 'createdBy', pod] : []))
  if (created) await redis.command('ZADD', 'recipes', id, id)
}

/** CORS: the headers to add to the reply, or true when cors() answered the request itself. */
function cors(req, res) {
  const origin = req.headers.origin
  if (origin === undefined) return {} // not a cross-origin browser request (curl, same origin)
  if (!allowedOrigins.includes(origin)) {
    console.log(`refused ${req.method} ${req.url} from origin ${origin}`)
    send(res, 403, { message: `Origin ${origin} is not allowed.` })
    return true
  }
  const headers = { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' }
  if (req.method === 'OPTIONS') {
    send(res, 204, undefined, { ...headers, 'Access-Control-Allow-Methods': CORS_METHODS, 'Access-Control-Allow-Headers': CORS_HEADERS, 'Access-Control-Max-Age': '600' })
    return true
  }
  return headers
}

async function handle(req, res, c) {
  const reply = (status, body) => send(res, status, body, c)
  const { pathname } = new URL(req.url, 'http://x')
  const parts = pathname.split('/').filter(Boolean)

  if (req.method === 'OPTIONS') return send(res, 204, undefined, { Allow: CORS_METHODS })
  if (pathname === '/healthz' || pathname === '/') {
    if (req.method !== 'GET') return reply(405, { message: 'Method not allowed.' })
    await redis.command('PING')
    return reply(200, { status: 'ok' })
  }
  if (parts[0] !== 'recipes' || parts.length > 2) return reply(404, { message: 'Not found.' })

  if (parts.length === 1) {
    if (req.method === 'GET') return reply(200, { recipes: await listRecipes() })
    if (req.method !== 'POST') return reply(405, { message: 'Method not allowed.' })
    const { recipe, error } = recipeFrom(await readJson(req))
    if (error) return reply(422, { message: error })
    const id = await redis.command('INCR', 'recipes:next-id')
    await saveRecipe(id, recipe, true)
    return reply(201, { message: 'Recipe created.', recipe: await getRecipe(id) })
  }

  const id = parts[1]
  if (!/^[1-9][0-9]*$/.test(id)) return reply(404, { message: 'Not found.' })
  const existing = await getRecipe(id)
  if (!existing) return reply(404, { message: `Recipe ${id} not found.` })
  if (req.method === 'GET') return reply(200, { recipe: existing })
  if (req.method === 'PUT') {
    const { recipe, error } = recipeFrom(await readJson(req))
    if (error) return reply(422, { message: error })
    await saveRecipe(id, recipe, false)
    return reply(200, { message: 'Recipe updated.', recipe: await getRecipe(id) })
  }
  if (req.method === 'DELETE') {
    await redis.command('DEL', key(id))
    await redis.command('ZREM', 'recipes', id)
    return send(res, 204, undefined, c)
  }
  reply(405, { message: 'Method not allowed.' })
}

const server = http.createServer((req, res) => {
  const c = cors(req, res)
  if (c === true) return
  handle(req, res, c).catch((err) => {
    console.error(`${req.method} ${req.url}: ${err.message}`)
    if (res.headersSent) return res.destroy()
    if (err.status === 400) return send(res, 400, { message: err.message }, c)
    if (err.name === 'RedisError') return send(res, 503, { message: 'Redis is not available.' }, c)
    send(res, 500, { message: 'Something went wrong.' }, c)
  })
})

server.listen(port, '0.0.0.0', () => {
  console.log(`backend ${pod} listening on 0.0.0.0:${server.address().port}, redis at ${redisHost}:${redisPort}, allowed origins: ${allowedOrigins.join(', ') || 'none'}`)
})
process.on('SIGTERM', () => { server.close(() => { redis.close(); process.exit(0) }); server.closeIdleConnections() })
