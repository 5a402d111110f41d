/**
 * @module
 * The generic resource store: create, get, list, update and delete for any registry entry,
 * over the storage Backend. The order of steps is upstream's genericregistry.Store:
 * defaults → system fields → prepare → admission → validate → persist.
 */
// Upstream: staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go.
import {
  alreadyExists, conflict, copy, forbidden, invalid, notFound, semanticEqual, staleConflict,
  type FieldError, type KubeObject,
} from '../../api/index.js'
import { validateObjectMeta, validateObjectMetaUpdate } from '../../registry/meta-validation.js'
import type { ResourceType } from '../../registry/types.js'
import { isStorageError, type Backend, type KeyValue, type ListResult } from '../../storage/index.js'
import { decodeObject, decodeShared, encodeObject, listPrefix, objectKey } from './codec.js'
import { carryOverSystemFields, fillCreateFields } from './meta-fields.js'
import type { AdmissionHooks, WriteContext } from './types.js'

const NAMESPACES = { group: '', resource: 'namespaces', namespaced: false }

export type UpdateFn = (current: KubeObject) => KubeObject | Promise<KubeObject>

export type ResourceStore = ReturnType<typeof resourceStore>

/** The store for one stored resource (never a conversion view: views convert around it). */
export function resourceStore(backend: Backend, rt: ResourceType, admission: AdmissionHooks = {}) {
  const gr = { group: rt.group, resource: rt.resource }
  const gk = { group: rt.group, kind: rt.kind }
  const keyOf = (ns: string, name: string) => objectKey(rt, ns, name)

  async function ensureNamespace(ns: string, name: string) {
    if (!rt.namespaced) return
    const { kv } = await backend.get(objectKey(NAMESPACES, '', ns))
    if (!kv) throw notFound({ group: '', resource: 'namespaces' }, ns)
    const nsObj = decodeShared(kv)
    if (nsObj.metadata?.deletionTimestamp || (nsObj.status as { phase?: string } | undefined)?.phase === 'Terminating') {
      throw forbidden(`${rt.resource}${rt.group ? '.' + rt.group : ''} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`)
    }
  }

  return {
    rt,
    keyOf,

    async get(ns: string, name: string): Promise<KubeObject> {
      const { kv } = await backend.get(keyOf(ns, name))
      if (!kv) throw notFound(gr, name)
      return decodeObject(kv)
    },

    /** Raw page of stored values: callers filter and decode (shared objects, do not mutate). */
    async listRaw(ns: string, opts: { startKey?: string; limit?: number; at?: number }): Promise<ListResult> {
      return backend.list(listPrefix(rt, ns), opts)
    },

    decodeShared: (kv: KeyValue) => decodeShared(kv),

    async create(obj: KubeObject, ns: string, ctx: WriteContext): Promise<KubeObject> {
      if (rt.namespaced) (obj.metadata ??= {}).namespace = ns
      else if (obj.metadata) delete obj.metadata.namespace
      rt.defaults?.(obj)
      fillCreateFields(obj, ctx.now)
      rt.prepareForCreate?.(obj)
      const name = obj.metadata?.name ?? ''
      // Metadata first: a nameless object must not reach admission, which keys on the name.
      const metaErrs = validateObjectMeta(obj.metadata ?? {}, { namespaced: rt.namespaced, validateName: rt.validateName })
      if (metaErrs.length) throw invalid(gk, name, metaErrs)
      await ensureNamespace(ns, name)
      const undo = await admission.beforeCreate?.(obj, ctx)
      try {
        const errs = rt.validate?.(obj) ?? []
        if (errs.length) throw invalid(gk, name, errs)
        if (ctx.dryRun) {
          const { kv } = await backend.get(keyOf(ns, name))
          if (kv) throw alreadyExists(gr, name)
          undo?.()
          return obj
        }
        const kv = await backend.create(keyOf(ns, name), encodeObject(obj))
        obj.metadata!.resourceVersion = String(kv.modRevision)
        return obj
      } catch (err) {
        undo?.()
        if (isStorageError(err, 'KeyExists')) throw alreadyExists(gr, name)
        throw err
      }
    },

    /**
     * Upstream's GuaranteedUpdate: read, apply `update`, and compare-and-swap, retrying on a
     * lost race unless the caller's object named a resourceVersion (then 409).
     */
    async update(ns: string, name: string, update: UpdateFn, ctx: WriteContext,
      opts: {
        subresource?: 'status' | 'binding' | ''
        allowCreate?: boolean
        create?: (obj: KubeObject) => Promise<KubeObject>
        /** The resourceVersion `update` returns came from the read, not from the caller (a patch
         *  that names none): a lost race re-reads and re-applies instead of a 409. */
        unconditional?: boolean
      } = {}): Promise<{ obj: KubeObject; created: boolean }> {
      const key = keyOf(ns, name)
      for (let attempt = 0; attempt < 100; attempt++) {
        const { kv } = await backend.get(key)
        if (!kv) {
          if (opts.create) return { obj: await opts.create({}), created: true }
          throw notFound(gr, name)
        }
        const old = decodeObject(kv)
        const obj = await update(copy(old))
        const wantRv = obj.metadata?.resourceVersion
        if (wantRv && wantRv !== String(kv.modRevision)) throw staleConflict(gr, name)
        if (!wantRv && rt.allowUnconditionalUpdate === false) {
          throw invalid(gk, name, [{ type: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update', error: 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update' }])
        }
        if (obj.metadata?.name !== undefined && obj.metadata.name !== name) {
          throw invalid(gk, name, [{ type: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "${obj.metadata.name}": field is immutable`, error: `metadata.name: Invalid value: "${obj.metadata.name}": field is immutable` }])
        }
        obj.metadata = { ...obj.metadata, name }
        if (rt.namespaced) obj.metadata.namespace ||= ns
        rt.defaults?.(obj)
        carryOverSystemFields(obj, old)
        const status = opts.subresource === 'status'
        // A binding writes spec.nodeName straight to storage, past the pod update rules
        // (upstream's BindingREST uses GuaranteedUpdate without the strategy).
        const binding = opts.subresource === 'binding'
        if (status) {
          prepareStatusUpdate(rt, obj, old)
        } else if (!binding) {
          rt.prepareForUpdate?.(obj, old)
        }
        const undo = await admission.beforeUpdate?.(obj, old, ctx)
        try {
          const errs: FieldError[] = [
            ...validateObjectMetaUpdate(obj.metadata ?? {}, old.metadata ?? {}),
            ...validateObjectMeta(obj.metadata ?? {}, { namespaced: rt.namespaced, validateName: rt.validateName }),
          ]
          if (status) errs.push(...(rt.status?.validateUpdate?.(obj, old) ?? []))
          else if (!binding) errs.push(...(rt.validate?.(obj) ?? []), ...(rt.validateUpdate?.(obj, old) ?? []))
          if (errs.length) throw invalid(gk, name, errs)
          obj.metadata!.resourceVersion = String(kv.modRevision)
          if (semanticEqual(obj, old)) {
            undo?.()
            return { obj: old, created: false }
          }
          if (ctx.dryRun) {
            undo?.()
            return { obj, created: false }
          }
          // The last finalizer gone from an object being deleted: it goes away now.
          if (obj.metadata?.deletionTimestamp && !(obj.metadata.finalizers?.length) && !(obj.metadata.deletionGracePeriodSeconds ?? 0)) {
            const gone = await backend.delete(key, kv.modRevision)
            if (!gone.ok) continue
            admission.afterDelete?.(obj)
            return { obj, created: false }
          }
          const swap = await backend.update(key, encodeObject(obj), kv.modRevision)
          if (!swap.ok) {
            undo?.()
            if (wantRv && !opts.unconditional) throw staleConflict(gr, name)
            continue // lost a race without a precondition: re-read and re-apply
          }
          obj.metadata!.resourceVersion = String(swap.kv.modRevision)
          return { obj, created: false }
        } catch (err) {
          undo?.()
          throw err
        }
      }
      throw conflict(gr, name, 'too many concurrent updates, please try again')
    },

    /** Removes the object from storage now (after graceful deletion and finalizers are done). */
    async remove(ns: string, name: string, expected: number, obj: KubeObject): Promise<boolean> {
      const swap = await backend.delete(keyOf(ns, name), expected)
      if (swap.ok) admission.afterDelete?.(obj)
      return swap.ok
    },

    /** The raw stored value, for delete's read-check-delete loop. */
    async getRaw(ns: string, name: string): Promise<KeyValue | undefined> {
      return (await backend.get(keyOf(ns, name))).kv
    },
  }
}

/** PUT/PATCH on /status: everything but status comes from the stored object. */
function prepareStatusUpdate(rt: ResourceType, obj: KubeObject, old: KubeObject) {
  if (rt.status?.prepareForUpdate) {
    rt.status.prepareForUpdate(obj, old)
    return
  }
  // Upstream: rest.ResetObjectMetaForStatus and each status strategy's `newObj.Spec = oldObj.Spec`.
  const status = obj.status
  const rv = obj.metadata?.resourceVersion
  for (const k of Object.keys(obj)) delete obj[k]
  Object.assign(obj, copy(old))
  if (status === undefined) delete obj.status
  else obj.status = status
  if (rv) obj.metadata!.resourceVersion = rv
}
