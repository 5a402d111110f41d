/**
 * @module
 * The controller manager: every reconcile loop of kube-controller-manager, run in process
 * over one shared informer factory, each with its own work queue and workers.
 */
import { setMaxListeners } from 'node:events'
import { runController, type Controller, type ControllerContext } from '../client/index.js'
import { controllerTable, type ControllerOptions } from './table.js'

export type ControllerManagerOptions = ControllerOptions & {
  signal: AbortSignal
  /** Upstream's --controllers: `*` for all, `name` to add, `-name` to leave out. Default `['*']`. */
  controllers?: string[]
  onError?: (controller: string, key: string, err: unknown) => void
}

/** The names `--controllers` understands, in start order. */
export const controllerNames = () => controllerTable().map((c) => c.name)

/** Whether `name` is enabled by a `--controllers` list, as upstream reads it. */
export function isEnabled(name: string, list: string[]): boolean {
  if (list.includes(`-${name}`)) return false
  return list.includes(name) || list.includes('*')
}

/** Starts the enabled loops; they run until `opts.signal` aborts. */
export function startControllerManager(ctx: ControllerContext, opts: ControllerManagerOptions): { names: string[]; done: Promise<void> } {
  const list = opts.controllers ?? ['*']
  // Every loop, queue and informer listens for this one signal's abort.
  setMaxListeners(0, opts.signal)
  const started: { name: string; loops: Controller[]; workers: number }[] = []
  for (const entry of controllerTable()) {
    if (!isEnabled(entry.name, list)) continue
    const made = entry.make(ctx, opts)
    started.push({ name: entry.name, loops: Array.isArray(made) ? made : [made], workers: entry.workers ?? 2 })
  }
  ctx.informers.start(opts.signal)
  const done = Promise.all(started.flatMap((s) => s.loops.map((c) =>
    runController(c, { workers: s.workers, signal: opts.signal, informers: ctx.informers, onError: opts.onError })))).then(() => undefined)
  return { names: started.map((s) => s.name), done }
}
