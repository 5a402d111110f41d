/**
 * @module
 * Test doubles for controllers (STYLE "Tests"): informers seeded with objects, and a client
 * that records every write and applies it to those informers, so a test can call `sync`
 * and read both the write log and the resulting caches.
 */
import { randomUUID } from 'node:crypto'
import { alreadyExists, apiVersionOf, conflict, copy, keyOf, notFound, type Cached, type KubeObject } from '../api/index.js'
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../api/index.js'
import { lookupSchema, schemaNameForKind } from '../api/schema/index.js'
import { informerCache, type InformerCache } from './cache.js'
import { kindOf, resourceFor } from './resources.js'
import type { Client, ControllerContext, EventRecorder, Informer, Informers, KindRef, ObjectList } from './types.js'

export type FakeInformers = Informers & {
  /** Adds or replaces an object in its kind's cache (as a watch event would). */
  set(obj: KubeObject): void
  /** Removes an object from its kind's cache. */
  remove(obj: KubeObject): void
  cacheOf(kind: KindRef): InformerCache<KubeObject>
}

export function fakeInformers(objects: KubeObject[] = []): FakeInformers {
  const caches = new Map<string, InformerCache<KubeObject>>()
  const cacheOf = (kind: KindRef) => {
    const id = `${kind.apiVersion}/${kind.kind}`
    let c = caches.get(id)
    if (!c) {
      caches.set(id, (c = informerCache<KubeObject>(kind)))
      c.markSynced()
    }
    return c
  }
  for (const o of objects) cacheOf(kindOf(o)).upsert(o as Cached<KubeObject>)
  return {
    of: <T extends KubeObject>(apiVersion: string, kind: string) => cacheOf({ apiVersion, kind }) as unknown as Informer<T>,
    start() {},
    async waitForSync() {},
    set: (obj) => cacheOf(kindOf(obj)).upsert(copy(obj) as Cached<KubeObject>),
    remove: (obj) => cacheOf(kindOf(obj)).remove(obj as Cached<KubeObject>),
    cacheOf,
  }
}

export type FakeAction = {
  verb: 'create' | 'update' | 'patch' | 'delete' | 'get' | 'list'
  /** 'pods', 'replicasets/status', 'pods/binding' ... */
  resource: string
  namespace?: string
  name?: string
  body?: unknown
}

export type FakeClient = Client & { actions: FakeAction[]; /** "verb resource" strings, for compact assertions. */ verbs(): string[] }

/** A client over the fake informers' caches: writes land there and in `actions`. */
export function fakeClient(informers: FakeInformers = fakeInformers()): FakeClient {
  const actions: FakeAction[] = []
  let rv = 1000
  const gr = (kind: KindRef) => {
    const r = resourceFor(kind)
    return { group: r.group, resource: r.resource }
  }
  const find = (kind: KindRef, name: string, namespace?: string) =>
    informers.cacheOf(kind).get(namespace && resourceFor(kind).namespaced ? `${namespace}/${name}` : name)
  const store = (obj: KubeObject) => {
    obj.metadata!.resourceVersion = String(++rv)
    informers.set(obj)
    return copy(obj)
  }
  const client: FakeClient = {
    actions,
    verbs: () => actions.map((a) => `${a.verb} ${a.resource}`),
    async get(kind, name, namespace) {
      actions.push({ verb: 'get', resource: resourceFor(kind).resource, namespace, name })
      const o = find(kind, name, namespace)
      if (!o) throw notFound(gr(kind), name)
      return copy(o) as never
    },
    async list(kind, opts) {
      actions.push({ verb: 'list', resource: resourceFor(kind).resource, namespace: opts?.namespace })
      return { metadata: { resourceVersion: String(rv) }, items: informers.cacheOf(kind).list(opts?.namespace).map((o) => copy(o)) } as ObjectList<never>
    },
    async create(obj) {
      const o = copy(obj) as KubeObject
      const kind = kindOf(o)
      o.metadata ??= {}
      if (!o.metadata.name && o.metadata.generateName) o.metadata.name = o.metadata.generateName + Math.random().toString(36).slice(2, 7)
      actions.push({ verb: 'create', resource: resourceFor(kind).resource, namespace: o.metadata.namespace, name: o.metadata.name, body: copy(obj) })
      if (find(kind, o.metadata.name!, o.metadata.namespace)) throw alreadyExists(gr(kind), o.metadata.name!)
      o.metadata.uid = randomUUID()
      o.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z')
      o.metadata.generation ??= 1
      return store(o) as never
    },
    async update(obj, o) {
      return write(obj, o?.subresource ? `/${o.subresource}` : '')
    },
    async updateStatus(obj) {
      return write(obj, '/status')
    },
    async patch(kind, name, namespace, patch, opts) {
      const sub = opts?.subresource ? `/${opts.subresource}` : ''
      actions.push({ verb: 'patch', resource: resourceFor(kind).resource + sub, namespace, name, body: patch })
      const cur = find(kind, name, namespace)
      if (!cur) throw notFound(gr(kind), name)
      const ref = resourceFor(kind)
      const next = opts?.type === 'json' ? applyJsonPatch(copy(cur), patch)
        : opts?.type === 'strategic' ? applyStrategicMergePatch(copy(cur), patch, schemaNameForKind(ref.group, ref.version, ref.kind) ?? '', lookupSchema)
          : applyMergePatch(copy(cur) as object, patch)
      return store(next as KubeObject) as never
    },
    async delete(kind, name, namespace, opts) {
      actions.push({ verb: 'delete', resource: resourceFor(kind).resource, namespace, name, body: opts })
      const cur = find(kind, name, namespace)
      if (!cur) throw notFound(gr(kind), name)
      informers.remove(cur as KubeObject)
      return { kind: 'Status', apiVersion: 'v1', status: 'Success' } as KubeObject
    },
    async createSubresource(kind, name, namespace, subresource, body) {
      actions.push({ verb: 'create', resource: `${resourceFor(kind).resource}/${subresource}`, namespace, name, body: copy(body) })
      const cur = find(kind, name, namespace)
      if (!cur) throw notFound(gr(kind), name)
      if (subresource === 'binding') {
        const pod = copy(cur) as KubeObject & { spec?: { nodeName?: string } }
        pod.spec = { ...pod.spec, nodeName: (body as { target?: { name?: string } }).target?.name }
        store(pod)
      }
      if (subresource === 'eviction') informers.remove(cur as KubeObject)
      return { kind: 'Status', apiVersion: 'v1', status: 'Success' } as never
    },
    // eslint-disable-next-line require-yield
    async *watch() {
      throw new Error('fakeClient: watch is not supported; seed the fake informers instead')
    },
    async getPath() {
      throw notFound({ group: '', resource: '' }, '')
    },
  }
  async function write(obj: KubeObject, sub: string) {
    const kind = kindOf(obj)
    const name = obj.metadata?.name ?? ''
    actions.push({ verb: 'update', resource: resourceFor(kind).resource + sub, namespace: obj.metadata?.namespace, name, body: copy(obj) })
    const cur = find(kind, name, obj.metadata?.namespace)
    if (!cur) throw notFound(gr(kind), name)
    if (obj.metadata?.resourceVersion && obj.metadata.resourceVersion !== cur.metadata?.resourceVersion) {
      throw conflict(gr(kind), name, 'the object has been modified; please apply your changes to the latest version and try again')
    }
    const next = copy(obj) as KubeObject & { spec?: { finalizers?: string[] } }
    if (sub === '/status') next.spec = (cur as KubeObject & { spec?: never }).spec
    // A namespace being deleted goes once its finalize leaves no finalizers (as the server does).
    if (sub === '/finalize' && next.metadata?.deletionTimestamp && !next.spec?.finalizers?.length) {
      informers.remove(cur as KubeObject)
      return copy(next) as never
    }
    return store(next) as never
  }
  return client
}

/** An event recorder that keeps what it was told: `${type} ${reason} ${message}` per event. */
export function fakeRecorder(): EventRecorder & { events: string[] } {
  const events: string[] = []
  return { events, event: (_obj, type, reason, message) => void events.push(`${type} ${reason} ${message}`) }
}

/** A ControllerContext over fakes, with a clock the test moves (`ctx.clock.ms += 1000`). */
export function fakeContext(objects: KubeObject[] = []) {
  const informers = fakeInformers(objects)
  const client = fakeClient(informers)
  const recorder = fakeRecorder()
  const clock = { ms: Date.parse('2026-01-01T00:00:00Z') }
  const ctx: ControllerContext = { client, informers, recorder: () => recorder, now: () => clock.ms }
  return { ctx, informers, client, recorder, clock }
}

export { keyOf, apiVersionOf }
