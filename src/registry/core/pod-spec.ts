/**
 * @module
 * Pod spec validation shared by pods and every template (Deployments, Jobs, ...), plus
 * the container name/image cells of wide listings.
 */
// Upstream: pkg/apis/core/validation/validation.go (ValidatePodSpec, ValidatePodTemplateSpec,
// ValidateVolumes, validateVolumeSource, validateRestartPolicy, validateDNSPolicy, ValidateTolerations).
import type { PodSpec, PodTemplateSpec, Toleration, Volume } from 'kubernetes-types/core/v1.js'
import {
  duplicate, forbiddenField, invalidValue, notSupported, path, required, type FieldError,
} from '../../api/field-errors.js'
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../api/names.js'
import { validateAnnotations, validateLabels } from '../meta-validation.js'
import { validateContainerList } from './container-validation.js'

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never']
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute']
const MAX_INT32 = 2147483647

const VOLUME_SOURCES = ['hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs',
  'iscsi', 'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume',
  'scaleIO', 'storageos', 'csi', 'ephemeral', 'image']

/** Comma-joined container names of a spec, as the wide "Containers" column shows them. */
export function containerNames(spec?: PodSpec): string {
  return (spec?.containers ?? []).map((c) => c.name).join(',')
}
/** Comma-joined images, as the wide "Images" column shows them. */
export function containerImages(spec?: PodSpec): string {
  return (spec?.containers ?? []).map((c) => c.image ?? '').join(',')
}

function validateMode(mode: number | undefined, p: string): FieldError[] {
  if (mode === undefined || (mode >= 0 && mode <= 0o777)) return []
  return [invalidValue(p, mode, 'must be a number between 0 and 0777 (octal), both inclusive')]
}

function validateVolumeSource(v: Volume, p: string): FieldError[] {
  const errs: FieldError[] = []
  let n = 0
  for (const k of VOLUME_SOURCES) {
    const src = (v as any)[k]
    if (src === undefined || src === null) continue
    if (n > 0) { errs.push(forbiddenField(path(p, k), 'may not specify more than 1 volume type')); continue }
    n++
    const sp = path(p, k)
    switch (k) {
      case 'hostPath': if (!src.path) errs.push(required(path(sp, 'path'))); break
      case 'emptyDir':
        if (src.medium && !['Memory', 'HugePages'].includes(src.medium) && !src.medium.startsWith('HugePages-')) {
          errs.push(notSupported(path(sp, 'medium'), src.medium, ['', 'Memory', 'HugePages']))
        }
        break
      case 'secret': if (!src.secretName) errs.push(required(path(sp, 'secretName'))); errs.push(...validateMode(src.defaultMode, path(sp, 'defaultMode'))); break
      case 'configMap': if (!src.name) errs.push(required(path(sp, 'name'))); errs.push(...validateMode(src.defaultMode, path(sp, 'defaultMode'))); break
      case 'persistentVolumeClaim': if (!src.claimName) errs.push(required(path(sp, 'claimName'))); break
      case 'nfs':
        if (!src.server) errs.push(required(path(sp, 'server')))
        if (!src.path) errs.push(required(path(sp, 'path')))
        else if (!src.path.startsWith('/')) errs.push(invalidValue(path(sp, 'path'), src.path, 'must be an absolute path'))
        break
      case 'projected': case 'downwardAPI': errs.push(...validateMode(src.defaultMode, path(sp, 'defaultMode'))); break
      case 'csi': if (!src.driver) errs.push(required(path(sp, 'driver'))); break
    }
    for (const [j, item] of ((src.items ?? []) as { key?: string; path?: string; mode?: number }[]).entries()) {
      const ip = path(sp, 'items', j)
      if (k !== 'downwardAPI' && !item.key) errs.push(required(path(ip, 'key')))
      if (!item.path) errs.push(required(path(ip, 'path')))
      else if (item.path.startsWith('/')) errs.push(invalidValue(path(ip, 'path'), item.path, 'must be a relative path'))
      else if (item.path.split('/').includes('..')) errs.push(invalidValue(path(ip, 'path'), item.path, "must not contain '..'"))
      errs.push(...validateMode(item.mode, path(ip, 'mode')))
    }
  }
  if (n === 0) errs.push(required(p, 'must specify a volume type'))
  return errs
}

/** Volumes: names are unique DNS-1123 labels; each has exactly one source. Returns the names. */
export function validateVolumes(volumes: Volume[] | undefined, p: string): { names: Set<string>; errs: FieldError[] } {
  const names = new Set<string>()
  const errs: FieldError[] = []
  ;(volumes ?? []).forEach((v, i) => {
    const vp = path(p, i)
    errs.push(...validateVolumeSource(v, vp))
    if (!v.name) errs.push(required(path(vp, 'name')))
    else for (const m of isDNS1123Label(v.name)) errs.push(invalidValue(path(vp, 'name'), v.name, m))
    if (names.has(v.name)) errs.push(duplicate(path(vp, 'name'), v.name))
    names.add(v.name)
  })
  return { names, errs }
}

export function validateTolerations(tolerations: Toleration[] | undefined, p: string): FieldError[] {
  const errs: FieldError[] = []
  ;(tolerations ?? []).forEach((t, i) => {
    const tp = path(p, i)
    if (t.key) for (const m of isQualifiedName(t.key)) errs.push(invalidValue(path(tp, 'key'), t.key, m))
    if (!t.key && t.operator !== 'Exists') {
      errs.push(invalidValue(path(tp, 'operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'))
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(invalidValue(path(tp, 'effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"))
    }
    if (!t.operator || t.operator === 'Equal') {
      for (const m of isValidLabelValue(t.value ?? '')) errs.push(invalidValue(path(tp, 'operator'), t.value ?? '', m))
    } else if (t.operator === 'Exists') {
      if (t.value) errs.push(invalidValue(path(tp, 'operator'), t, "value must be empty when `operator` is 'Exists'"))
    } else errs.push(notSupported(path(tp, 'operator'), t.operator, ['Equal', 'Exists']))
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(path(tp, 'effect'), t.effect, TAINT_EFFECTS))
  })
  return errs
}

/** Validates a pod spec found at `p` ("spec", "spec.template.spec", ...). Never mutates. */
export function validatePodSpec(spec: PodSpec, p: string): FieldError[] {
  const errs: FieldError[] = []
  const { names: volumes, errs: volErrs } = validateVolumes(spec.volumes, path(p, 'volumes'))
  errs.push(...volErrs)
  const ctx = { volumes, hostNetwork: spec.hostNetwork === true }
  if (!spec.containers?.length) errs.push(required(path(p, 'containers')))
  const names = new Set<string>()
  errs.push(...validateContainerList(spec.containers, path(p, 'containers'), names, { ...ctx, init: false }))
  errs.push(...validateContainerList(spec.initContainers, path(p, 'initContainers'), names, { ...ctx, init: true }))
  const rp = spec.restartPolicy
  if (!rp) errs.push(required(path(p, 'restartPolicy')))
  else if (!RESTART_POLICIES.includes(rp)) errs.push(notSupported(path(p, 'restartPolicy'), rp, RESTART_POLICIES))
  const dp = spec.dnsPolicy
  if (!dp) errs.push(required(path(p, 'dnsPolicy')))
  else if (!DNS_POLICIES.includes(dp)) errs.push(notSupported(path(p, 'dnsPolicy'), dp, DNS_POLICIES))
  if (dp === 'None') {
    if (!spec.dnsConfig) errs.push(required(path(p, 'dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'))
    else if (!spec.dnsConfig.nameservers?.length) {
      errs.push(required(path(p, 'dnsConfig', 'nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None'))
    }
  }
  errs.push(...validateLabels(spec.nodeSelector, path(p, 'nodeSelector')))
  if (spec.serviceAccountName) {
    for (const m of isDNS1123Subdomain(spec.serviceAccountName)) errs.push(invalidValue(path(p, 'serviceAccountName'), spec.serviceAccountName, m))
  }
  if (spec.nodeName) for (const m of isDNS1123Subdomain(spec.nodeName)) errs.push(invalidValue(path(p, 'nodeName'), spec.nodeName, m))
  const ads = spec.activeDeadlineSeconds
  if (ads !== undefined && ads !== null && (ads < 1 || ads > MAX_INT32)) {
    errs.push(invalidValue(path(p, 'activeDeadlineSeconds'), ads, `must be between 1 and ${MAX_INT32}, inclusive`))
  }
  if (spec.hostname) for (const m of isDNS1123Label(spec.hostname)) errs.push(invalidValue(path(p, 'hostname'), spec.hostname, m))
  if (spec.subdomain) for (const m of isDNS1123Label(spec.subdomain)) errs.push(invalidValue(path(p, 'subdomain'), spec.subdomain, m))
  errs.push(...validateTolerations(spec.tolerations, path(p, 'tolerations')))
  ;(spec.readinessGates ?? []).forEach((g, i) => {
    for (const m of isQualifiedName(g.conditionType ?? '')) errs.push(invalidValue(path(p, 'readinessGates', i, 'conditionType'), g.conditionType ?? '', m))
  })
  return errs
}

/** A template: its labels and annotations (at `p.labels`, as upstream names them) and its spec. */
export function validatePodTemplateSpec(t: PodTemplateSpec, p: string): FieldError[] {
  const errs = [
    ...validateLabels(t.metadata?.labels, path(p, 'labels')),
    ...validateAnnotations(t.metadata?.annotations, path(p, 'annotations')),
    ...validatePodSpec(t.spec ?? { containers: [] }, path(p, 'spec')),
  ]
  if (t.spec?.ephemeralContainers?.length) {
    errs.push(forbiddenField(path(p, 'spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'))
  }
  return errs
}
