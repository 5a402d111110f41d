/**
 * @module
 * Authentication from client certificates and static bearer tokens: the `Authenticator`
 * contract of ../options.ts. The TLS layer has already verified the certificate chain; this
 * only maps the subject to a user.
 */
import type { PeerCertificate } from 'node:tls'
import type { Authenticator, UserInfo } from '../options.js'
import { loadTokenFile } from './token-file.js'

export type AuthenticatorOptions = {
  /** Token → user, e.g. the generated admin token. Wins over the file on a clash. */
  tokens?: Map<string, UserInfo>
  /** A static token file (`token,user,uid,"group1,group2"`); it must exist. */
  tokenFile?: string
  /** Receives warnings about the token file (never the tokens themselves). */
  warn?: (message: string) => void
}

const AUTHENTICATED = 'system:authenticated'
const ANONYMOUS = 'system:anonymous'

// Upstream: staging/src/k8s.io/apiserver/pkg/authentication/group/authenticated_group_adder.go
// (AuthenticatedGroupAdder): every authenticated user except system:anonymous gets the group once.
function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.username === ANONYMOUS || user.groups.includes(AUTHENTICATED)) return { ...user, groups: [...user.groups] }
  return { ...user, groups: [...user.groups, AUTHENTICATED] }
}

/** An Authenticator over certificate subjects and a static token table. */
export function createAuthenticator({ tokens, tokenFile, warn }: AuthenticatorOptions = {}): Authenticator {
  const table = new Map<string, UserInfo>(tokenFile ? loadTokenFile(tokenFile, warn) : [])
  for (const [token, user] of tokens ?? []) table.set(token, user)
  return {
    // Upstream: staging/src/k8s.io/apiserver/pkg/authentication/request/x509/x509.go
    // (CommonNameUserConversion): CN is the user name, O the groups; no CN, no user.
    fromCertificate({ commonName, organizations }) {
      if (!commonName) return undefined
      return withAuthenticatedGroup({ username: commonName, groups: [...organizations] })
    },
    fromBearerToken(token) {
      const user = table.get(token)
      return user && withAuthenticatedGroup(user)
    },
  }
}

const values = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

/** CN and O from Node's peer certificate object, where a repeated attribute becomes an array. */
export function certificateSubject(peer: Pick<PeerCertificate, 'subject'> | undefined): { commonName?: string; organizations: string[] } {
  const subject = peer?.subject as { CN?: string | string[]; O?: string | string[] } | undefined
  // Go keeps the last CN when a subject repeats it; so do we.
  const commonName = values(subject?.CN).at(-1)
  return { commonName, organizations: values(subject?.O) }
}
