/**
 * @module
 * Which endpoint a new connection or UDP flow of a Service port goes to: round-robin per
 * Service port and traffic kind, with `sessionAffinity: ClientIP` keeping a client on its
 * endpoint. Used by the userspace data path and the host relays; pure apart from the clock.
 */
import type { Backend, ServicePort } from './service-table.js'

export type TrafficKind = 'cluster' | 'external'

/** Picks endpoints for Service ports; holds round-robin positions and client affinities. */
export interface EndpointPicker {
  /**
   * The endpoint for a new flow from `clientIP`, or undefined when there is none. Endpoints
   * whose `ip:port` is in `exclude` are skipped (a retry after a failed connect).
   */
  pick(sp: ServicePort, clientIP: string, traffic: TrafficKind, exclude?: ReadonlySet<string>): Backend | undefined
  /** Drops what is remembered about a Service port (it was removed). */
  forget(id: string): void
}

export type EndpointPickerOptions = {
  /** Milliseconds since some epoch; Date.now unless set (tests pass a fake clock). */
  now?: () => number
}

type Affinity = { key: string; lastUsedMs: number }
type PortState = { next: number; affinity: Map<string, Affinity>; sweptMs: number }

/** The `ip:port` key used by `exclude` and affinities. */
export const backendKey = (b: Backend): string => `${b.ip}:${b.port}`

// Upstream: pkg/proxy/userspace/roundrobin.go (LoadBalancerRR.NextEndpoint), removed in 1.26.
// Same semantics: an affinity lasts while the client keeps using it within the timeout, and
// ends when its endpoint leaves the list. Deliberate difference: a retry after a failed
// connect names the failed endpoints (`exclude`) instead of resetting the affinity outright.
export function createEndpointPicker({ now = Date.now }: EndpointPickerOptions = {}): EndpointPicker {
  const states = new Map<string, PortState>()
  // Membership tests for affinity, computed once per endpoint list (lists are replaced, not edited).
  const keySets = new WeakMap<readonly Backend[], Set<string>>()
  const keysOf = (list: readonly Backend[]) => {
    let keys = keySets.get(list)
    if (!keys) keySets.set(list, (keys = new Set(list.map(backendKey))))
    return keys
  }

  function roundRobin(state: PortState, list: readonly Backend[], exclude?: ReadonlySet<string>): Backend | undefined {
    for (let tries = 0; tries < list.length; tries++) {
      const b = list[state.next % list.length]!
      state.next = (state.next + 1) % list.length
      if (!exclude?.size || !exclude.has(backendKey(b))) return b
    }
    return undefined
  }

  /** Drops affinities idle past the timeout, at most once per timeout: the map stays bounded. */
  function sweep(state: PortState, ttlMs: number, t: number) {
    if (t - state.sweptMs < ttlMs) return
    state.sweptMs = t
    for (const [ip, a] of state.affinity) if (t - a.lastUsedMs >= ttlMs) state.affinity.delete(ip)
  }

  return {
    pick(sp, clientIP, traffic, exclude) {
      const list = traffic === 'cluster' ? sp.clusterEndpoints : sp.externalEndpoints
      if (!list.length) return undefined
      const id = `${sp.id}|${traffic}`
      let state = states.get(id)
      if (!state) states.set(id, (state = { next: 0, affinity: new Map(), sweptMs: now() }))
      if (sp.affinityTimeoutSeconds === undefined) return roundRobin(state, list, exclude)

      const ttlMs = sp.affinityTimeoutSeconds * 1000
      const t = now()
      sweep(state, ttlMs, t)
      const held = state.affinity.get(clientIP)
      if (held && t - held.lastUsedMs < ttlMs && keysOf(list).has(held.key) && !exclude?.has(held.key)) {
        held.lastUsedMs = t
        return list.find((b) => backendKey(b) === held.key)
      }
      const b = roundRobin(state, list, exclude)
      if (b) state.affinity.set(clientIP, { key: backendKey(b), lastUsedMs: t })
      return b
    },
    forget(id) {
      states.delete(`${id}|cluster`)
      states.delete(`${id}|external`)
    },
  }
}
