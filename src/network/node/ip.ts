/**
 * @module
 * Running iproute2. Many changes go through one `ip -batch -` process: a pod's network
 * costs two processes instead of a dozen, which is most of its set-up time.
 */
import { spawn } from 'node:child_process'

export type IpBatchOptions = {
  /** Run in this named network namespace (`ip -n`). */
  netns?: string
  /** Carry on past failing lines (`ip -force`); the result still reports them. */
  force?: boolean
}

/** Runs `lines` through one `ip -batch -`; rejects with ip's stderr unless `force`. */
export function ipBatch(lines: string[], opts: IpBatchOptions = {}): Promise<{ ok: boolean; stderr: string }> {
  const args = [...(opts.netns ? ['-n', opts.netns] : []), ...(opts.force ? ['-force'] : []), '-batch', '-']
  return new Promise((resolve, reject) => {
    const child = spawn('ip', args, { stdio: ['pipe', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve({ ok: true, stderr })
      else if (opts.force) resolve({ ok: false, stderr })
      else reject(new Error(`ip ${args.join(' ')} failed: ${stderr.trim() || `exit ${code}`}\n${lines.join('\n')}`))
    })
    child.stdin.end(lines.join('\n') + '\n')
  })
}
