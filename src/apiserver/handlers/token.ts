/**
 * @module
 * POST serviceaccounts/<name>/token: a TokenRequest answered with a signed token.
 */
// Upstream: pkg/registry/core/serviceaccount/storage/token.go (TokenREST.Create).
import { badRequest, invalid, invalidValue, type KubeObject } from '../../api/index.js'
import { readBody, sendJson } from '../http-util.js'
import { decodeObjectBody } from '../negotiation.js'
import type { TokenIssuer } from '../serviceaccount-tokens.js'
import { rfc3339 } from '../store/meta-fields.js'
import type { ApiRequest } from './context.js'

const MIN_SECONDS = 600
const DEFAULT_SECONDS = 3600

export async function handleTokenRequest(r: ApiRequest, issuer: TokenIssuer) {
  const req = (await decodeObjectBody(await readBody(r.req), r.req.headers['content-type'])) as KubeObject & {
    spec?: { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: unknown }
  }
  if (req.kind && req.kind !== 'TokenRequest') throw badRequest(`${req.kind} is not a TokenRequest`)
  const sa = await r.served.store.get(r.info.namespace, r.info.name)
  const seconds = req.spec?.expirationSeconds ?? DEFAULT_SECONDS
  if (seconds < MIN_SECONDS) {
    throw invalid({ group: 'authentication.k8s.io', kind: 'TokenRequest' }, r.info.name,
      [invalidValue('spec.expirationSeconds', seconds, 'may not specify a duration less than 10 minutes')])
  }
  const { token, expiresAt, audiences } = issuer.issue(
    { namespace: r.info.namespace, name: r.info.name, uid: sa.metadata?.uid ?? '' },
    { audiences: req.spec?.audiences, expirationSeconds: seconds, now: r.now })
  sendJson(r.res, 201, {
    kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: r.info.name, namespace: r.info.namespace, creationTimestamp: null },
    spec: { ...req.spec, audiences, expirationSeconds: seconds, boundObjectRef: req.spec?.boundObjectRef ?? null },
    status: { token, expirationTimestamp: rfc3339(new Date(expiresAt)) },
  })
}
