/**
 * Shared steps for the control-loop suites: JSON reads through kubectl, waiting for a
 * condition, and watching pods with @kubernetes/client-node.
 */
import * as k8s from '@kubernetes/client-node'
import { poll, type Cluster } from './harness.js'

export type Obj = {
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string; uid: string }[]; deletionTimestamp?: string }
  spec?: Record<string, any>
  status?: Record<string, any>
}

/** `kubectl get ... -o json`: one object, or a list's items. */
export async function getJson<T = Obj>(c: Cluster, args: string[]): Promise<T> {
  return JSON.parse(await c.ok(['get', ...args, '-o', 'json'])) as T
}
export async function items(c: Cluster, args: string[]): Promise<Obj[]> {
  return (await getJson<{ items: Obj[] }>(c, args)).items
}

/** Polls a kubectl JSON read until `pred` holds; returns the value. */
export function waitFor<T = Obj>(c: Cluster, what: string, args: string[], pred: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  return poll(what, async () => {
    const v = await getJson<T>(c, args)
    return pred(v) ? v : undefined
  }, timeoutMs, 200)
}

export const isReady = (p: Obj) => p.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True') ?? false
export const running = (pods: Obj[]) => pods.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp)

/** Every pod event in `namespace` as client-node's Watch delivers it, until `stop()`. */
export async function watchPods(c: Cluster, namespace: string, onEvent: (type: string, pod: Obj, all: Map<string, Obj>) => void) {
  const kc = new k8s.KubeConfig()
  kc.loadFromFile(c.kubeconfig)
  const pods = new Map<string, Obj>()
  const w = new k8s.Watch(kc)
  const req = await w.watch(`/api/v1/namespaces/${namespace}/pods`, {}, (type, obj: Obj) => {
    if (type === 'DELETED') pods.delete(obj.metadata.name)
    else pods.set(obj.metadata.name, obj)
    onEvent(type, obj, pods)
  }, () => {})
  return { pods, stop: () => req.abort() }
}

export const yamlOf = (lines: string[]) => lines.join('\n') + '\n'

/** `kubelite sim` as its own process against the cluster; `stop()` kills it like a dead node. */
export async function startSimProcess(c: Cluster, args: string[]) {
  const { spawn } = await import('node:child_process')
  const { CLI } = await import('./harness.js')
  const child = spawn(process.execPath, [CLI, 'sim', '--kubeconfig', c.kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kubelite sim did not start:\n${log}`)), 20_000)
    const onData = (d: Buffer) => {
      log += d.toString()
      if (/ready/i.test(log)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`kubelite sim exited ${code}:\n${log}`))
    })
  })
  return {
    process: child,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGKILL')
    }),
  }
}
