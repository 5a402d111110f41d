/**
 * @module
 * The EndpointSlice controller: every Service with a selector gets EndpointSlices
 * (`<service>-<random>`, at most 100 endpoints each) listing its pods with their conditions
 * (ready, serving, terminating), node, zone and ports. Services without a selector are left to
 * the mirroring controller.
 */
// Upstream: pkg/controller/endpointslice/endpointslice_controller.go (syncService, onEndpointSlice*),
// staging/src/k8s.io/endpointslice/reconciler.go (finalize) and util/endpointslice_tracker.go
// (EndpointSliceTracker: a sync waits until the cache shows our own last writes).
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js'
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js'
import { isNotFound, keyOf, type Cached } from '../../api/index.js'
import type { Controller, ControllerContext, SyncResult } from '../../client/types.js'
import { LAST_CHANGE_TRIGGER_TIME, podServiceKeys, rfc3339Nano, serviceSelector, triggerTimeTracker } from '../endpoints/index.js'
import { planSlices } from './reconciler.js'
import { CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, MAX_ENDPOINTS_PER_SLICE, type Slice } from './slice-endpoints.js'

const BY_SERVICE = 'endpointslice-controller/service'
const DISCOVERY = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' }
// How long to wait for the cache to catch up with our own writes before looking again.
const STALE_RETRY_MS = 100

export type EndpointSliceControllerOptions = { maxEndpointsPerSlice?: number }

/** The key of the Service a slice belongs to, when the slice is managed by `controllerName`. */
export function serviceKeyOfSlice(slice: Cached<EndpointSlice>, controllerName: string): string | undefined {
  const name = slice.metadata?.labels?.[LABEL_SERVICE_NAME]
  if (!name || slice.metadata?.labels?.[LABEL_MANAGED_BY] !== controllerName) return undefined
  return `${slice.metadata?.namespace}/${name}`
}

/**
 * Our writes the cache has not shown yet, by slice name: the generation the server returned, or
 * 'deleted'. A sync that acted on an older cache would create duplicate slices.
 */
function sliceTracker(slices: { get(key: string): Cached<EndpointSlice> | undefined }) {
  const expected = new Map<string, Map<string, number | 'deleted'>>()
  const forService = (svcKey: string) => {
    let m = expected.get(svcKey)
    if (!m) expected.set(svcKey, (m = new Map()))
    return m
  }
  return {
    wrote: (svcKey: string, s: Cached<EndpointSlice>) => void forService(svcKey).set(keyOf(s), s.metadata?.generation ?? 0),
    deleted: (svcKey: string, s: Cached<EndpointSlice>) => void forService(svcKey).set(keyOf(s), 'deleted'),
    /** A slice's deletion seen by the cache settles whatever we expected of it. */
    gone: (svcKey: string, s: Cached<EndpointSlice>) => void expected.get(svcKey)?.delete(keyOf(s)),
    forget: (svcKey: string) => void expected.delete(svcKey),
    /** True while the cache lags behind a write we made for this Service. */
    stale(svcKey: string): boolean {
      const m = expected.get(svcKey)
      if (!m) return false
      for (const [key, want] of m) {
        const cur = slices.get(key)
        const caughtUp = want === 'deleted' ? !cur : !!cur && (cur.metadata?.generation ?? 0) >= want
        if (caughtUp) m.delete(key)
      }
      return m.size > 0
    },
  }
}

/** Keeps each selector Service's EndpointSlices equal to its pods. */
export function endpointSliceController(ctx: ControllerContext, opts: EndpointSliceControllerOptions = {}): Controller {
  const max = opts.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE
  const services = ctx.informers.of<Service>('v1', 'Service')
  const pods = ctx.informers.of<Pod>('v1', 'Pod')
  const nodes = ctx.informers.of<Node>('v1', 'Node')
  const slices = ctx.informers.of<EndpointSlice>('discovery.k8s.io/v1', 'EndpointSlice')
  slices.addIndex(BY_SERVICE, (s) => {
    const k = serviceKeyOfSlice(s, CONTROLLER_NAME)
    return k ? [k] : []
  })
  const recorder = ctx.recorder('endpoint-slice-controller')
  const triggerTimes = triggerTimeTracker()
  const tracker = sliceTracker(slices)

  async function sync(key: string, signal: AbortSignal): Promise<SyncResult> {
    const svc = services.get(key)
    if (!svc) {
      // The garbage collector removes the slices through their owner reference.
      triggerTimes.delete(key)
      tracker.forget(key)
      return
    }
    if (svc.spec?.type === 'ExternalName') return
    const selector = serviceSelector(svc)
    if (!selector) return
    if (tracker.stale(key)) return { requeueAfterMs: STALE_RETRY_MS }

    const namespace = svc.metadata?.namespace ?? ''
    const selected = pods.list(namespace).filter((p) => selector.matches(p.metadata?.labels))
    const triggerMs = triggerTimes.compute(key, svc, selected)
    const plan = planSlices({
      service: svc, pods: selected, slices: slices.byIndex(BY_SERVICE, key), node: (n) => nodes.get(n),
      maxEndpointsPerSlice: max, controllerName: CONTROLLER_NAME,
    })
    try {
      await write(key, svc, plan.create, plan.update, plan.delete, triggerMs, signal)
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err)
      recorder.event(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${key}: ${why}`)
      throw err
    }
    if (plan.errors.length) throw new Error(plan.errors.join('; '))
  }

  async function write(key: string, svc: Cached<Service>, create: Slice[], update: Slice[], del: readonly Cached<EndpointSlice>[],
    triggerMs: number | undefined, signal: AbortSignal) {
    const stamp = (s: Slice) => {
      const a: Record<string, string> = { ...s.metadata.annotations }
      if (triggerMs !== undefined) a[LAST_CHANGE_TRIGGER_TIME] = rfc3339Nano(triggerMs)
      else delete a[LAST_CHANGE_TRIGGER_TIME]
      s.metadata.annotations = a
      return s
    }
    // New slices for a Service being deleted would race the garbage collector.
    if (!svc.metadata?.deletionTimestamp) {
      for (const s of create) {
        try {
          tracker.wrote(key, await ctx.client.create(stamp(s), { signal }))
        } catch (err) {
          const causes = (err as { status?: { details?: { causes?: { reason?: string }[] } } }).status?.details?.causes
          if (causes?.some((c) => c.reason === 'NamespaceTerminating')) return
          throw err
        }
      }
    }
    for (const s of update) tracker.wrote(key, await ctx.client.update(stamp(s), { signal }))
    for (const s of del) {
      try {
        await ctx.client.delete(DISCOVERY, s.metadata!.name!, s.metadata?.namespace, { signal })
        tracker.deleted(key, s)
      } catch (err) {
        if (!isNotFound(err)) throw err
      }
    }
  }

  return {
    name: 'endpointslice-controller',
    triggers: [
      services.on((ev) => [keyOf(ev.obj)]),
      pods.on(podServiceKeys(services)),
      // Someone else changing or deleting one of our slices: put the Service right again.
      slices.on((ev) => {
        const k = serviceKeyOfSlice(ev.obj, CONTROLLER_NAME) ??
          (ev.type === 'update' ? serviceKeyOfSlice(ev.old, CONTROLLER_NAME) : undefined)
        if (!k) return []
        if (ev.type === 'delete') tracker.gone(k, ev.obj)
        return [k]
      }),
    ],
    sync,
  }
}
