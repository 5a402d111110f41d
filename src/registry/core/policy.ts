/**
 * @module
 * Registry entries for ResourceQuotas and LimitRanges.
 */
// Upstream: pkg/apis/core/v1/defaults.go (SetDefaults_LimitRangeItem), pkg/registry/core/resourcequota/strategy.go,
// pkg/apis/core/validation/validation.go (ValidateResourceQuota, ValidateLimitRange),
// pkg/printers/internalversion/printers.go (printResourceQuota, printLimitRange).
import type { LimitRange, ResourceQuota } from 'kubernetes-types/core/v1.js'
import { invalidValue, notSupported, path, required, type FieldError } from '../../api/field-errors.js'
import { nameColumn, ageColumn } from '../printers.js'
import type { ResourceType } from '../types.js'
import { quantityValue, w } from './util.js'

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
const QUOTA_SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating']
const LIMIT_TYPES = ['Container', 'PersistentVolumeClaim', 'Pod']

function validateQuantities(list: Record<string, unknown> | undefined, p: string): FieldError[] {
  const errs: FieldError[] = []
  for (const [k, q] of Object.entries(list ?? {})) {
    const v = quantityValue(q as string)
    if (v === undefined || v < 0) errs.push(invalidValue(path(p, `[${k}]`), String(q), 'must be greater than or equal to 0'))
  }
  return errs
}

function validateQuota(rq: ResourceQuota): FieldError[] {
  const errs = validateQuantities(rq.spec?.hard, 'spec.hard')
  errs.push(...validateQuantities(rq.status?.hard, 'status.hard'), ...validateQuantities(rq.status?.used, 'status.used'))
  ;(rq.spec?.scopes ?? []).forEach((s) => {
    if (!QUOTA_SCOPES.includes(s)) errs.push(notSupported('spec.scopes', s, QUOTA_SCOPES))
  })
  return errs
}

/** Request and limit cells: "cpu: 0/1, pods: 2/10"; `limits.*` resources go to the limit cell. */
export function quotaCells(rq: ResourceQuota): { request: string; limit: string } {
  const request: string[] = []
  const limit: string[] = []
  for (const name of Object.keys(rq.spec?.hard ?? {}).sort()) {
    const cell = `${name}: ${String(rq.status?.used?.[name] ?? '0')}/${String(rq.spec!.hard![name])}`
    if (name.split('.').length > 1 && name.split('.')[0] === 'limits') limit.push(cell)
    else request.push(cell)
  }
  return { request: request.join(', '), limit: limit.join(', ') }
}

export const resourcequotas = {
  group: '', version: 'v1', kind: 'ResourceQuota', resource: 'resourcequotas', singular: 'resourcequota', namespaced: true,
  shortNames: ['quota'], verbs: VERBS, schema: 'io.k8s.api.core.v1.ResourceQuota',
  subresources: { status: true },
  prepareForCreate(rq) {
    w(rq).status = {} // the quota controller computes usage
  },
  prepareForUpdate(rq, old) {
    w(rq).status = old.status ?? {}
  },
  validate: validateQuota,
  status: {
    prepareForUpdate(rq, old) {
      rq.spec = old.spec
    },
    validateUpdate: (rq) => validateQuota(rq),
  },
  columns: [
    nameColumn,
    ageColumn,
    { name: 'Request', type: 'string', description: 'Request represents a minimum amount of cpu/memory that a container may consume.', cell: (rq) => quotaCells(rq).request },
    { name: 'Limit', type: 'string', description: 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.', cell: (rq) => quotaCells(rq).limit },
  ],
} satisfies ResourceType<ResourceQuota>

function defaultLimitRange(lr: LimitRange) {
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue
    const def = { ...item.default }
    const defReq = { ...item.defaultRequest }
    // No default limit: take the max. No default request: take the default limit, else the min.
    for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v
    for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v
    for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in defReq)) defReq[k] = v
    if (Object.keys(def).length) item.default = def
    if (Object.keys(defReq).length) item.defaultRequest = defReq
  }
}

function validateLimitRange(lr: LimitRange): FieldError[] {
  const errs: FieldError[] = []
  ;(lr.spec?.limits ?? []).forEach((item, i) => {
    const p = path('spec', 'limits', i)
    if (!item.type) errs.push(required(path(p, 'type')))
    else if (!LIMIT_TYPES.includes(item.type) && !item.type.includes('/')) errs.push(notSupported(path(p, 'type'), item.type, LIMIT_TYPES))
    for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const) errs.push(...validateQuantities(item[k], path(p, k)))
    if (item.type === 'Pod' && item.default) errs.push(invalidValue(path(p, 'default'), item.default, 'may not be specified when `type` is \'Pod\''))
    for (const [k, v] of Object.entries(item.min ?? {})) {
      const max = item.max?.[k]
      if (max !== undefined && (quantityValue(v as string) ?? 0) > (quantityValue(max as string) ?? 0)) {
        errs.push(invalidValue(path(p, 'min', `[${k}]`), String(v), `min value ${String(v)} is greater than max value ${String(max)}`))
      }
    }
  })
  return errs
}

export const limitranges = {
  group: '', version: 'v1', kind: 'LimitRange', resource: 'limitranges', singular: 'limitrange', namespaced: true,
  shortNames: ['limits'], verbs: VERBS, schema: 'io.k8s.api.core.v1.LimitRange',
  defaults: defaultLimitRange,
  validate: validateLimitRange,
  columns: [
    nameColumn,
    // Upstream prints the raw timestamp here, not an age.
    { name: 'Created At', type: 'date', description: 'When the limit range was created.', cell: (lr) => lr.metadata?.creationTimestamp ?? null },
  ],
} satisfies ResourceType<LimitRange>
