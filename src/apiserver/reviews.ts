/**
 * @module
 * Create-only review resources that are answered, never stored: who am I
 * (SelfSubjectReview), may I (SelfSubjectAccessReview, `kubectl auth can-i`), and TokenReview.
 */
// Upstream: pkg/registry/authentication/selfsubjectreview, tokenreview, and
// pkg/registry/authorization/*. RBAC is stored but not enforced yet: every authenticated
// user may do everything, and the reviews say so.
import type { ResourceType } from '../registry/types.js'
import type { Authenticator, UserInfo } from './options.js'

const review = (group: string, resource: string, kind: string, namespaced = false): ResourceType => ({
  group, version: 'v1', kind, resource, singular: resource.replace(/s$/, ''), namespaced, verbs: ['create'],
})

export const reviewResources: ResourceType[] = [
  review('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview'),
  review('authentication.k8s.io', 'tokenreviews', 'TokenReview'),
  review('authorization.k8s.io', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true),
  review('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
  review('authorization.k8s.io', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
  review('authorization.k8s.io', 'subjectaccessreviews', 'SubjectAccessReview'),
]
export const isReview = (rt: ResourceType) => reviewResources.includes(rt)

const userInfo = (u: UserInfo) => ({ username: u.username, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups })

/** The answered review: the request's body with its status filled in. */
export function answerReview(rt: ResourceType, body: Record<string, any>, user: UserInfo, authn: Authenticator) {
  const out = { ...body, apiVersion: `${rt.group}/${rt.version}`, kind: rt.kind, metadata: { ...body.metadata, creationTimestamp: null } }
  switch (rt.resource) {
    case 'selfsubjectreviews':
      return { ...out, status: { userInfo: userInfo(user) } }
    case 'tokenreviews': {
      const found = typeof body.spec?.token === 'string' ? authn.fromBearerToken(body.spec.token) : undefined
      return { ...out, status: found ? { authenticated: true, user: userInfo(found), audiences: body.spec?.audiences } : { user: {}, error: 'invalid bearer token' } }
    }
    case 'selfsubjectrulesreviews':
      return { ...out, status: { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false } }
    default:
      return { ...out, status: { allowed: true, reason: 'RBAC is not enforced by this server yet: every authenticated user is allowed' } }
  }
}
