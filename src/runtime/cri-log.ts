/**
 * @module
 * Container log files in the CRI format the kubelet reads back (`kubectl logs`):
 * `<RFC3339Nano time> <stdout|stderr> <F|P> <text>\n`, one record per line of output.
 */
import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'

// Upstream: containerd internal/cri/io/logger.go (redirectLogs). Like containerd's default
// max_container_log_line_size, a longer line becomes several records tagged P, the last one F.
export const MAX_LOG_LINE_BYTES = 16 * 1024

export interface CriLogWriter {
  /** Appends output; a line is written once its newline arrives (or at close). */
  write(stream: 'stdout' | 'stderr', chunk: Buffer): void
  /** Writes any unterminated line (tag F, as containerd does at EOF) and closes the file. */
  close(): Promise<void>
}

// Wall-clock nanoseconds: Date has only milliseconds, so anchor the monotonic clock to it once.
const anchorNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint()

/** The current time as RFC 3339 with nine fractional digits (UTC). */
export function rfc3339NanoNow(): string {
  const ns = anchorNs + process.hrtime.bigint()
  const iso = new Date(Number(ns / 1_000_000n)).toISOString() // 2024-01-02T03:04:05.678Z
  return `${iso.slice(0, 19)}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`
}

/** Opens (appends to) a CRI log file; its directory is created when missing. */
export async function openCriLog(path: string): Promise<CriLogWriter> {
  await mkdir(dirname(path), { recursive: true })
  const file: WriteStream = createWriteStream(path, { flags: 'a' })
  await new Promise<void>((resolve, reject) => {
    file.once('open', () => resolve())
    file.once('error', reject)
  })
  let failed: Error | undefined
  file.on('error', (err) => { failed = err }) // e.g. disk full: the container keeps running
  const pending: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] }
  let closed = false

  const record = (stream: 'stdout' | 'stderr', tag: 'F' | 'P', line: Buffer) => {
    if (failed) return
    file.write(Buffer.concat([Buffer.from(`${rfc3339NanoNow()} ${stream} ${tag} `), line, Buffer.from('\n')]))
  }
  const emit = (stream: 'stdout' | 'stderr', line: Buffer) => {
    let rest = line
    while (rest.length > MAX_LOG_LINE_BYTES) {
      record(stream, 'P', rest.subarray(0, MAX_LOG_LINE_BYTES))
      rest = rest.subarray(MAX_LOG_LINE_BYTES)
    }
    record(stream, 'F', rest)
  }

  return {
    write(stream, chunk) {
      if (closed) return
      const parts = pending[stream]
      let start = 0
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
        parts.push(chunk.subarray(start, nl))
        emit(stream, Buffer.concat(parts))
        parts.length = 0
        start = nl + 1
      }
      if (start < chunk.length) parts.push(Buffer.from(chunk.subarray(start)))
      // An endless line without newline must not grow without bound: flush it as partials.
      let size = parts.reduce((n, b) => n + b.length, 0)
      while (size > MAX_LOG_LINE_BYTES) {
        const all = Buffer.concat(parts)
        record(stream, 'P', all.subarray(0, MAX_LOG_LINE_BYTES))
        parts.length = 0
        parts.push(all.subarray(MAX_LOG_LINE_BYTES))
        size -= MAX_LOG_LINE_BYTES
      }
    },
    async close() {
      if (closed) return
      closed = true
      for (const stream of ['stdout', 'stderr'] as const) {
        if (pending[stream].length) emit(stream, Buffer.concat(pending[stream]))
        pending[stream].length = 0
      }
      await new Promise<void>((resolve) => file.end(() => resolve()))
    },
  }
}
