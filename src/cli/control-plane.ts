/**
 * @module
 * The control plane beside the API server: the controller manager, the scheduler and (when
 * asked) simulated nodes, each an API client over the in-process transport with its own
 * identity, sharing one set of informers so 10,000 pods are cached once, not three times.
 */
import { setMaxListeners } from 'node:events'
import type { RunningApiServer } from '../apiserver/options.js'
import { createClient, createInformers, eventBroadcaster, type ControllerContext } from '../client/index.js'
import { startControllerManager } from '../controllers/index.js'

export type ControlPlaneOptions = {
  dataDir?: string
  signal: AbortSignal
  /** Upstream's --controllers list; default all. */
  controllers?: string[]
  disableControllerManager?: boolean
  disableScheduler?: boolean
  /** Simulated nodes to register (0: none). */
  simNodes?: number
  nodeMonitorGracePeriodMs?: number
  /** Pod CIDR size per node (24). */
  nodeCIDRMaskSize?: number
  /** The cluster CA (PEM), published in every namespace as kube-root-ca.crt. */
  rootCA?: string
}

const user = (username: string) => ({ username, groups: ['system:authenticated'] })

/** Starts the loops; they stop when `signal` aborts. */
export async function startControlPlane(server: RunningApiServer, opts: ControlPlaneOptions): Promise<{ controllers: string[] }> {
  const { signal } = opts
  setMaxListeners(0, signal) // every loop, queue and informer listens for its abort
  const cmClient = createClient(server.inProcess(user('system:kube-controller-manager')), { fieldManager: 'kube-controller-manager' })
  const informers = createInformers(cmClient)
  const ctx = (client = cmClient): ControllerContext => ({
    client, informers, recorder: eventBroadcaster(client), now: Date.now, dataDir: opts.dataDir,
  })
  let controllers: string[] = []
  if (!opts.disableControllerManager) {
    controllers = startControllerManager(ctx(), {
      signal, controllers: opts.controllers, nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs, rootCA: opts.rootCA,
      nodeCIDRMaskSize: opts.nodeCIDRMaskSize,
    }).names
  }
  // The sim registers its indexes on these before it awaits anything; starting them early is
  // harmless (an informer asked for later starts at once).
  informers.start(signal)
  if (!opts.disableScheduler) {
    const { startScheduler } = await import('../scheduler/index.js')
    const client = createClient(server.inProcess(user('system:kube-scheduler')), { fieldManager: 'kube-scheduler' })
    startScheduler(ctx(client), { signal })
  }
  if (opts.simNodes) {
    const { startSimNodes } = await import('../runtime/sim/index.js')
    const client = createClient(server.inProcess(user('system:kubelite-sim')), { fieldManager: 'kubelet' })
    await startSimNodes({ client, informers, count: opts.simNodes, signal })
  }
  return { controllers }
}
