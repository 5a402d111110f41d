/**
 * @module
 * The service account controller: every active namespace has a `default` ServiceAccount,
 * recreated if someone deletes it, so pods that name no account can always be admitted.
 */
// Upstream: pkg/controller/serviceaccount/serviceaccounts_controller.go (syncNamespace,
// serviceAccountDeleted, namespaceAdded/namespaceUpdated).
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js'
import { isAlreadyExists, isStatusError, type KubeObject } from '../../api/index.js'
import type { Controller, ControllerContext } from '../../client/index.js'

export type ServiceAccountControllerOptions = {
  /** The accounts every namespace gets (upstream's ServiceAccountsToEnsure); default `['default']`. */
  serviceAccounts?: readonly string[]
}

/** The service account controller. */
export function serviceAccountController(ctx: ControllerContext, opts: ServiceAccountControllerOptions = {}): Controller {
  const names = opts.serviceAccounts ?? ['default']
  const namespaces = ctx.informers.of<Namespace & KubeObject>('v1', 'Namespace')
  const accounts = ctx.informers.of<ServiceAccount & KubeObject>('v1', 'ServiceAccount')
  return {
    name: 'serviceaccount',
    triggers: [
      namespaces.on((ev) => (ev.type === 'delete' ? [] : [ev.obj.metadata?.name ?? ''])),
      // Only a deleted account needs recreating; its namespace names the key.
      accounts.on((ev) => (ev.type === 'delete' && names.includes(ev.obj.metadata?.name ?? '') ? [ev.obj.metadata?.namespace ?? ''] : [])),
    ],
    async sync(namespace, signal) {
      const ns = namespaces.get(namespace)
      // A terminating namespace refuses new content; creating into it would only fail.
      if (!ns || ns.status?.phase !== 'Active' || ns.metadata?.deletionTimestamp) return
      for (const name of names) {
        if (accounts.get(`${namespace}/${name}`)) continue
        const sa: ServiceAccount & KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } }
        try {
          await ctx.client.create(sa, { signal })
        } catch (err) {
          if (isAlreadyExists(err)) continue // the cache was behind
          // Forbidden "because it is being terminated": the namespace was deleted meanwhile.
          if (isStatusError(err) && err.status.reason === 'Forbidden') return
          throw err
        }
      }
    },
  }
}
