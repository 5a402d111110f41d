// A minimal PostgreSQL client over node:net, so the backends need no npm packages: the
// frontend/backend protocol v3 with the startup handshake, cleartext, MD5 and SCRAM-SHA-256
// password authentication, and the simple Query flow (RowDescription, DataRow,
// CommandComplete, ErrorResponse). No TLS, no extended protocol: parameters are quoted
// client-side as SQL literals (see `literal`), which is safe with standard_conforming_strings.
import net from 'node:net'
import crypto from 'node:crypto'

const PROTOCOL_V3 = 196608 // 3 << 16

/** A server ErrorResponse: `code` is the SQLSTATE (23505 unique_violation, 42P01 undefined_table, ...). */
export class PgError extends Error {
  constructor(fields) {
    super(fields.M ?? 'unknown PostgreSQL error')
    this.name = 'PgError'
    this.code = fields.C
    this.severity = fields.S
    this.detail = fields.D
  }
}

/** One message from the front end: a type byte (none for the startup message), a length, a body. */
function message(type, ...parts) {
  const body = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p + '\0') : p)))
  const head = Buffer.alloc(type ? 5 : 4)
  if (type) head.write(type, 0, 'latin1')
  head.writeInt32BE(body.length + 4, type ? 1 : 0)
  return Buffer.concat([head, body])
}
const int32 = (n) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b }

// Text-format values by type OID; anything not listed stays a string (timestamps, numeric...).
const PARSERS = {
  16: (s) => s === 't', // bool
  20: Number, 21: Number, 23: Number, 26: Number, // int8, int2, int4, oid (int8 fits here: ids, counts)
  700: Number, 701: Number, // float4, float8
  114: JSON.parse, 3802: JSON.parse, // json, jsonb
}

/** A value as an SQL literal. Strings double their quotes; a NUL cannot be stored, so it is refused. */
export function literal(v) {
  if (v === null || v === undefined) return 'NULL'
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`not a finite number: ${v}`)
    return String(v)
  }
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE'
  if (v instanceof Date) v = v.toISOString()
  if (typeof v === 'object') v = JSON.stringify(v)
  const s = String(v)
  if (s.includes('\0')) throw new TypeError('a string with a NUL character cannot be sent to PostgreSQL')
  return `'${s.replaceAll("'", "''")}'`
}

/** `text` with $1, $2... replaced by the params as literals (only our own SQL goes through here). */
export function format(text, params = []) {
  return text.replace(/\$(\d+)/g, (_, i) => {
    if (Number(i) < 1 || Number(i) > params.length) throw new RangeError(`no parameter $${i}`)
    return literal(params[Number(i) - 1])
  })
}

/** The SCRAM-SHA-256 exchange (RFC 5802/7677) as PostgreSQL runs it: no channel binding. */
function scram(password) {
  const clientNonce = crypto.randomBytes(18).toString('base64')
  const firstBare = `n=,r=${clientNonce}` // the user name comes from the startup message
  const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest()
  let serverSignature
  return {
    first: `n,,${firstBare}`,
    /** The client-final-message for the server-first-message. */
    final(serverFirst) {
      const attrs = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]))
      if (!attrs.r?.startsWith(clientNonce)) throw new Error('SCRAM: the server nonce does not extend ours')
      const salted = crypto.pbkdf2Sync(password, Buffer.from(attrs.s, 'base64'), Number(attrs.i), 32, 'sha256')
      const clientKey = hmac(salted, 'Client Key')
      const storedKey = crypto.createHash('sha256').update(clientKey).digest()
      const withoutProof = `c=biws,r=${attrs.r}` // biws = base64("n,,")
      const authMessage = `${firstBare},${serverFirst},${withoutProof}`
      const signature = hmac(storedKey, authMessage)
      const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]))
      serverSignature = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64')
      return `${withoutProof},p=${proof.toString('base64')}`
    },
    /** Throws unless the server proved it knows the password too. */
    check(serverFinal) {
      if (serverFinal.trim() !== `v=${serverSignature}`) throw new Error('SCRAM: the server signature does not match')
    },
  }
}

/**
 * Opens one connection and completes the startup and authentication.
 * Options: host, port (5432), user, password, database (user), connectTimeoutMs (5000).
 */
export function connect({ host, port = 5432, user, password = '', database = user, connectTimeoutMs = 5000 }) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port })
    socket.setNoDelay(true)
    const timer = setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port} timed out`)), connectTimeoutMs)
    let buf = Buffer.alloc(0)
    let sasl
    // The current query's collector; undefined between queries. Set by `query` below.
    let current
    const queue = []
    const params = {}
    let ready = false
    let closedError

    const client = {
      params,
      /** Runs one simple Query (one or more statements); resolves to the last statement's result. */
      query(text, values) {
        const sql = values ? format(text, values) : text
        return new Promise((res, rej) => {
          if (closedError) return rej(closedError)
          queue.push({ sql, res, rej })
          if (!current) next()
        })
      },
      /** Sends Terminate and closes. */
      end() {
        closedError ??= new Error('connection closed')
        if (!socket.destroyed) socket.end(message('X'))
      },
      get closed() { return closedError !== undefined },
    }

    function next() {
      const q = queue.shift()
      if (!q) return
      current = { ...q, results: [], fields: [], rows: [], error: undefined }
      socket.write(message('Q', q.sql))
    }

    function fail(err) {
      closedError ??= err
      clearTimeout(timer)
      if (!ready) reject(err)
      current?.rej(err)
      current = undefined
      for (const q of queue.splice(0)) q.rej(err)
    }

    function handle(type, body) {
      switch (type) {
        case 'R': { // authentication request
          const code = body.readInt32BE(0)
          if (code === 0) return // AuthenticationOk
          if (code === 3) return socket.write(message('p', password)) // cleartext
          if (code === 5) { // MD5: md5(md5(password + user) + salt)
            const md5 = (x) => crypto.createHash('md5').update(x).digest('hex')
            return socket.write(message('p', 'md5' + md5(Buffer.concat([Buffer.from(md5(password + user)), body.subarray(4, 8)]))))
          }
          if (code === 10) { // SASL: a list of mechanisms
            const mechanisms = body.subarray(4).toString('utf8').split('\0').filter(Boolean)
            if (!mechanisms.includes('SCRAM-SHA-256')) throw new Error(`unsupported SASL mechanisms: ${mechanisms.join(', ')}`)
            sasl = scram(password)
            const first = Buffer.from(sasl.first)
            return socket.write(message('p', 'SCRAM-SHA-256', int32(first.length), first))
          }
          if (code === 11) return socket.write(message('p', Buffer.from(sasl.final(body.subarray(4).toString('utf8')))))
          if (code === 12) return sasl.check(body.subarray(4).toString('utf8'))
          throw new Error(`unsupported authentication request ${code}`)
        }
        case 'S': { // ParameterStatus
          const [k, v] = body.toString('utf8').split('\0')
          params[k] = v
          return
        }
        case 'K': return // BackendKeyData: we never cancel
        case 'Z': // ReadyForQuery
          if (!ready) {
            ready = true
            clearTimeout(timer)
            // Quoting in `literal` assumes backslashes are ordinary characters.
            if (params.standard_conforming_strings !== 'on') return fail(new Error('standard_conforming_strings must be on'))
            return resolve(client)
          }
          if (current) {
            const done = current
            current = undefined
            if (done.error) done.rej(done.error)
            else done.res(done.results.at(-1) ?? { command: '', rowCount: 0, fields: [], rows: [] })
            next()
          }
          return
        case 'T': { // RowDescription
          const fields = []
          let off = 2
          for (let i = body.readInt16BE(0); i > 0; i--) {
            const end = body.indexOf(0, off)
            const name = body.toString('utf8', off, end)
            off = end + 1
            fields.push({ name, typeOid: body.readInt32BE(off + 6) })
            off += 18
          }
          current.fields = fields
          current.rows = []
          return
        }
        case 'D': { // DataRow
          const row = {}
          let off = 2
          for (let i = 0, n = body.readInt16BE(0); i < n; i++) {
            const len = body.readInt32BE(off)
            off += 4
            const f = current.fields[i]
            if (len < 0) row[f.name] = null
            else {
              const text = body.toString('utf8', off, off + len)
              row[f.name] = (PARSERS[f.typeOid] ?? String)(text)
              off += len
            }
          }
          current.rows.push(row)
          return
        }
        case 'C': { // CommandComplete: "INSERT 0 1", "SELECT 3", "DELETE 1"...
          const command = body.toString('utf8', 0, body.length - 1)
          const count = Number(command.split(' ').at(-1))
          current.results.push({ command, rowCount: Number.isFinite(count) ? count : 0, fields: current.fields, rows: current.rows })
          current.fields = []
          current.rows = []
          return
        }
        case 'I': return // EmptyQueryResponse
        case 'N': return // NoticeResponse
        case 'E': { // ErrorResponse: byte-tagged NUL-terminated fields
          const fields = {}
          let off = 0
          while (off < body.length && body[off] !== 0) {
            const end = body.indexOf(0, off + 1)
            fields[String.fromCharCode(body[off])] = body.toString('utf8', off + 1, end)
            off = end + 1
          }
          const err = new PgError(fields)
          if (!ready) throw err // authentication or startup failed: the server closes
          if (current) current.error ??= err
          return
        }
        default: return // NotificationResponse and others we never ask for
      }
    }

    socket.on('connect', () => {
      socket.write(message(null, int32(PROTOCOL_V3), 'user', user, 'database', database,
        'application_name', process.env.HOSTNAME || 'lifesub', 'client_encoding', 'UTF8', ''))
    })
    socket.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk
      while (buf.length >= 5) {
        const len = buf.readInt32BE(1)
        if (buf.length < len + 1) break
        const type = String.fromCharCode(buf[0])
        const body = buf.subarray(5, len + 1)
        buf = buf.subarray(len + 1)
        try {
          handle(type, body)
        } catch (err) {
          fail(err)
          socket.destroy()
          return
        }
      }
    })
    socket.on('error', (err) => fail(err))
    socket.on('close', () => fail(closedError ?? new Error('connection closed by the server')))
  })
}

/**
 * A small pool: up to `max` connections, made on demand and dropped when they fail, so a
 * restarted database is reconnected on the next query.
 */
export function createPool(options, { max = 4 } = {}) {
  const idle = []
  const waiters = []
  let open = 0

  async function acquire() {
    while (idle.length) {
      const c = idle.pop()
      if (!c.closed) return c
      open--
    }
    if (open < max) {
      open++
      try {
        return await connect(options)
      } catch (err) {
        open--
        throw err
      }
    }
    return new Promise((resolve) => waiters.push(resolve))
  }

  function release(c) {
    if (c.closed) {
      open--
      // Someone waiting gets a fresh connection instead.
      const w = waiters.shift()
      if (w) acquire().then(w, () => w(Promise.reject(new Error('reconnect failed'))))
      return
    }
    const w = waiters.shift()
    if (w) w(c)
    else idle.push(c)
  }

  return {
    /** Runs `text` (with $n parameters) on a pooled connection. */
    async query(text, values) {
      const c = await acquire()
      try {
        return await c.query(text, values)
      } finally {
        release(c)
      }
    },
    end() {
      for (const c of idle.splice(0)) c.end()
    },
  }
}
