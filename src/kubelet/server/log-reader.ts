/**
 * @module
 * Reads a container's CRI log file back as `kubectl logs` shows it: one record per line,
 * `<RFC3339Nano time> <stdout|stderr> <F|P> <text>`, where P records are pieces of one long
 * line to be joined until the F record. Honours PodLogOptions: tailLines, sinceTime (and
 * sinceSeconds, turned into a time by the caller), timestamps, limitBytes and follow.
 */
// Upstream: pkg/kubelet/kuberuntime/logs/logs.go (ReadLogs, parseCRILog, logWriter),
// pkg/util/tail (FindTailLineStartIndex).
import { open, type FileHandle } from 'node:fs/promises'
import type { Writable } from 'node:stream'

export type LogOptions = {
  follow?: boolean
  /** Only the last N lines of the file (N records). */
  tailLines?: number
  /** Only records at or after this time. */
  sinceTime?: Date
  /** Prefix every line with its RFC3339Nano time. */
  timestamps?: boolean
  /** Stop after this many bytes of output. */
  limitBytes?: number
}

export type LogFollowControl = {
  /** Whether the container may still write: following stops once it is not and no data is left. */
  isRunning(): boolean
  /** The reader goes (client gone). */
  signal?: AbortSignal
  /** How often a followed file is polled for new data. */
  pollMs?: number
}

export type CriLogRecord = { time: string; stream: 'stdout' | 'stderr'; partial: boolean; content: Buffer }

/** One CRI log line (without its newline), or undefined when it is not one. */
export function parseCriLine(line: Buffer): CriLogRecord | undefined {
  const s1 = line.indexOf(0x20)
  if (s1 <= 0) return undefined
  const s2 = line.indexOf(0x20, s1 + 1)
  if (s2 < 0) return undefined
  const stream = line.toString('latin1', s1 + 1, s2)
  if (stream !== 'stdout' && stream !== 'stderr') return undefined
  // The tag field may carry several tags separated by ':'; the first says F or P.
  let s3 = line.indexOf(0x20, s2 + 1)
  if (s3 < 0) s3 = line.length
  const tags = line.toString('latin1', s2 + 1, s3).split(':')
  return {
    time: line.toString('latin1', 0, s1), stream, partial: tags[0] === 'P',
    content: line.subarray(Math.min(s3 + 1, line.length)),
  }
}

const CHUNK = 64 * 1024

/** The offset where the last `n` lines of the file start (0 when it has fewer). */
export async function tailStart(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n <= 0) return size
  const buf = Buffer.alloc(CHUNK)
  let pos = size
  // The file's last byte ends the last line; the (n+1)th newline from the end precedes the first wanted.
  let newlines = 0
  let skipFinal = true
  while (pos > 0) {
    const len = Math.min(CHUNK, pos)
    pos -= len
    await fh.read(buf, 0, len, pos)
    for (let i = len - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) {
        skipFinal = false
        continue
      }
      if (skipFinal) {
        skipFinal = false
        continue
      }
      if (++newlines === n) return pos + i + 1
    }
  }
  return 0
}

/**
 * Writes the log at `path` to `out` as kubectl shows it; resolves when done (end of file, or
 * with follow when the container stopped and nothing is left, or the signal fired). Does not end `out`.
 */
export async function readContainerLog(path: string, opts: LogOptions, out: Writable, ctl: LogFollowControl): Promise<void> {
  const fh = await open(path, 'r')
  try {
    const { size } = await fh.stat()
    let pos = opts.tailLines !== undefined ? await tailStart(fh, size, opts.tailLines) : 0
    let remaining = opts.limitBytes ?? Infinity
    let atLineStart = true
    let carry = Buffer.alloc(0)
    const since = opts.sinceTime?.getTime()
    const buf = Buffer.alloc(CHUNK)
    const pollMs = ctl.pollMs ?? 100

    const write = async (data: Buffer | string) => {
      let b = typeof data === 'string' ? Buffer.from(data) : data
      if (b.length > remaining) b = b.subarray(0, remaining)
      remaining -= b.length
      if (b.length && !out.write(b)) await new Promise<void>((resolve) => {
        const done = () => {
          out.off('drain', done)
          out.off('close', done)
          resolve()
        }
        out.once('drain', done)
        out.once('close', done)
      })
    }
    const emit = async (line: Buffer) => {
      const rec = parseCriLine(line)
      if (!rec) return
      if (since !== undefined && Date.parse(rec.time) < since) return
      if (opts.timestamps && atLineStart) await write(`${rec.time} `)
      await write(rec.content)
      if (!rec.partial) await write('\n')
      atLineStart = !rec.partial
    }

    for (;;) {
      if (ctl.signal?.aborted || remaining <= 0 || out.destroyed) return
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos)
      if (bytesRead > 0) {
        pos += bytesRead
        let data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead))
        let nl: number
        while ((nl = data.indexOf(0x0a)) >= 0 && remaining > 0) {
          await emit(data.subarray(0, nl))
          data = data.subarray(nl + 1)
        }
        carry = data
        continue
      }
      if (!opts.follow) return
      // End of file: a stopped container writes no more, once we have seen all it wrote.
      const running = ctl.isRunning()
      if (!running) {
        const { size: now } = await fh.stat()
        if (now <= pos) return
        continue
      }
      await sleep(pollMs, ctl.signal)
    }
  } finally {
    await fh.close()
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
