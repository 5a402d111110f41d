/**
 * @module
 * What a pod update may change: images, activeDeadlineSeconds (down only), added
 * tolerations, removed scheduling gates. Everything else in the spec is fixed at create.
 */
// Upstream: pkg/apis/core/validation/validation.go (ValidatePodUpdate, ValidateContainerUpdates,
// validateOnlyAddedTolerations, validateOnlyDeletedSchedulingGates, ValidatePodStatusUpdate).
import type { Pod, PodSpec, Toleration } from 'kubernetes-types/core/v1.js'
import { forbiddenField, invalidValue, path, required, type FieldError } from '../../api/field-errors.js'
import { semanticEqual } from '../../api/meta.js'
import { isDNS1123Subdomain } from '../../api/names.js'
import { isValidIP } from './util.js'

const MAX_INT32 = 2147483647
const FORBIDDEN_UPDATE = 'pod updates may not change fields other than `spec.containers[*].image`,' +
  '`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),' +
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)'

function containerUpdates(next: PodSpec['containers'] | undefined, prev: PodSpec['containers'] | undefined, p: string): { errs: FieldError[]; stop: boolean } {
  if ((next?.length ?? 0) !== (prev?.length ?? 0)) return { errs: [forbiddenField(p, 'pod updates may not add or remove containers')], stop: true }
  const errs: FieldError[] = []
  ;(next ?? []).forEach((c, i) => {
    if (!c.image) errs.push(required(path(p, i, 'image')))
    else if (c.image.trim() !== c.image) errs.push(invalidValue(path(p, i, 'image'), c.image, 'must not have leading or trailing whitespace'))
  })
  return { errs, stop: false }
}

const sameToleration = (a: Toleration, b: Toleration) =>
  (a.key ?? '') === (b.key ?? '') && (a.operator || 'Equal') === (b.operator || 'Equal') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '')

function onlyAddedTolerations(next: Toleration[] = [], prev: Toleration[] = [], p: string): FieldError[] {
  const errs: FieldError[] = []
  for (const old of prev) {
    const kept = next.find((t) => sameToleration(t, old))
    if (!kept) {
      errs.push(forbiddenField(p, 'existing toleration can not be modified except its tolerationSeconds'))
      return errs
    }
    const oldSecs = old.tolerationSeconds ?? null
    const newSecs = kept.tolerationSeconds ?? null
    // tolerationSeconds may only be lowered, and a finite one may not become infinite.
    if (oldSecs !== null && (newSecs === null || (newSecs > 0 && newSecs > oldSecs))) {
      errs.push(forbiddenField(p, 'existing toleration can not be modified except its tolerationSeconds'))
      return errs
    }
  }
  return errs
}

/** Lists spec fields that differ, standing in for the Go struct diff upstream appends. */
function specDiff(a: PodSpec, b: PodSpec): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
  return keys.filter((k) => !semanticEqual((a as any)[k], (b as any)[k]))
    .map((k) => `  core.PodSpec{\n  \t${k}: ${JSON.stringify((a as any)[k] ?? null)} -> ${JSON.stringify((b as any)[k] ?? null)}\n  }`).join('\n')
}

/** Rules for PUT/PATCH of a pod's spec (not its status). */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const spec = pod.spec ?? { containers: [] }
  const oldSpec = old.spec ?? { containers: [] }
  const errs: FieldError[] = []
  const c = containerUpdates(spec.containers, oldSpec.containers, 'spec.containers')
  errs.push(...c.errs)
  if (c.stop) return errs
  const ic = containerUpdates(spec.initContainers, oldSpec.initContainers, 'spec.initContainers')
  errs.push(...ic.errs)
  if (ic.stop) return errs
  errs.push(...onlyAddedTolerations(spec.tolerations, oldSpec.tolerations, 'spec.tolerations'))
  const oldGates = new Set((oldSpec.schedulingGates ?? []).map((g) => g.name))
  if ((spec.schedulingGates ?? []).some((g) => !oldGates.has(g.name))) {
    errs.push(forbiddenField('spec.schedulingGates', 'only deletion is allowed, but found new scheduling gate \'' +
      (spec.schedulingGates ?? []).find((g) => !oldGates.has(g.name))!.name + '\''))
  }
  const ads = spec.activeDeadlineSeconds
  const oldAds = oldSpec.activeDeadlineSeconds
  if (ads !== undefined && ads !== null) {
    if (ads < 0 || ads > MAX_INT32) return [...errs, invalidValue('spec.activeDeadlineSeconds', ads, `must be between 0 and ${MAX_INT32}, inclusive`)]
    if (oldAds !== undefined && oldAds !== null && oldAds < ads) return [...errs, invalidValue('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value')]
  } else if (oldAds !== undefined && oldAds !== null) {
    errs.push(invalidValue('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'))
  }

  // Munge the mutable fields to their old values; what is left must be unchanged.
  const munged: PodSpec = structuredClone(spec)
  munged.containers = (munged.containers ?? []).map((ct, i) => ({ ...ct, image: oldSpec.containers?.[i]?.image }))
  if (munged.initContainers) munged.initContainers = munged.initContainers.map((ct, i) => ({ ...ct, image: oldSpec.initContainers?.[i]?.image }))
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds
  munged.schedulingGates = oldSpec.schedulingGates
  munged.tolerations = oldSpec.tolerations
  const oldGrace = oldSpec.terminationGracePeriodSeconds
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace
  if (oldGates.size > 0) munged.nodeSelector = oldSpec.nodeSelector // gated pods may gain node selectors
  if (!semanticEqual(munged, oldSpec)) errs.push(forbiddenField('spec', `${FORBIDDEN_UPDATE}\n${specDiff(oldSpec, munged)}`))
  return errs
}

/** Rules for PUT/PATCH of pods/status. */
export function validatePodStatusUpdate(pod: Pod, _old: Pod): FieldError[] {
  const errs: FieldError[] = []
  const nominated = pod.status?.nominatedNodeName
  if (nominated) for (const m of isDNS1123Subdomain(nominated)) errs.push(invalidValue('status.nominatedNodeName', nominated, m))
  ;(pod.status?.podIPs ?? []).forEach((ip, i) => {
    if (!isValidIP(ip.ip ?? '')) errs.push(invalidValue(`status.podIPs[${i}].ip`, ip.ip ?? '', 'must be a valid IP address'))
  })
  return errs
}
