/**
 * @module
 * Test helper: runs a registry entry's hooks in the store's order, so tests see what a
 * create or update through the API server would persist (metadata handling aside).
 */
import type { FieldError } from '../../api/field-errors.js'
import type { ResourceType } from '../types.js'

/** defaults → prepareForCreate → validate; returns the object and the validation lines. */
export function create<T extends object>(rt: ResourceType<any>, obj: T): { obj: T; errors: string[] } {
  const o = structuredClone(obj) as any
  rt.defaults?.(o)
  rt.prepareForCreate?.(o)
  return { obj: o, errors: (rt.validate?.(o) ?? []).map((e: FieldError) => e.error) }
}

/** defaults → prepareForUpdate → validate + validateUpdate (or the status hooks). */
export function update<T extends object>(rt: ResourceType<any>, obj: T, old: T, opts: { status?: boolean } = {}): { obj: T; errors: string[] } {
  const o = structuredClone(obj) as any
  rt.defaults?.(o)
  if (opts.status) {
    rt.status?.prepareForUpdate?.(o, old)
    return { obj: o, errors: (rt.status?.validateUpdate?.(o, old) ?? []).map((e: FieldError) => e.error) }
  }
  rt.prepareForUpdate?.(o, old)
  const errs = [...(rt.validate?.(o) ?? []), ...(rt.validateUpdate?.(o, old) ?? [])]
  return { obj: o, errors: errs.map((e: FieldError) => e.error) }
}

/** The cells of one row, by column name. */
export function row(rt: ResourceType<any>, obj: unknown, now: number): Record<string, unknown> {
  return Object.fromEntries((rt.columns ?? []).map((c) => [c.name, c.cell(obj, now)]))
}
