// A tiny Redis client: commands go out as RESP arrays of bulk strings over one TCP
// connection and replies come back in order, so a queue of pending promises is all the
// bookkeeping needed. It reconnects on the next command after the connection drops.
import net from 'node:net'

export class RedisError extends Error {
  name = 'RedisError'
}

/** Encodes one command: *<n>\r\n then $<len>\r\n<bytes>\r\n per argument. */
export function encode(args) {
  const parts = [`*${args.length}\r\n`]
  for (const a of args) {
    const b = Buffer.from(String(a))
    parts.push(`$${b.length}\r\n`, b, '\r\n')
  }
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)))
}

/**
 * Parses one reply at `pos`. Returns { value, end }, or undefined when `buf` does not yet
 * hold the whole reply. Errors (-ERR ...) come back as RedisError values, not throws, so
 * one bad command does not take the connection down.
 */
export function parse(buf, pos = 0) {
  const eol = buf.indexOf('\r\n', pos)
  if (eol < 0) return undefined
  const type = String.fromCharCode(buf[pos])
  const line = buf.toString('utf8', pos + 1, eol)
  const next = eol + 2
  switch (type) {
    case '+': return { value: line, end: next }
    case '-': return { value: new RedisError(line), end: next }
    case ':': return { value: Number(line), end: next }
    case '$': {
      const len = Number(line)
      if (len < 0) return { value: null, end: next }
      if (buf.length < next + len + 2) return undefined
      return { value: buf.toString('utf8', next, next + len), end: next + len + 2 }
    }
    case '*': {
      const n = Number(line)
      if (n < 0) return { value: null, end: next }
      const items = []
      let at = next
      for (let i = 0; i < n; i++) {
        const item = parse(buf, at)
        if (!item) return undefined
        items.push(item.value)
        at = item.end
      }
      return { value: items, end: at }
    }
    default:
      throw new RedisError(`protocol error: unexpected reply type ${JSON.stringify(type)}`)
  }
}

export function createClient({ host = '127.0.0.1', port = 6379, timeoutMs = 5000 } = {}) {
  let socket
  let buffer = Buffer.alloc(0)
  const pending = [] // { resolve, reject } per command sent, in order

  function failAll(err) {
    while (pending.length) pending.shift().reject(err)
  }

  function connect() {
    const s = net.createConnection({ host, port })
    s.setNoDelay(true)
    s.setTimeout(timeoutMs)
    s.on('data', (chunk) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk
      let r
      try {
        while (pending.length && (r = parse(buffer))) {
          buffer = buffer.subarray(r.end)
          const p = pending.shift()
          if (r.value instanceof RedisError) p.reject(r.value)
          else p.resolve(r.value)
        }
      } catch (err) {
        s.destroy(err)
      }
    })
    // Idle is fine; a command that waits longer than timeoutMs means a dead peer.
    s.on('timeout', () => { if (pending.length) s.destroy(new RedisError(`redis at ${host}:${port} timed out`)) })
    s.on('error', () => {}) // reported through 'close' to the commands in flight
    s.on('close', (hadError) => {
      if (socket === s) socket = undefined
      buffer = Buffer.alloc(0)
      failAll(new RedisError(`connection to redis at ${host}:${port} closed${hadError ? ' with an error' : ''}`))
    })
    return s
  }

  return {
    /** Sends one command, e.g. command('HSET', 'recipe:1', 'name', 'Soup'); resolves with the reply. */
    command(...args) {
      socket ??= connect()
      return new Promise((resolve, reject) => {
        pending.push({ resolve, reject })
        socket.write(encode(args))
      })
    },
    close() {
      socket?.end()
      socket = undefined
    },
  }
}
