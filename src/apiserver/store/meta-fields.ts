/**
 * @module
 * System-owned metadata: what the server sets on create (uid, creationTimestamp, a name from
 * generateName) and what an update may not change (carried over from the stored object).
 */
// Upstream: staging/src/k8s.io/apiserver/pkg/registry/rest/create.go (FillObjectMetaSystemFields)
// and rest/update.go (BeforeUpdate), plus names.SimpleNameGenerator.
import { randomInt, randomUUID } from 'node:crypto'
import type { KubeObject } from '../../api/index.js'

// Upstream's generateName alphabet: no vowels and no confusable characters.
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789'
const RANDOM_LENGTH = 5
const MAX_GENERATED_NAME = 63

export function generateName(base: string): string {
  const prefix = base.length > MAX_GENERATED_NAME - RANDOM_LENGTH ? base.slice(0, MAX_GENERATED_NAME - RANDOM_LENGTH) : base
  let suffix = ''
  for (let i = 0; i < RANDOM_LENGTH; i++) suffix += ALPHANUMS[randomInt(ALPHANUMS.length)]
  return prefix + suffix
}

/** RFC 3339 with second precision, as metav1.Time marshals. */
export const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

export function fillCreateFields(obj: KubeObject, now: Date) {
  const meta = (obj.metadata ??= {})
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName)
  meta.uid = randomUUID()
  meta.creationTimestamp = rfc3339(now)
  delete meta.resourceVersion
  delete meta.deletionTimestamp
  delete meta.deletionGracePeriodSeconds
  delete (meta as Record<string, unknown>).selfLink
  if (meta.generation === undefined) delete meta.generation
}

/** Fields an update may leave out: filled from the stored object. A client that sends a
 *  different value is told by validateObjectMetaUpdate that the field is immutable. */
export function carryOverSystemFields(obj: KubeObject, old: KubeObject) {
  const meta = (obj.metadata ??= {})
  const o = old.metadata ?? {}
  meta.uid ||= o.uid
  meta.creationTimestamp ||= o.creationTimestamp
  if (o.deletionTimestamp) meta.deletionTimestamp ||= o.deletionTimestamp
  if (o.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds ??= o.deletionGracePeriodSeconds
  // Requests cannot set generation: strategies bump it from the stored value.
  if (o.generation !== undefined) meta.generation = o.generation
  else delete meta.generation
  if (o.generateName !== undefined && meta.generateName === undefined) meta.generateName = o.generateName
  delete (meta as Record<string, unknown>).selfLink
}
