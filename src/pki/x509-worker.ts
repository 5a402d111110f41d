/**
 * @module
 * The issuer in a worker thread. @peculiar/x509 and its ASN.1 stack are ~3 MB of heap once
 * loaded, and a module once loaded stays for the life of the process; a server issues
 * certificates only on its first start (or a renewal), so it does so here and the thread's
 * heap goes with it.
 */
import { parentPort } from 'node:worker_threads'

export type IssueRequest = { id: number; fn: 'createCa' | 'issueServingCert' | 'issueClientCertNow'; args: unknown[] }
export type IssueReply = { id: number; value?: unknown; error?: string }

if (parentPort) {
  const port = parentPort
  const issuer = await import('./x509-issue.js')
  port.on('message', ({ id, fn, args }: IssueRequest) => {
    ;(issuer[fn] as (...a: unknown[]) => Promise<unknown>)(...args).then(
      (value) => port.postMessage({ id, value } satisfies IssueReply),
      (err: unknown) => port.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies IssueReply),
    )
  })
}
