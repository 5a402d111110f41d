/**
 * @module
 * ObjectMeta validation shared by every kind: name or generateName, namespace by scope,
 * labels, annotations, owner references, finalizers, and the fields an update may not change.
 * The generic store runs these for every object; kinds add their own rules on top.
 */
// Upstream: staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go (ValidateObjectMetaAccessor,
// ValidateObjectMetaAccessorUpdate, ValidateAnnotations, ValidateOwnerReferences, ValidateFinalizers)
// and staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go (ValidateLabels).
import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js'
import { forbiddenField, immutable, invalidValue, path, required, tooLong, type FieldError } from '../api/field-errors.js'
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../api/names.js'
import { parseApiVersion } from '../api/meta.js'

/** Upstream's TotalAnnotationSizeLimitB: keys plus values, 256 KiB. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024

export type ObjectMetaOptions = { namespaced: boolean; validateName?: (n: string) => string[] }

/** A generateName is a prefix: a trailing '-' is fine there, so it is masked before the check. */
const maskTrailingDash = (s: string) => (s.length > 1 && s.endsWith('-') ? `${s.slice(0, -1)}a` : s)

/** Validates metadata of an object being created (or the new object of an update). */
export function validateObjectMeta(meta: ObjectMeta, opts: ObjectMetaOptions, p = 'metadata'): FieldError[] {
  const nameFn = opts.validateName ?? isDNS1123Subdomain
  const errs: FieldError[] = []
  if (meta.generateName) {
    for (const m of nameFn(maskTrailingDash(meta.generateName))) errs.push(invalidValue(path(p, 'generateName'), meta.generateName, m))
  }
  if (!meta.name) errs.push(required(path(p, 'name'), 'name or generateName is required'))
  else for (const m of nameFn(meta.name)) errs.push(invalidValue(path(p, 'name'), meta.name, m))
  if (opts.namespaced) {
    if (!meta.namespace) errs.push(required(path(p, 'namespace')))
    else for (const m of isDNS1123Label(meta.namespace)) errs.push(invalidValue(path(p, 'namespace'), meta.namespace, m))
  } else if (meta.namespace) {
    errs.push(forbiddenField(path(p, 'namespace'), 'not allowed on this type'))
  }
  if (meta.generation !== undefined && meta.generation < 0) {
    errs.push(invalidValue(path(p, 'generation'), meta.generation, 'must be greater than or equal to 0'))
  }
  errs.push(...validateLabels(meta.labels, path(p, 'labels')))
  errs.push(...validateAnnotations(meta.annotations, path(p, 'annotations')))
  errs.push(...validateOwnerReferences(meta.ownerReferences, path(p, 'ownerReferences')))
  errs.push(...validateFinalizers(meta.finalizers, path(p, 'finalizers')))
  return errs
}

/** What an update may not change in metadata. The store validates the new metadata separately. */
export function validateObjectMetaUpdate(meta: ObjectMeta, oldMeta: ObjectMeta, p = 'metadata'): FieldError[] {
  const errs: FieldError[] = []
  if (oldMeta.deletionTimestamp) {
    const old = new Set(oldMeta.finalizers ?? [])
    const extra = [...new Set((meta.finalizers ?? []).filter((f) => !old.has(f)))].sort()
    if (extra.length) {
      errs.push(forbiddenField(path(p, 'finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`))
    }
  }
  if ((meta.generation ?? 0) < (oldMeta.generation ?? 0)) {
    errs.push(invalidValue(path(p, 'generation'), meta.generation ?? 0, 'must not be decremented'))
  }
  // resourceVersion is the store's business (it fills it for unconditional updates).
  const same = (a: unknown, b: unknown) => (a ?? '') === (b ?? '')
  if (!same(meta.name, oldMeta.name)) errs.push(immutable(path(p, 'name'), meta.name ?? ''))
  if (!same(meta.namespace, oldMeta.namespace)) errs.push(immutable(path(p, 'namespace'), meta.namespace ?? ''))
  if (!same(meta.uid, oldMeta.uid)) errs.push(immutable(path(p, 'uid'), meta.uid ?? ''))
  if (!sameTime(meta.creationTimestamp, oldMeta.creationTimestamp)) {
    errs.push(invalidRaw(path(p, 'creationTimestamp'), goTime(meta.creationTimestamp), 'field is immutable'))
  }
  if (!sameTime(meta.deletionTimestamp, oldMeta.deletionTimestamp)) {
    errs.push(invalidRaw(path(p, 'deletionTimestamp'), meta.deletionTimestamp ? goTime(meta.deletionTimestamp) : 'null', 'field is immutable'))
  }
  if ((meta.deletionGracePeriodSeconds ?? null) !== (oldMeta.deletionGracePeriodSeconds ?? null)) {
    errs.push(immutable(path(p, 'deletionGracePeriodSeconds'), meta.deletionGracePeriodSeconds ?? null))
  }
  return errs
}

const sameTime = (a?: string, b?: string) => (a ? Date.parse(a) : 0) === (b ? Date.parse(b) : 0) || (a ?? '') === (b ?? '')
/** metav1.Time prints through Go's time.String: "2024-01-02 03:04:05 +0000 UTC". */
function goTime(t: string | undefined): string {
  const ms = t ? Date.parse(t) : NaN
  if (Number.isNaN(ms)) return '0001-01-01 00:00:00 +0000 UTC'
  return `${new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '')} +0000 UTC`
}
/** An Invalid error whose value is already rendered (Go prints Stringers unquoted). */
function invalidRaw(field: string, rendered: string, detail: string): FieldError {
  const body = `Invalid value: ${rendered}: ${detail}`
  return { type: 'FieldValueInvalid', field, message: body, error: `${field}: ${body}` }
}

/** Label keys are qualified names, values label values; errors name the map, not the key. */
export function validateLabels(labels: Record<string, string> | undefined | null, p: string): FieldError[] {
  const errs: FieldError[] = []
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(invalidValue(p, k, m))
    for (const m of isValidLabelValue(v ?? '')) errs.push(invalidValue(p, v, m))
  }
  return errs
}

/** Annotation keys are qualified names (case-insensitive); keys and values total at most 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined | null, p: string): FieldError[] {
  const errs: FieldError[] = []
  let size = 0
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalidValue(p, k, m))
    size += Buffer.byteLength(k) + Buffer.byteLength(v ?? '')
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(p, '', TOTAL_ANNOTATION_SIZE_LIMIT))
  return errs
}

/** Kinds that may never own anything (upstream's BannedOwners). */
const BANNED_OWNERS = new Set(['/v1/Event'])

export function validateOwnerReferences(refs: OwnerReference[] | undefined | null, p: string): FieldError[] {
  const errs: FieldError[] = []
  let firstController = ''
  for (const ref of refs ?? []) {
    const gv = parseGroupVersion(ref.apiVersion ?? '')
    if (!gv.version) errs.push(invalidValue(path(p, 'apiVersion'), ref.apiVersion ?? '', 'version must not be empty'))
    if (!ref.kind) errs.push(invalidValue(path(p, 'kind'), ref.kind ?? '', 'kind must not be empty'))
    if (!ref.name) errs.push(invalidValue(path(p, 'name'), ref.name ?? '', 'name must not be empty'))
    if (!ref.uid) errs.push(invalidValue(path(p, 'uid'), ref.uid ?? '', 'uid must not be empty'))
    if (BANNED_OWNERS.has(`${gv.group}/${gv.version}/${ref.kind}`)) {
      errs.push(invalidValue(p, ref, `${gv.group}/${gv.version}, Kind=${ref.kind} is disallowed from being an owner`))
    }
    if (ref.controller === true) {
      const cur = `${ref.kind}/${ref.name}`
      if (firstController) {
        errs.push(invalidValue(p, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`))
      } else firstController = cur
    }
  }
  return errs
}

/** apiVersion with more than one '/' is not a group/version at all (Go's ParseGroupVersion fails). */
function parseGroupVersion(apiVersion: string): { group: string; version: string } {
  if ((apiVersion.match(/\//g) ?? []).length > 1) return { group: '', version: '' }
  return parseApiVersion(apiVersion)
}

export const FINALIZER_ORPHAN = 'orphan'
export const FINALIZER_FOREGROUND = 'foregroundDeletion'

/** Finalizer names are qualified names; orphan and foregroundDeletion exclude each other. */
export function validateFinalizers(finalizers: string[] | undefined | null, p: string): FieldError[] {
  const errs: FieldError[] = []
  for (const f of finalizers ?? []) for (const m of isQualifiedName(f)) errs.push(invalidValue(p, f, m))
  if (finalizers?.includes(FINALIZER_ORPHAN) && finalizers.includes(FINALIZER_FOREGROUND)) {
    errs.push(invalidValue(p, finalizers, `finalizer ${FINALIZER_ORPHAN} and ${FINALIZER_FOREGROUND} cannot be both set`))
  }
  return errs
}
