/**
 * @module
 * A running container's stdio: its output goes to the CRI log and to every live attach; its
 * stdin (when the container asked for one) is shared by the attaches.
 */
import { PassThrough, Writable, type Readable } from 'node:stream'
import type { CriLogWriter } from '../cri-log.js'
import type { AttachSession } from '../types.js'

export interface ContainerIo {
  /** Resolves when both output streams ended and the log is flushed and closed. */
  readonly done: Promise<void>
  attach(opts: { stdin: boolean; tty: boolean; resize(cols: number, rows: number): void }): AttachSession
}

type Listener = { stdout: PassThrough; stderr: PassThrough | null }

export function containerIo(opts: {
  stdout: Readable | null
  stderr: Readable | null
  stdin: Writable | null
  /** stdinOnce: the container's stdin closes when the first attach that wrote to it ends. */
  stdinOnce: boolean
  log: CriLogWriter
}): ContainerIo {
  const listeners = new Set<Listener>()
  let ended = false
  const pump = (from: Readable | null, stream: 'stdout' | 'stderr') => new Promise<void>((resolve) => {
    if (!from) return resolve()
    from.on('data', (chunk: Buffer) => {
      opts.log.write(stream, chunk)
      for (const l of listeners) (stream === 'stdout' ? l.stdout : l.stderr ?? l.stdout).write(chunk)
    })
    from.on('error', () => resolve())
    from.on('close', () => resolve())
    from.on('end', () => resolve())
  })
  opts.stdin?.on('error', () => {}) // EPIPE once the container is gone
  const done = Promise.all([pump(opts.stdout, 'stdout'), pump(opts.stderr, 'stderr')]).then(async () => {
    ended = true
    for (const l of listeners) { l.stdout.end(); l.stderr?.end() }
    listeners.clear()
    await opts.log.close()
  })

  return {
    done,
    attach({ stdin, tty, resize }) {
      const listener: Listener = { stdout: new PassThrough(), stderr: tty ? null : new PassThrough() }
      if (ended) { listener.stdout.end(); listener.stderr?.end() } else listeners.add(listener)
      const target = opts.stdin
      const input = stdin && target
        ? new Writable({
          write(chunk: Buffer, _enc, cb) { if (target.writable) target.write(chunk, () => cb()); else cb() },
          final(cb) { if (opts.stdinOnce) target.end(); cb() },
        })
        : null
      return {
        stdin: input,
        stdout: listener.stdout,
        stderr: listener.stderr,
        resize,
        close() {
          listeners.delete(listener)
          listener.stdout.end()
          listener.stderr?.end()
        },
      }
    },
  }
}
