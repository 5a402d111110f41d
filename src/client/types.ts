/**
 * @module
 * What every control loop is written against: a Client that speaks the Kubernetes API (over
 * HTTP or in process, the same semantics either way), shared informers over it, and the
 * Controller shape that `runController` drives.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js'
import type { Cached, KubeObject, ObjectKey } from '../api/index.js'

/** Any API object: kubernetes-types interfaces (Pod, Deployment...) and KubeObject alike. */
export type ApiObject = { apiVersion?: string; kind?: string; metadata?: ObjectMeta }

/** A resource as the API names it: `{group:'apps', version:'v1', resource:'deployments'}`. */
export type ResourceRef = { group: string; version: string; resource: string; namespaced: boolean; kind: string }

/** Anything that names a kind: `'apps/v1', 'Deployment'`. */
export type KindRef = { apiVersion: string; kind: string }

export type ListOptions = {
  namespace?: string
  labelSelector?: string
  fieldSelector?: string
  limit?: number
  continue?: string
  resourceVersion?: string
  resourceVersionMatch?: 'Exact' | 'NotOlderThan'
}

export type WatchOptions = ListOptions & {
  allowWatchBookmarks?: boolean
  timeoutSeconds?: number
}

export type DeleteOptions = {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground'
  gracePeriodSeconds?: number
  preconditions?: { uid?: string; resourceVersion?: string }
  dryRun?: boolean
}

export type WriteOptions = {
  dryRun?: boolean
  fieldManager?: string
  signal?: AbortSignal
  /** Server-side apply only: take over fields other managers own instead of a Conflict. */
  force?: boolean
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply'

export type ObjectList<T> = { apiVersion?: string; kind?: string; metadata: { resourceVersion?: string; continue?: string }; items: T[] }

/** One event of a watch stream; BOOKMARK carries only metadata.resourceVersion. */
export type WatchEvent<T> = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: T }

/**
 * The Kubernetes API as a control loop sees it. Every method resolves with a fresh copy
 * (never a shared object) or rejects with a `StatusError` carrying the server's Status.
 */
export interface Client {
  get<T extends ApiObject>(kind: KindRef, name: string, namespace?: string, opts?: { signal?: AbortSignal }): Promise<T>
  list<T extends ApiObject>(kind: KindRef, opts?: ListOptions & { signal?: AbortSignal }): Promise<ObjectList<T>>
  /** Namespace comes from the object's metadata. */
  create<T extends ApiObject>(obj: T, opts?: WriteOptions): Promise<T>
  /** PUT with the object's resourceVersion: a stale one rejects with Conflict (409).
   *  `subresource` PUTs to one (`namespaces/x/finalize`). */
  update<T extends ApiObject>(obj: T, opts?: WriteOptions & { subresource?: string }): Promise<T>
  /** PUT .../status. */
  updateStatus<T extends ApiObject>(obj: T, opts?: WriteOptions): Promise<T>
  patch<T extends ApiObject>(kind: KindRef, name: string, namespace: string | undefined, patch: unknown,
    opts?: WriteOptions & { type?: PatchType; subresource?: string }): Promise<T>
  /** Resolves with the server's reply: the object (graceful deletion, finalizers) or a Status. */
  delete(kind: KindRef, name: string, namespace?: string, opts?: DeleteOptions & { signal?: AbortSignal }): Promise<KubeObject>
  /** POST to a subresource: pods/binding, pods/eviction, serviceaccounts/token. */
  createSubresource<T extends ApiObject>(kind: KindRef, name: string, namespace: string | undefined, subresource: string,
    body: KubeObject, opts?: WriteOptions): Promise<T>
  /** A watch stream; ends when the server closes it or `signal` aborts. Rejects on a 410 for a too-old version. */
  watch<T extends ApiObject>(kind: KindRef, opts: WatchOptions & { signal: AbortSignal }): AsyncIterable<WatchEvent<T>>
  /** Raw GET of any path (discovery, metrics APIs): parsed JSON. */
  getPath<T = unknown>(path: string, opts?: { signal?: AbortSignal }): Promise<T>
}

export type InformerEvent<T> =
  | { type: 'add'; obj: Cached<T> }
  | { type: 'update'; obj: Cached<T>; old: Cached<T> }
  | { type: 'delete'; obj: Cached<T> }

/** A local, watch-fed cache of one kind. Objects it returns are shared: look, don't touch. */
export interface Informer<T extends ApiObject> {
  readonly kind: KindRef
  get(key: ObjectKey | string): Cached<T> | undefined
  /** Every object, or those in one namespace. */
  list(namespace?: string): Cached<T>[]
  /** Objects whose index `name` maps to `value` (see `addIndex`). */
  byIndex(name: string, value: string): Cached<T>[]
  /** Adds an index (for example pods by node name); call before the informer starts. */
  addIndex(name: string, fn: (obj: Cached<T>) => string[]): void
  /** Registers a handler; it is also called with `add` for every object already cached. Returns an unsubscribe. */
  subscribe(handler: (ev: InformerEvent<T>) => void): () => void
  /** A controller trigger: maps every event to the keys to enqueue. */
  on(map: (ev: InformerEvent<T>) => Iterable<string> | undefined): Trigger
  hasSynced(): boolean
  /** The resourceVersion of the last list or event seen. */
  lastResourceVersion(): string
}

/** The shared informer factory: one list+watch per kind, however many controllers ask. */
export interface Informers {
  of<T extends ApiObject>(apiVersion: string, kind: string): Informer<T>
  /** Starts every informer asked for so far (and any asked for later) until `signal` aborts. */
  start(signal: AbortSignal): void
  /** Resolves once every started informer has listed. */
  waitForSync(signal?: AbortSignal): Promise<void>
}

/** Connects an informer's events to a controller's queue. */
export type Trigger = { subscribe(enqueue: (key: string) => void): () => void }

/** What a sync may ask of the loop besides success or a thrown error (retried with backoff). */
export type SyncResult = void | { requeueAfterMs: number }

/** A reconcile loop: events name keys; `sync` re-reads the caches and converges one key. */
export type Controller = {
  name: string
  triggers: Trigger[]
  sync(key: string, signal: AbortSignal): Promise<SyncResult>
  /** Optional periodic work (every `everyMs`), for loops driven by time rather than events. */
  tick?: { everyMs: number; run(signal: AbortSignal): Promise<void> }
}

/** Upstream's EventRecorder: core/v1 Events with reasons, aggregated so loops cannot flood storage. */
export interface EventRecorder {
  /** `type` is Normal or Warning; `reason` is upstream's CamelCase word. `fieldPath` names a
   *  part of the object, as the kubelet names containers (`spec.containers{nginx}`). */
  event(obj: Cached<KubeObject>, type: 'Normal' | 'Warning', reason: string, message: string, opts?: { fieldPath?: string }): void
}

/** What a controller constructor receives. `now` is the clock (tests drive it). */
export type ControllerContext = {
  client: Client
  informers: Informers
  recorder: (component: string) => EventRecorder
  now: () => number
  /** The server's data directory (local-path volumes live under it); absent for pure API tests. */
  dataDir?: string
}

export type TransportRequest = { method: string; path: string; headers?: Record<string, string>; body?: Buffer | string; signal?: AbortSignal }
export type TransportResponse = { status: number; headers: Record<string, string>; body: Buffer }
/** A streamed response (watch): the status and headers, then body chunks as they are written. */
export type TransportStream = { status: number; headers: Record<string, string>; chunks: AsyncIterable<Buffer> }

/** How a client reaches an API server: over HTTP(S), or by calling its handler in process. */
export interface Transport {
  request(req: TransportRequest): Promise<TransportResponse>
  stream(req: TransportRequest): Promise<TransportStream>
}
