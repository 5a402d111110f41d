/**
 * @module
 * Build progress in the shape of BuildKit's plain output: numbered vertices (`#3 [2/4] RUN
 * ...`), their log lines, and `#3 DONE 0.4s`, so the output reads like `docker build`.
 */

export type Progress = {
  /** Starts vertex `#n` with its title; returns the handle that logs to it and ends it. */
  step(title: string): Vertex
  /** A line outside any vertex (warnings). */
  note(line: string): void
}

export type Vertex = {
  log(line: string): void
  done(): void
  error(message: string): void
}

/** Progress written through `write` (process.stderr in the CLI); `now` in ms, for tests. */
export function plainProgress(write: (text: string) => void, now: () => number = () => performance.now()): Progress {
  let n = 0
  const t0 = now()
  const secs = (ms: number) => (ms / 1000).toFixed(1)
  return {
    note: (line) => write(`${line}\n`),
    step(title) {
      const id = ++n
      const start = now()
      write(`#${id} ${title}\n`)
      return {
        log(line) {
          for (const l of line.replace(/\n$/, '').split('\n')) write(`#${id} ${((now() - t0) / 1000).toFixed(3)} ${l}\n`)
        },
        done: () => write(`#${id} DONE ${secs(now() - start)}s\n\n`),
        error: (message) => write(`#${id} ERROR: ${message}\n\n`),
      }
    },
  }
}

/** Progress that prints nothing (quiet builds, tests). */
export const silentProgress: Progress = {
  note() {},
  step: () => ({ log() {}, done() {}, error() {} }),
}
