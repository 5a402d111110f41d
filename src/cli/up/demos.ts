/**
 * @module
 * The demo applications `kubelite up --demo NAME` runs, from examples/: which images to build
 * from which Dockerfiles, which manifests to apply, what must be computed from the cluster
 * first (a ConfigMap holding another Service's address, as each example's README does it with
 * kubectl), and which address to show as the application's.
 */
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ConfigMap, Service } from 'kubernetes-types/core/v1.js'
import type { Client } from '../../client/index.js'
import type { Manifest } from './manifests.js'

export type DemoImage = { tag: string; context: string; dockerfile?: string }

export type Demo = {
  name: string
  /** What `up` calls it: "the tasks app". */
  title: string
  /** The example's directory. */
  dir: string
  images(host: HostTools): DemoImage[]
  /** Manifest files or directories, relative to `dir`. */
  manifests: string[]
  /** Objects made from what the cluster assigned (addresses), applied before the workloads. */
  computed?(client: Client): Promise<Manifest[]>
  /** The Service or Ingress whose address is the application's. */
  entry: { service?: string; ingress?: string }
}

export type HostTools = { nginx: boolean }

/** The repository's examples/ directory (also shipped in the npm package). */
export const examplesDir = () => fileURLToPath(new URL('../../../../examples/', import.meta.url))

export function hostTools(path = process.env.PATH ?? ''): HostTools {
  return { nginx: path.split(delimiter).some((d) => d && existsSync(join(d, 'nginx'))) }
}

const SERVICE = { apiVersion: 'v1', kind: 'Service' }

/** A ConfigMap as `kubectl create configmap NAME --from-literal=K=V` makes it. */
export function literalConfigMap(name: string, data: Record<string, string>): Manifest & ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data }
}

/** The first load-balancer address of a Service (assigned when it is created). */
export async function externalIP(client: Client, name: string, namespace = 'default'): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const svc = await client.get<Service>(SERVICE, name, namespace)
    const ip = svc.status?.loadBalancer?.ingress?.[0]?.ip
    if (ip) return ip
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`service ${namespace}/${name} got no external IP`)
}

const tasks: Demo = {
  name: 'tasks',
  title: 'the tasks app',
  dir: 'tasks-app',
  images: (host) => [
    { tag: 'tasks-app/auth:latest', context: 'auth-api' },
    { tag: 'tasks-app/users:latest', context: 'users-api' },
    { tag: 'tasks-app/tasks:latest', context: 'tasks-api' },
    // nginx serves the page where the host has it; else the same page and proxy in Node.
    host.nginx
      ? { tag: 'tasks-app/frontend:latest', context: 'frontend' }
      : { tag: 'tasks-app/frontend:latest', context: '.', dockerfile: 'frontend-node/Dockerfile' },
  ],
  manifests: ['kubernetes'],
  entry: { service: 'frontend-service' },
}

export const DEMOS: Record<string, Demo> = { tasks }

export const DEFAULT_DEMO = 'tasks'
