/**
 * @module
 * The controllers kube-controller-manager runs, by upstream's names, with their workers.
 */
import type { Controller, ControllerContext } from '../client/index.js'

/** Tunables the CLI and tests pass through to individual controllers. */
export type ControllerOptions = {
  /** Node lifecycle: how long a node may go without a heartbeat before it is Unknown (40 s). */
  nodeMonitorGracePeriodMs?: number
}

export type ControllerEntry = {
  name: string
  workers?: number
  make(ctx: ControllerContext, opts: ControllerOptions): Controller | Controller[]
}

export function controllerTable(): ControllerEntry[] {
  return []
}
