/**
 * @module
 * The selector the system default spreading uses for a pod: the selectors of the Services
 * that select it, merged with its controlling ReplicaSet, StatefulSet or
 * ReplicationController's selector. Pods owned by nothing and selected by no Service get none.
 */
// Upstream: pkg/scheduler/framework/plugins/helper/spread.go (DefaultSelector).
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js'
import type { Pod, ReplicationController, Service } from 'kubernetes-types/core/v1.js'
import type { LabelSelector as MetaLabelSelector } from 'kubernetes-types/meta/v1.js'
import {
  controllerOf, labelSelectorFromMeta, labelSelectorFromSet, labelSelectorOf, type Cached, type LabelSelector,
} from '../../../api/index.js'
import type { Informers } from '../../../client/types.js'
import type { DefaultSelector } from './scoring.js'

export function defaultSelectorFrom(informers: Informers): DefaultSelector {
  const services = informers.of<Service>('v1', 'Service')
  const rcs = informers.of<ReplicationController>('v1', 'ReplicationController')
  const rss = informers.of<ReplicaSet>('apps/v1', 'ReplicaSet')
  const sss = informers.of<StatefulSet>('apps/v1', 'StatefulSet')
  return function defaultSelector(pod: Cached<Pod>): LabelSelector | undefined {
    const ns = pod.metadata?.namespace ?? ''
    const labels = pod.metadata?.labels ?? {}
    let set: Record<string, string> = {}
    for (const svc of services.list(ns)) {
      const sel = svc.spec?.selector
      if (!sel || !Object.keys(sel).length) continue // a Service without a selector selects no pod
      if (Object.entries(sel).every(([k, v]) => labels[k] === v)) set = { ...set, ...sel }
    }
    let selector = labelSelectorFromSet(set)
    const owner = controllerOf(pod as never)
    if (!owner) return selector
    try {
      if (owner.apiVersion === 'v1' && owner.kind === 'ReplicationController') {
        const rc = rcs.get(`${ns}/${owner.name}`)
        if (rc) selector = labelSelectorFromSet({ ...set, ...rc.spec?.selector })
      } else if (owner.apiVersion === 'apps/v1' && (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet')) {
        const w = owner.kind === 'ReplicaSet' ? rss.get(`${ns}/${owner.name}`) : sss.get(`${ns}/${owner.name}`)
        if (w) selector = labelSelectorOf([...selector.requirements, ...labelSelectorFromMeta(w.spec?.selector as MetaLabelSelector | undefined).requirements])
      }
    } catch {
      // an unparsable owner selector only loses the spreading hint
    }
    return selector
  }
}
