// The PostgreSQL client against a real, throwaway PostgreSQL 15 on 127.0.0.1: cleartext,
// MD5 and SCRAM-SHA-256 logins, a wrong password, results and types, errors, quoting,
// and the pool. Run with `node --test examples/lifesub/lib/pg.test.js`; skipped (with the
// reason) without /usr/lib/postgresql/15/bin, or as root without a `postgres` user to run it.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync, appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { connect, createPool, format, PgError } from './pg.js'

const bin = '/usr/lib/postgresql/15/bin'
const root = process.getuid?.() === 0
const idOf = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim() || NaN)
// postgres refuses to run as root: as root, run the tools as the host's postgres user.
const as = root ? { uid: idOf('-u'), gid: idOf('-g') } : {}
const skip = !existsSync(`${bin}/postgres`) ? `PostgreSQL 15 is not installed (no ${bin}/postgres)`
  : root && !(as.uid >= 0) ? 'running as root and there is no postgres user to run PostgreSQL as'
  : undefined

/** A free TCP port on 127.0.0.1 (postgres takes a port number, not 0). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) })
    s.on('error', reject)
  })
}

describe('lib/pg.js against PostgreSQL', { skip }, () => {
  let dir, server, port
  const users = { scram: 'pw-scram', md5user: 'pw-md5', plain: "pw-'plain'" }

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lifesub-pg-'))
    if (root) chownSync(dir, as.uid, as.gid)
    port = await freePort()
    const data = path.join(dir, 'data')
    const init = spawnSync(`${bin}/initdb`, ['-D', data, '-U', 'scram', '-A', 'trust', '-E', 'UTF8'], { ...as, cwd: dir, encoding: 'utf8' })
    assert.equal(init.status, 0, init.stderr)
    appendFileSync(path.join(data, 'postgresql.conf'), `listen_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\n`)
    // One user per method: the first matching line wins, the trust lines initdb wrote come last.
    const hba = path.join(data, 'pg_hba.conf')
    writeFileSync(hba, 'host all plain 127.0.0.1/32 password\nhost all md5user 127.0.0.1/32 md5\nhost all scram 127.0.0.1/32 scram-sha-256\n' +
      readFileSync(hba, 'utf8').split('\n').filter((l) => l.startsWith('local')).join('\n') + '\n')
    server = spawn(`${bin}/postgres`, ['-D', data], { ...as, cwd: dir, stdio: 'ignore' })
    for (let i = 0; i < 100; i++) {
      if (spawnSync(`${bin}/pg_isready`, ['-h', '127.0.0.1', '-p', String(port), '-q']).status === 0) break
      await new Promise((r) => setTimeout(r, 100))
    }
    const sql = "ALTER USER scram PASSWORD 'pw-scram'; SET password_encryption = 'md5'; " +
      "CREATE USER md5user PASSWORD 'pw-md5'; CREATE USER plain PASSWORD 'pw-''plain'''"
    const psql = spawnSync(`${bin}/psql`, ['-h', dir, '-p', String(port), '-U', 'scram', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' })
    assert.equal(psql.status, 0, psql.stderr)
  })

  after(() => new Promise((resolve) => {
    const done = () => { clearTimeout(timer); if (dir) rmSync(dir, { recursive: true, force: true }); resolve() }
    const timer = setTimeout(() => server?.kill('SIGKILL'), 10_000)
    if (!server || server.exitCode !== null || server.signalCode !== null) return done()
    server.on('exit', done)
    server.kill('SIGINT') // a fast shutdown: ends the sessions, no waiting for clients
  }))

  const opts = (user) => ({ host: '127.0.0.1', port, user, password: users[user], database: 'postgres' })

  for (const user of Object.keys(users)) {
    it(`logs in with ${user === 'plain' ? 'a cleartext password' : user === 'md5user' ? 'MD5' : 'SCRAM-SHA-256'}`, async () => {
      const c = await connect(opts(user))
      try {
        const r = await c.query('SELECT current_user AS who')
        assert.deepEqual(r.rows, [{ who: user }])
      } finally {
        c.end()
      }
    })
  }

  it('reports a wrong password as the server words it', async () => {
    await assert.rejects(connect({ ...opts('md5user'), password: 'nope' }),
      (err) => err instanceof PgError && err.code === '28P01' && /password authentication failed/.test(err.message))
    await assert.rejects(connect({ ...opts('scram'), password: 'nope' }), (err) => err instanceof PgError && err.code === '28P01')
  })

  it('parses rows by type, counts commands and keeps quotes in parameters', async () => {
    const c = await connect(opts('scram'))
    try {
      const r = await c.query("SELECT 42::int AS n, 2.5::float8 AS f, true AS b, NULL::text AS z, '{\"a\":1}'::jsonb AS j, $1::text AS s",
        ["it's \\ fine; DROP TABLE x; --"])
      assert.deepEqual(r.rows, [{ n: 42, f: 2.5, b: true, z: null, j: { a: 1 }, s: "it's \\ fine; DROP TABLE x; --" }])
      const ins = await c.query('CREATE TEMP TABLE t (v int); INSERT INTO t VALUES (1), (2), (3)')
      assert.equal(ins.command, 'INSERT 0 3')
      assert.equal(ins.rowCount, 3)
      assert.equal((await c.query('DELETE FROM t WHERE v > $1', [1])).rowCount, 2)
    } finally {
      c.end()
    }
  })

  it('turns an ErrorResponse into a PgError and stays usable', async () => {
    const c = await connect(opts('scram'))
    try {
      await assert.rejects(c.query('SELECT * FROM missing_table'), (err) => err instanceof PgError && err.code === '42P01')
      assert.deepEqual((await c.query('SELECT 1 AS one')).rows, [{ one: 1 }])
    } finally {
      c.end()
    }
  })

  it('runs concurrent queries on at most `max` connections', async () => {
    const pool = createPool(opts('scram'), { max: 2 })
    try {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => pool.query('SELECT $1::int * 2 AS v, pg_backend_pid() AS pid', [i])))
      assert.deepEqual(results.map((r) => r.rows[0].v), [0, 2, 4, 6, 8, 10, 12, 14])
      assert.ok(new Set(results.map((r) => r.rows[0].pid)).size <= 2)
    } finally {
      pool.end()
    }
  })
})

describe('format', () => {
  it('quotes parameters as SQL literals', () => {
    assert.equal(format('SELECT $1, $2, $3, $4', ["o'brien", 7, null, true]), "SELECT 'o''brien', 7, NULL, TRUE")
    assert.throws(() => format('SELECT $2', [1]), RangeError)
    assert.throws(() => format('SELECT $1', ['a\0b']), TypeError)
  })
})
