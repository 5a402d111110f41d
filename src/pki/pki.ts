/**
 * @module
 * The cluster's certificates under `<data-dir>/pki/`: created on first start, loaded on later
 * ones. Loading only reads and parses (Node's native X509Certificate); the issuing module and
 * its crypto are loaded only when a certificate is missing, no longer fits, or nears expiry.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { missingSans, needsRenewal, servingSans } from './sans.js'
import { readIfExists, writeFileAtomic } from './files.js'
import type { CertAndKey, CertSubject, EnsurePkiOptions, Pki } from './types.js'

export const CA_COMMON_NAME = 'kubelite-ca'
export const SERVING_COMMON_NAME = 'kube-apiserver'
/** The admin identity: system:masters is the group upstream's RBAC bootstrap binds to cluster-admin. */
export const ADMIN_SUBJECT = { commonName: 'kubelite-admin', organizations: ['system:masters'] }

/** File names under `<data-dir>/pki/`. */
export const PKI_FILES = {
  caCert: 'ca.crt', caKey: 'ca.key',
  serverCert: 'apiserver.crt', serverKey: 'apiserver.key',
  adminCert: 'admin.crt', adminKey: 'admin.key',
} as const

const loadIssuer = () => import('./x509-issue.js')
type Issuer = Pick<Awaited<ReturnType<typeof loadIssuer>>, 'createCa' | 'issueServingCert' | 'issueClientCertNow'>
type IssueReply = import('./x509-worker.js').IssueReply

/**
 * The issuer, run in a worker thread (see x509-worker.ts) that `close` ends: a long-lived server
 * keeps none of the issuing libraries in its own heap. Calls go one at a time.
 */
function issuerThread(): Issuer & { close(): Promise<void> } {
  let worker: Worker | undefined
  let next = 0
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>()
  const call = (fn: keyof Issuer) => (...args: unknown[]) => {
    if (!worker) {
      worker = new Worker(new URL('./x509-worker.js', import.meta.url))
      worker.on('message', ({ id, value, error }: IssueReply) => {
        const p = pending.get(id)
        pending.delete(id)
        if (error === undefined) p?.resolve(value)
        else p?.reject(new Error(error))
      })
      const fail = (err: Error) => {
        for (const p of pending.values()) p.reject(err)
        pending.clear()
      }
      worker.on('error', fail)
      worker.on('exit', (code) => fail(new Error(`the certificate issuer exited (code ${code})`)))
    }
    const id = next++
    worker.postMessage({ id, fn, args })
    return new Promise((resolve, reject) => pending.set(id, { resolve, reject }))
  }
  return {
    createCa: call('createCa') as Issuer['createCa'],
    issueServingCert: call('issueServingCert') as Issuer['issueServingCert'],
    issueClientCertNow: call('issueClientCertNow') as Issuer['issueClientCertNow'],
    close: async () => {
      await worker?.terminate()
    },
  }
}

/** Issues a client certificate signed by `ca` (CN = user name, O = groups). */
export async function issueClientCert(ca: CertAndKey, subject: CertSubject): Promise<CertAndKey> {
  return (await loadIssuer()).issueClientCertNow(ca, subject)
}

/** The parsed certificate when both halves parse and the key matches; else undefined. */
function parsePair(pair: Partial<CertAndKey>): X509Certificate | undefined {
  if (!pair.cert || !pair.key) return undefined
  try {
    const cert = new X509Certificate(pair.cert)
    return cert.checkPrivateKey(createPrivateKey(pair.key)) ? cert : undefined
  } catch {
    return undefined // unreadable: issue a fresh one rather than refuse to start
  }
}

/** A leaf is kept when it parses, was issued by `ca` (checkIssued compares names and key ids,
 *  which tells a leaf of a replaced CA apart) and is not near expiry. */
function usableLeaf(pair: Partial<CertAndKey>, ca: X509Certificate, now: Date): X509Certificate | undefined {
  const cert = parsePair(pair)
  return cert && cert.checkIssued(ca) && !needsRenewal(cert, now) ? cert : undefined
}

/** Loads the cluster's certificates, issuing whatever is missing or no longer fits. */
export async function ensurePki(dataDir: string, opts: EnsurePkiOptions = {}): Promise<Pki> {
  const dir = join(dataDir, 'pki')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const path = (name: keyof typeof PKI_FILES) => join(dir, PKI_FILES[name])
  const names = Object.keys(PKI_FILES) as (keyof typeof PKI_FILES)[]
  const found = Object.fromEntries(
    await Promise.all(names.map(async (name) => [name, await readIfExists(path(name))] as const)),
  ) as Partial<Pki>
  const now = opts.now ?? new Date()
  const sans = servingSans(opts.extraSans)

  const save = async (certName: keyof typeof PKI_FILES, keyName: keyof typeof PKI_FILES, pair: CertAndKey) => {
    // Key first: a crash in between leaves a mismatched pair, which the next start re-issues.
    await writeFileAtomic(path(keyName), pair.key, 0o600)
    await writeFileAtomic(path(certName), pair.cert, 0o644)
  }

  const issuer = issuerThread()
  try {
    return await ensureAll()
  } finally {
    await issuer.close()
  }

  async function ensureAll(): Promise<Pki> {
    // The CA is never renewed here: a new CA would invalidate every kubeconfig handed out.
    let caCert = parsePair({ cert: found.caCert, key: found.caKey })
    let ca: CertAndKey = { cert: found.caCert ?? '', key: found.caKey ?? '' }
    if (!caCert) {
      ca = await issuer.createCa(CA_COMMON_NAME, now)
      await save('caCert', 'caKey', ca)
      caCert = new X509Certificate(ca.cert)
    }

    let server: CertAndKey = { cert: found.serverCert ?? '', key: found.serverKey ?? '' }
    const serverCert = usableLeaf(server, caCert, now)
    if (!serverCert || missingSans(server.cert, sans).length > 0) {
      server = await issuer.issueServingCert(ca, SERVING_COMMON_NAME, sans, now)
      await save('serverCert', 'serverKey', server)
    }

    let admin: CertAndKey = { cert: found.adminCert ?? '', key: found.adminKey ?? '' }
    if (!usableLeaf(admin, caCert, now)) {
      admin = await issuer.issueClientCertNow(ca, ADMIN_SUBJECT, now)
      await save('adminCert', 'adminKey', admin)
    }

    return {
      caCert: ca.cert, caKey: ca.key,
      serverCert: server.cert, serverKey: server.key,
      adminCert: admin.cert, adminKey: admin.key,
    }
  }
}
