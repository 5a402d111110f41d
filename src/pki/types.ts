/**
 * @module
 * Shapes shared by the PKI modules: PEM pairs, subjects and SAN sets.
 */

/** A certificate and its private key, both PEM. */
export type CertAndKey = { cert: string; key: string }

/** Who a client certificate names: CN is the user, each O a group. */
export type CertSubject = { commonName: string; organizations?: string[]; days?: number }

/** Subject alternative names, split by kind. */
export type SanSet = { dns: string[]; ip: string[] }

/** Everything the server and the admin kubeconfig need, PEM. */
export type Pki = {
  caCert: string
  caKey: string
  serverCert: string
  serverKey: string
  adminCert: string
  adminKey: string
}

export type EnsurePkiOptions = {
  /** Names and addresses the serving certificate must cover besides the defaults. */
  extraSans?: { dns?: string[]; ip?: string[] }
  /** The clock, for tests of expiry. */
  now?: Date
}
