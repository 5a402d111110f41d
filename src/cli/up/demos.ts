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
  /** Why this machine cannot run the demo (a host program it runs is missing), if it cannot. */
  unmet?(host: HostTools): string | undefined
  images(host: HostTools): DemoImage[]
  /** Manifest files or directories, relative to `dir`. */
  manifests: string[]
  /** Adjusts the manifests to the cluster, e.g. a fixed address to its LoadBalancer pool. */
  prepare?(objs: Manifest[], cluster: { loadBalancerPool: string }): Manifest[]
  /** Objects made from what the cluster assigned (addresses), applied before the workloads. */
  computed?(client: Client, cluster: { ingressURLs: string[] }): Promise<Manifest[]>
  /** The Service or Ingress whose address is the application's. */
  entry: { service?: string; ingress?: string }
}

export type HostTools = {
  nginx: boolean
  redis: boolean
  /** PostgreSQL 15's server programs, where Debian puts them. */
  postgres: boolean
  /** Not root: the node maps only this user's uid, so nginx cannot hand its workers to another user. */
  rootless: boolean
}

/** The repository's examples/ directory (also shipped in the npm package). */
export const examplesDir = () => fileURLToPath(new URL('../../../../examples/', import.meta.url))

export function hostTools(path = process.env.PATH ?? '', uid = process.getuid?.() ?? 0): HostTools {
  const has = (cmd: string) => path.split(delimiter).some((d) => d && existsSync(join(d, cmd)))
  const pg = ['postgres', 'initdb', 'pg_ctl', 'psql', 'pg_isready'].every((p) => existsSync(join(POSTGRES_BIN, p)))
  return { nginx: has('nginx'), redis: has('redis-server') && has('redis-cli'), postgres: pg, rootless: uid !== 0 }
}

const POSTGRES_BIN = '/usr/lib/postgresql/15/bin'

export const DEFAULT_LOAD_BALANCER_POOL = '127.0.1.0/24'

/** Address `n` of an IPv4 pool: (127.0.2.0/24, 100) → 127.0.2.100. */
export function poolAddress(pool: string, n: number): string {
  const [base] = pool.split('/')
  const parts = base!.split('.').map(Number)
  const value = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) + n
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.')
}

/** Every occurrence of `from` in the objects' strings replaced by `to`. */
function replaceAddress(objs: Manifest[], from: string, to: string): Manifest[] {
  if (from === to) return objs
  return JSON.parse(JSON.stringify(objs).split(from).join(to)) as Manifest[]
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
    nginxOrNode(host, 'tasks-app/frontend:latest'),
  ],
  manifests: ['kubernetes'],
  entry: { service: 'frontend-service' },
}

// nginx serves the page where the host has it; else (and in a rootless node, where nginx
// fails to chown its temp dirs to its worker user) the same page and proxy in Node.
const nginxOrNode = (host: HostTools, tag: string): DemoImage => (host.nginx && !host.rootless
  ? { tag, context: 'frontend' }
  : { tag, context: '.', dockerfile: 'frontend-node/Dockerfile' })

const recipe: Demo = {
  name: 'recipe',
  title: 'the recipe app',
  dir: 'recipe-3tier',
  unmet: (host) => (host.redis ? undefined : "the recipe demo runs the host's redis-server and redis-cli: install redis-server"),
  images: (host) => [
    { tag: 'recipe-3tier/backend:latest', context: 'backend' },
    nginxOrNode(host, 'recipe-3tier/frontend:latest'),
  ],
  manifests: ['kubernetes'],
  // The backend's fixed loadBalancerIP (and the page that calls it) is the pool's .100.
  prepare: (objs, { loadBalancerPool }) => replaceAddress(objs, poolAddress(DEFAULT_LOAD_BALANCER_POOL, 100), poolAddress(loadBalancerPool, 100)),
  // As the README does with kubectl create configmap: Redis's ClusterIP, and the frontend's
  // address as the one origin the backend's CORS allows.
  async computed(client) {
    const redis = await client.get<Service>(SERVICE, 'redis', 'default')
    return [
      literalConfigMap('backend', { REDIS_HOST: redis.spec?.clusterIP ?? '' }),
      literalConfigMap('backend-cors', { ALLOWED_ORIGIN: `http://${await externalIP(client, 'frontend')}` }),
    ]
  },
  entry: { service: 'frontend' },
}

const lifesub: Demo = {
  name: 'lifesub',
  title: 'the lifesub app',
  dir: 'lifesub',
  unmet: (host) => (!host.postgres
    ? `the lifesub demo runs the host's PostgreSQL 15 (${POSTGRES_BIN}): install postgresql-15`
    : host.rootless ? 'the lifesub demo runs PostgreSQL as uid 999, which a rootless node does not map: run it as root' : undefined),
  images: (host) => [
    { tag: 'lifesub/postgres:15', context: 'postgres' },
    // The backends share lib/, so their context is the example's directory.
    { tag: 'lifesub/member:latest', context: '.', dockerfile: 'member/Dockerfile' },
    { tag: 'lifesub/mysub:latest', context: '.', dockerfile: 'mysub/Dockerfile' },
    { tag: 'lifesub/recommend:latest', context: '.', dockerfile: 'recommend/Dockerfile' },
    nginxOrNode(host, 'lifesub/frontend:latest'),
  ],
  manifests: ['kubernetes'],
  // As the README does with kubectl: the backends allow the frontend's external IP as an
  // origin, and the page calls the APIs through the ingress where it listens on this machine.
  async computed(client, { ingressURLs }) {
    const api = ingressURLs.find((u) => u.startsWith('http:')) ?? 'http://127.0.0.1'
    return [
      literalConfigMap('lifesub-cors', { ALLOWED_ORIGINS: `http://${await externalIP(client, 'frontend')}` }),
      literalConfigMap('lifesub-frontend', { API_BASE_URL: api }),
    ]
  },
  entry: { service: 'frontend' },
}

export const DEMOS: Record<string, Demo> = { tasks, recipe, lifesub }

export const DEFAULT_DEMO = 'tasks'
