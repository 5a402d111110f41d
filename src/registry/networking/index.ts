// The networking.k8s.io/v1 registry entries. Re-exports only.
import type { ResourceType } from '../types.js'
import { ingressClasses } from './ingressclasses.js'
import { ingresses } from './ingresses.js'
import { networkPolicies } from './networkpolicies.js'

export { ingresses, ingressClasses, networkPolicies }
export { isIPAddress, isWildcardDNS1123Subdomain, parseCidr, cidrErrors } from './net-checks.js'
/** Every networking.k8s.io/v1 kind kubelite serves. */
export const networkingV1: ResourceType[] = [ingresses, ingressClasses, networkPolicies]
