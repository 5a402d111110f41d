// member: sign up and log in. Passwords are kept as scrypt hashes in the members table; a
// login answers a signed token (HS256 with JWT_SECRET) that mysub and recommend verify
// themselves, with the same Secret, without calling back here.
//   POST /signup {email, password, name?}   201 {member}; 409 when the email is taken
//   POST /login  {email, password}          200 {token, member}; 401 otherwise
//   GET  /me     (Authorization: Bearer)     200 {member}
import crypto from 'node:crypto'
import { promisify } from 'node:util'
import { HttpError, loadConfig, serve, signToken } from '../lib/service.js'

const config = loadConfig('member')
const scrypt = promisify(crypto.scrypt)

async function hashPassword(password, salt = crypto.randomBytes(16)) {
  const key = await scrypt(password, salt, 32)
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`
}

async function checkPassword(password, stored) {
  const [, salt, key] = stored.split('$')
  const got = await scrypt(password, Buffer.from(salt, 'base64'), 32)
  return crypto.timingSafeEqual(got, Buffer.from(key, 'base64'))
}

const publicMember = (m) => ({ id: m.id, email: m.email, name: m.name, createdAt: m.created_at })

function credentials(body) {
  const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : ''
  const password = typeof body.password === 'string' ? body.password : ''
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new HttpError(422, 'A valid email is required.')
  if (password.length < 6) throw new HttpError(422, 'The password must have at least 6 characters.')
  return { email, password }
}

serve(config, {
  ready: 'SELECT 1 FROM members LIMIT 1',
  routes: {
    'GET /': async () => [200, { service: 'member', endpoints: ['POST /signup', 'POST /login', 'GET /me'] }],
    'POST /signup': async ({ db, body }) => {
      const b = await body()
      const { email, password } = credentials(b)
      const name = typeof b.name === 'string' && b.name.trim() ? b.name.trim().slice(0, 100) : email.split('@')[0]
      const { rows } = await db.query(
        'INSERT INTO members (email, name, password_hash) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING RETURNING *',
        [email, name, await hashPassword(password)])
      if (!rows.length) return [409, { message: 'This email is already registered.' }]
      console.log(`member: signed up ${email} (id ${rows[0].id})`)
      return [201, { message: 'Member created.', member: publicMember(rows[0]) }]
    },
    'POST /login': async ({ db, body, config }) => {
      const { email, password } = credentials(await body())
      const { rows } = await db.query('SELECT * FROM members WHERE email = $1', [email])
      if (!rows.length || !(await checkPassword(password, rows[0].password_hash))) {
        return [401, { message: 'Wrong email or password.' }]
      }
      const token = signToken({ sub: String(rows[0].id), email }, config.jwtSecret, config.tokenTtlSeconds)
      return [200, { token, member: publicMember(rows[0]) }]
    },
    'GET /me': async ({ db, user }) => {
      const { sub } = user()
      const { rows } = await db.query('SELECT * FROM members WHERE id = $1', [Number(sub)])
      if (!rows.length) return [404, { message: 'This member no longer exists.' }]
      return [200, { member: publicMember(rows[0]) }]
    },
  },
})
