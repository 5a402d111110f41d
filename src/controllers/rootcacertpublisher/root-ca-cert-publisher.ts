/**
 * @module
 * The root CA publisher: a `kube-root-ca.crt` ConfigMap in every active namespace holding the
 * cluster CA, which pods mount (through their ServiceAccount token volume) to trust the API
 * server at kubernetes.default.svc.
 */
// Upstream: pkg/controller/certificates/rootcacertpublisher/publisher.go (syncNamespace).
import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.js'
import { copy, isAlreadyExists, isNotFound } from '../../api/index.js'
import type { Controller, ControllerContext } from '../../client/index.js'

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt'
const DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints ' +
  'such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.'

export function rootCACertPublisher(ctx: ControllerContext, opts: { caPem: string }): Controller {
  const namespaces = ctx.informers.of<Namespace>('v1', 'Namespace')
  const configMaps = ctx.informers.of<ConfigMap>('v1', 'ConfigMap')
  const data = { 'ca.crt': opts.caPem }
  return {
    name: 'root-ca-cert-publisher',
    triggers: [
      namespaces.on((ev) => (ev.type === 'delete' ? [] : [ev.obj.metadata?.name ?? ''])),
      // Someone deleting or editing the ConfigMap gets it back as it should be.
      configMaps.on((ev) => (ev.obj.metadata?.name === ROOT_CA_CONFIGMAP ? [ev.obj.metadata?.namespace ?? ''] : [])),
    ],
    async sync(ns, signal) {
      const namespace = namespaces.get(ns)
      if (!namespace || namespace.metadata?.deletionTimestamp || namespace.status?.phase === 'Terminating') return
      const cm = configMaps.get(`${ns}/${ROOT_CA_CONFIGMAP}`)
      const annotations = { 'kubernetes.io/description': DESCRIPTION }
      if (!cm) {
        try {
          await ctx.client.create<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace: ns, annotations }, data }, { signal })
        } catch (err) {
          // Already there (the cache lags our own create), or the namespace went meanwhile.
          if (isAlreadyExists(err) || isNotFound(err)) return
          throw err
        }
        return
      }
      if (cm.data?.['ca.crt'] === opts.caPem && cm.metadata?.annotations?.['kubernetes.io/description'] === DESCRIPTION &&
        Object.keys(cm.data ?? {}).length === 1) return
      const fixed = copy(cm) as ConfigMap
      fixed.metadata = { ...fixed.metadata, annotations: { ...fixed.metadata?.annotations, ...annotations } }
      fixed.data = data
      await ctx.client.update<ConfigMap>({ ...fixed, apiVersion: 'v1', kind: 'ConfigMap' }, { signal })
    },
  }
}
