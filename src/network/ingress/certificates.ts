/**
 * @module
 * Serving certificates: the self-signed default (ingress-nginx's "Fake Certificate", for hosts
 * without a usable Secret) and a store of TLS contexts from `kubernetes.io/tls` Secrets, picked
 * by SNI name — exact host first, then a `*.` host one label up.
 */
// Upstream: ingress-nginx internal/net/ssl/ssl.go (GetFakeSSLCert: CN "Kubernetes Ingress
// Controller Fake Certificate", SAN ingress.local) and rootfs/etc/nginx/lua/certificate.lua
// (lookup by server name, then its wildcard).
import { webcrypto } from 'node:crypto'
import { createSecureContext, type SecureContext } from 'node:tls'
import type { Secret } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'

export type CertAndKey = { cert: string; key: string }

const DAY_MS = 86_400_000

/** ingress-nginx's self-signed default ("Fake") certificate, freshly generated. */
export const createDefaultCertificate = (now = new Date()) =>
  createSelfSignedCertificate('Kubernetes Ingress Controller Fake Certificate', ['ingress.local'], now)

/**
 * A new self-signed serving certificate (RSA 2048, as ingress-nginx's fake one), valid for a
 * year. Not ECDSA: OpenSSL keeps the default context's certificate beside the one an SNI
 * callback picks, and prefers an ECDSA default over a Secret's RSA certificate.
 */
export async function createSelfSignedCertificate(commonName: string, dnsNames: string[], now = new Date()): Promise<CertAndKey> {
  // Loaded lazily: @peculiar/x509 and its reflection shim cost ~80 ms to import.
  await import('reflect-metadata')
  const x509 = await import('@peculiar/x509')
  x509.cryptoProvider.set(webcrypto)
  const alg = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
  serial[0] = (serial[0]! & 0x7f) | 0x40 // positive and non-zero, as Go insists
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: [{ O: ['Acme Co'] }, { CN: [commonName] }],
    keys,
    signingAlgorithm: alg,
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter: new Date(now.getTime() + 365 * DAY_MS),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
    ],
  })
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)
  return { cert: cert.toString('pem'), key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') }
}

/** The certificate and key of a `kubernetes.io/tls` Secret, or why it cannot serve. */
export function secretCertificate(secret: Cached<Secret> | undefined): CertAndKey | { error: string } {
  if (!secret) return { error: 'secret not found' }
  const data = secret.data ?? {}
  const crt = data['tls.crt']
  const key = data['tls.key']
  if (!crt || !key) return { error: 'secret has no tls.crt and tls.key' }
  return { cert: Buffer.from(crt, 'base64').toString('utf8'), key: Buffer.from(key, 'base64').toString('utf8') }
}

/**
 * TLS contexts by host. Contexts are cached by Secret uid and resourceVersion, so rebuilding
 * the route table for an endpoint change does not re-parse every certificate.
 */
export function certificateStore() {
  let fallback: SecureContext | undefined
  const cache = new Map<string, SecureContext>()
  let byHost = new Map<string, SecureContext>()
  return {
    /** Installs the default certificate (before any TLS connection is served). */
    setDefault(pair: CertAndKey): void {
      fallback = createSecureContext(pair)
    },
    /** A context for a Secret, or an error message (unparseable certificate or key). */
    contextFor(secret: Cached<Secret> | undefined): SecureContext | { error: string } {
      const pair = secretCertificate(secret)
      if ('error' in pair) return pair
      const id = `${secret!.metadata?.uid ?? ''}/${secret!.metadata?.resourceVersion ?? ''}/${secret!.metadata?.name}`
      let ctx = cache.get(id)
      if (!ctx) {
        try {
          ctx = createSecureContext(pair)
        } catch (err) {
          return { error: `invalid certificate or key: ${(err as Error).message}` }
        }
        cache.set(id, ctx)
      }
      return ctx
    },
    /** Replaces the host → context map; drops cached contexts no host uses any more. */
    set(next: Map<string, SecureContext>) {
      byHost = next
      const live = new Set(next.values())
      for (const [id, ctx] of cache) if (!live.has(ctx)) cache.delete(id)
    },
    /** The context for an SNI name: exact, then wildcard one label up, then the default. */
    lookup(servername: string | undefined): SecureContext | undefined {
      if (!servername) return fallback
      const name = servername.toLowerCase()
      const exact = byHost.get(name)
      if (exact) return exact
      const dot = name.indexOf('.')
      return (dot > 0 && byHost.get(`*${name.slice(dot)}`)) || fallback
    },
  }
}
export type CertificateStore = ReturnType<typeof certificateStore>
