/**
 * @module
 * Who is asking: a verified client certificate, or a bearer token. Anything else is anonymous,
 * which only the health and version endpoints accept.
 */
import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'
import { certificateSubject } from './authn/index.js'
import type { Authenticator, UserInfo } from './options.js'

export function authenticate(req: IncomingMessage, authn: Authenticator): UserInfo | undefined {
  const auth = req.headers.authorization
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth)
    // A request that presents a bad token is refused even if it also has a certificate.
    return m ? authn.fromBearerToken(m[1]!) : undefined
  }
  const socket = req.socket as TLSSocket
  if (socket.encrypted && socket.authorized) {
    // A connection's certificate never changes, and reading it builds a large object: the
    // user is worked out once per connection (keep-alive clients send thousands of requests).
    if (certificateUsers.has(socket)) return certificateUsers.get(socket)
    const cert = socket.getPeerCertificate()
    const user = cert && cert.subject ? authn.fromCertificate(certificateSubject(cert)) : undefined
    certificateUsers.set(socket, user)
    return user
  }
  return undefined
}

const certificateUsers = new WeakMap<TLSSocket, UserInfo | undefined>()

/** The bearer token of a request, if it carries one. */
export function bearerToken(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1]
}

/** Paths anonymous requests may read (upstream's system:public-info-viewer). */
export const isPublicPath = (path: string) =>
  path === '/healthz' || path === '/livez' || path === '/readyz' || path === '/version' ||
  path.startsWith('/healthz/') || path.startsWith('/livez/') || path.startsWith('/readyz/')
