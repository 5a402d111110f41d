/**
 * @module
 * ServiceAccount tokens: JWTs issued through `serviceaccounts/<name>/token` (TokenRequest,
 * `kubectl create token`) and accepted as bearer tokens while the ServiceAccount they name
 * still exists with the same uid.
 */
// Upstream: pkg/serviceaccount/claims.go and jwt.go (claims, issuer, validation),
// pkg/registry/core/serviceaccount/storage/token.go (TokenRequest defaults and limits).
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto'
import type { UserInfo } from './options.js'

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local'

export type ServiceAccountRef = { namespace: string; name: string; uid: string }

export type TokenIssuer = {
  issue(sa: ServiceAccountRef, opts: { audiences?: string[]; expirationSeconds: number; now: number }): { token: string; expiresAt: number; audiences: string[] }
  /** The ServiceAccount a token names, when its signature, audience and time are valid. */
  verify(token: string, now: number): ServiceAccountRef | undefined
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url')

/** A P-256 key in PKCS#8 PEM, for `serviceAccountKey` when none is kept on disk. */
export const generateServiceAccountKey = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()

export function tokenIssuer(privateKeyPem: string, issuer = DEFAULT_ISSUER): TokenIssuer {
  const key: KeyObject = createPrivateKey(privateKeyPem)
  const publicKey = createPublicKey(key)
  // The key id is the hash of the public key, as upstream derives it.
  const kid = b64url(Buffer.from(publicKey.export({ type: 'spki', format: 'der' })).subarray(-32))
  const header = b64url(JSON.stringify({ alg: 'ES256', kid }))
  return {
    issue(sa, { audiences, expirationSeconds, now }) {
      const iat = Math.floor(now / 1000)
      const aud = audiences?.length ? audiences : [issuer]
      const claims = {
        aud, exp: iat + expirationSeconds, iat, iss: issuer, jti: randomUUID(), nbf: iat,
        sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
        'kubernetes.io': { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: sa.uid } },
      }
      const body = `${header}.${b64url(JSON.stringify(claims))}`
      const sig = sign('sha256', Buffer.from(body), { key, dsaEncoding: 'ieee-p1363' })
      return { token: `${body}.${b64url(sig)}`, expiresAt: (iat + expirationSeconds) * 1000, audiences: aud }
    },
    verify(token, now) {
      const parts = token.split('.')
      if (parts.length !== 3 || parts[0] !== header) return undefined
      const ok = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2]!, 'base64url'))
      if (!ok) return undefined
      let c: { iss?: string; exp?: number; nbf?: number; aud?: string[]; 'kubernetes.io'?: { namespace?: string; serviceaccount?: { name?: string; uid?: string } } }
      try {
        c = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'))
      } catch {
        return undefined
      }
      const t = Math.floor(now / 1000)
      // Upstream allows a minute of clock skew either way.
      if (c.iss !== issuer || !c.exp || c.exp + 60 < t || (c.nbf ?? 0) - 60 > t) return undefined
      if (!c.aud?.includes(issuer)) return undefined // the API server is the audience it accepts
      const k = c['kubernetes.io']
      if (!k?.namespace || !k.serviceaccount?.name || !k.serviceaccount.uid) return undefined
      return { namespace: k.namespace, name: k.serviceaccount.name, uid: k.serviceaccount.uid }
    },
  }
}

/** The user a ServiceAccount authenticates as. */
export const serviceAccountUser = (sa: ServiceAccountRef): UserInfo => ({
  username: `system:serviceaccount:${sa.namespace}:${sa.name}`,
  uid: sa.uid,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${sa.namespace}`, 'system:authenticated'],
})
