/**
 * @module
 * Certificate issuing with @peculiar/x509 over Node's WebCrypto. This module is heavy to load
 * (~80 ms), so the rest of src/pki imports it lazily, only when something must be issued.
 */
import 'reflect-metadata' // @peculiar/x509's dependency injection (tsyringe) needs it first
import * as x509 from '@peculiar/x509'
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto'
import type { CertAndKey, CertSubject, SanSet } from './types.js'

x509.cryptoProvider.set(webcrypto)

type CryptoKey = webcrypto.CryptoKey
type Algorithm = webcrypto.Algorithm

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
const DAY_MS = 86_400_000
// Tolerates clocks a little behind ours (a client VM, a freshly resumed laptop).
const BACKDATE_MS = 5 * 60_000

/** How long each kind of certificate is valid. */
export const VALIDITY_DAYS = { ca: 3650, serving: 365, client: 365 }

// Positive, non-zero, 128 bits: Go rejects negative serial numbers since 1.23.
function serialNumber(): string {
  const bytes = randomBytes(16)
  bytes[0] = (bytes[0]! & 0x7f) | 0x40
  return bytes.toString('hex')
}

const pemKey = async (key: CryptoKey) =>
  x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY')

const newKeyPair = () =>
  webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>

/** The signing algorithm and CryptoKey for a CA key in PEM (PKCS#8, SEC1 or PKCS#1). */
async function importSigningKey(pem: string): Promise<{ key: CryptoKey; algorithm: Algorithm }> {
  const keyObject = createPrivateKey(pem)
  const der = keyObject.export({ format: 'der', type: 'pkcs8' })
  const details = keyObject.asymmetricKeyDetails ?? {}
  let algorithm: Algorithm & Record<string, unknown>
  if (keyObject.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve === 'secp384r1' ? 'P-384' : details.namedCurve === 'secp521r1' ? 'P-521' : 'P-256'
    const hash = curve === 'P-256' ? 'SHA-256' : curve === 'P-384' ? 'SHA-384' : 'SHA-512'
    algorithm = { name: 'ECDSA', namedCurve: curve, hash }
  } else if (keyObject.asymmetricKeyType === 'rsa') {
    algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
  } else {
    throw new Error(`unsupported CA key type ${keyObject.asymmetricKeyType}`)
  }
  const key = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign'])
  return { key, algorithm }
}

function validity(days: number, now: Date) {
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(now.getTime() + days * DAY_MS) }
}

/** A new self-signed CA (ECDSA P-256). */
export async function createCa(commonName: string, now = new Date()): Promise<CertAndKey> {
  const keys = await newKeyPair()
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [commonName] }],
    keys,
    signingAlgorithm: EC_P256,
    ...validity(VALIDITY_DAYS.ca, now),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  return { cert: cert.toString('pem'), key: await pemKey(keys.privateKey) }
}

type LeafOptions = {
  subject: x509.JsonName
  usage: 'server' | 'client'
  sans?: SanSet
  days: number
  now: Date
}

async function issueLeaf(ca: CertAndKey, opts: LeafOptions): Promise<CertAndKey> {
  const caCert = new x509.X509Certificate(ca.cert)
  const signer = await importSigningKey(ca.key)
  const keys = await newKeyPair()
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(
      [opts.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ]
  if (opts.sans) {
    const names: x509.JsonGeneralName[] = [
      ...opts.sans.dns.map((value) => ({ type: 'dns' as const, value })),
      ...opts.sans.ip.map((value) => ({ type: 'ip' as const, value })),
    ]
    extensions.push(new x509.SubjectAlternativeNameExtension(names))
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: opts.subject,
    // The parsed Name keeps the CA's own encoding, so the issuer matches its subject byte for byte.
    issuer: caCert.subjectName,
    publicKey: keys.publicKey,
    signingKey: signer.key,
    signingAlgorithm: signer.algorithm,
    ...validity(opts.days, opts.now),
    extensions,
  })
  return { cert: cert.toString('pem'), key: await pemKey(keys.privateKey) }
}

/** A serving certificate for the API server, valid for exactly the given SANs. */
export function issueServingCert(ca: CertAndKey, commonName: string, sans: SanSet, now = new Date()) {
  return issueLeaf(ca, { subject: [{ CN: [commonName] }], usage: 'server', sans, days: VALIDITY_DAYS.serving, now })
}

/** A client certificate: CN is the user name, each O a group (upstream's x509 authenticator). */
export function issueClientCertNow(ca: CertAndKey, subject: CertSubject, now = new Date()) {
  const name: x509.JsonName = [{ CN: [subject.commonName] }]
  // One RDN per organization, as openssl and cfssl write them.
  for (const o of subject.organizations ?? []) name.push({ O: [o] })
  return issueLeaf(ca, { subject: name, usage: 'client', days: subject.days ?? VALIDITY_DAYS.client, now })
}
