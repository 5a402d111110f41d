/**
 * @module
 * What it takes to start the API server. The CLI fills this from flags; tests fill it directly.
 */
import type { Backend } from '../storage/types.js'
import type { Transport } from '../client/types.js'

export type UserInfo = { username: string; uid?: string; groups: string[] }

/** Maps a request's credentials to a user, or undefined when it carries none that are valid. */
export type Authenticator = {
  /** From a verified client certificate's subject (CN → username, O → groups). */
  fromCertificate(subject: { commonName?: string; organizations: string[] }): UserInfo | undefined
  /** From an `Authorization: Bearer <token>` header. */
  fromBearerToken(token: string): UserInfo | undefined
}

export type ApiServerOptions = {
  /** Address and port to listen on; port 0 picks a free one. */
  bind: string
  port: number
  /** TLS material, PEM. When absent the server speaks plain HTTP (tests only). */
  tls?: { cert: string; key: string; ca: string }
  storage: Backend
  authenticator: Authenticator
  /** The first address of the Service range is the `kubernetes` Service's ClusterIP. */
  serviceCIDR?: string
  nodePortRange?: [number, number]
  /** Where LoadBalancer Services get their addresses (default 127.0.1.0/24, relayed on the host). */
  loadBalancerPool?: string
  /** Advertised in the kubernetes Endpoints and discovery's serverAddressByClientCIDRs. */
  advertiseAddress?: string
  /** PEM private key (P-256) that signs ServiceAccount tokens; a fresh one per start if absent. */
  serviceAccountKey?: string
  /** Logs one line per request when set. */
  log?: (line: string) => void
}

export type RunningApiServer = {
  /** https://127.0.0.1:6443 (or http:// without TLS). */
  url: string
  port: number
  /** A transport into this server's handler, for clients in the same process, acting as `user`. */
  inProcess(user: UserInfo): Transport
  /** Also serves on a unix socket (mode 0600), for node agents in their own network namespace. */
  serveUnixSocket(path: string): Promise<void>
  close(): Promise<void>
}
