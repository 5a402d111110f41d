/**
 * @module
 * apps/v1 DaemonSet: defaults (RollingUpdate maxUnavailable 1 / maxSurge 0, 10 revisions), the
 * template generation kept in the `deprecated.daemonset.template.generation` annotation, the
 * spec/status split, validation, and `kubectl get ds` columns.
 */
// Upstream: pkg/apis/apps/v1/defaults.go (SetDefaults_DaemonSet), pkg/apis/apps/v1/conversion.go
// (TemplateGeneration <-> the annotation), pkg/registry/apps/daemonset/strategy.go,
// pkg/apis/apps/validation/validation.go (ValidateDaemonSetSpec, ValidateRollingUpdateDaemonSet),
// pkg/printers/internalversion/printers.go (printDaemonSet).
import type { DaemonSet, DaemonSetSpec, DaemonSetUpdateStrategy } from 'kubernetes-types/apps/v1.js'
import { invalidValue, notSupported, path, required, type FieldError } from '../../api/field-errors.js'
import { semanticEqual } from '../../api/meta.js'
import { containerImages, containerNames, defaultPodTemplateSpec, validatePodTemplateSpec } from '../core/index.js'
import { ageColumn, formatLabelSelector, formatMapSelector, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'
import { goIntOrString, goLabelSelector, invalidRendered } from './go-format.js'
import {
  firstGeneration, immutableSelector, intOrPercentValue, nextGeneration, nonNegative, notOver100Percent, restartAlways,
  selectorMismatch, validateIntOrPercent, setStatus, type Kube,
} from './workload.js'
import { validateLabelSelectorMeta } from '../../api/index.js'

/** Where apps/v1 keeps the internal spec.templateGeneration. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation'

const templateGeneration = (ds: DaemonSet): number => {
  const n = Number.parseInt(ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? '', 10)
  return Number.isNaN(n) ? 0 : n
}
const setTemplateGeneration = (ds: DaemonSet, n: number) => {
  ds.metadata = { ...ds.metadata, annotations: { ...ds.metadata?.annotations, [TEMPLATE_GENERATION_ANNOTATION]: String(n) } }
}

export function defaultDaemonSet(ds: DaemonSet): void {
  const spec = (ds.spec ??= { selector: {}, template: {} } as DaemonSetSpec)
  const us = (spec.updateStrategy ??= {})
  us.type ||= 'RollingUpdate'
  if (us.type === 'RollingUpdate') {
    const ru = (us.rollingUpdate ??= {})
    ru.maxUnavailable ??= 1
    ru.maxSurge ??= 0
  }
  spec.revisionHistoryLimit ??= 10
  spec.template ??= {}
  defaultPodTemplateSpec(spec.template)
}

function validateUpdateStrategy(us: DaemonSetUpdateStrategy | undefined, at: string): FieldError[] {
  const type = us?.type ?? ''
  if (type === 'OnDelete') return []
  if (type !== 'RollingUpdate') return [notSupported(at, type, ['RollingUpdate', 'OnDelete'])]
  const ru = us?.rollingUpdate
  if (!ru) return [required(path(at, 'rollingUpdate'))]
  const at2 = path(at, 'rollingUpdate')
  const errs = [
    ...validateIntOrPercent(ru.maxUnavailable, path(at2, 'maxUnavailable')),
    ...validateIntOrPercent(ru.maxSurge, path(at2, 'maxSurge')),
    ...notOver100Percent(ru.maxUnavailable, path(at2, 'maxUnavailable')),
    ...notOver100Percent(ru.maxSurge, path(at2, 'maxSurge')),
  ]
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0
  if (hasUnavailable && hasSurge) errs.push(invalidRendered(path(at2, 'maxSurge'), goIntOrString(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'))
  if (!hasUnavailable && !hasSurge) errs.push(required(path(at2, 'maxUnavailable'), 'cannot be 0 when maxSurge is 0'))
  return errs
}

/** Upstream's ValidateDaemonSetSpec. */
export function validateDaemonSet(ds: DaemonSet): FieldError[] {
  const spec = ds.spec ?? ({} as DaemonSetSpec)
  const errs = spec.selector ? [...validateLabelSelectorMeta(spec.selector, 'spec.selector')] : []
  // An absent selector matches nothing, so it fails here as upstream's does.
  errs.push(...selectorMismatch(spec.selector, spec.template, 'spec.template', false))
  if (spec.selector && Object.keys(spec.selector.matchLabels ?? {}).length + (spec.selector.matchExpressions ?? []).length === 0) {
    errs.push(invalidRendered('spec.selector', goLabelSelector(spec.selector), 'empty selector is invalid for daemonset'))
  }
  errs.push(...validatePodTemplateSpec(spec.template ?? {}, 'spec.template'))
  errs.push(...restartAlways(spec.template, 'spec.template'))
  const ads = spec.template?.spec?.activeDeadlineSeconds
  if (ads !== undefined && ads !== null) errs.push(invalidValue('spec.template.spec.activeDeadlineSeconds', ads, 'activeDeadlineSeconds must be nil for DaemonSets'))
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'))
  errs.push(...validateUpdateStrategy(spec.updateStrategy, 'spec.updateStrategy'))
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'))
  return errs
}

export const daemonSets = {
  group: 'apps', version: 'v1', kind: 'DaemonSet', resource: 'daemonsets', singular: 'daemonset',
  namespaced: true, shortNames: ['ds'], categories: ['all'],
  subresources: { status: true },
  schema: 'io.k8s.api.apps.v1.DaemonSet',
  defaults: defaultDaemonSet,
  prepareForCreate(ds) {
    // The four counts Go writes even when zero.
    setStatus(ds, { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 })
    firstGeneration(ds)
    if (templateGeneration(ds) < 1) setTemplateGeneration(ds, 1)
  },
  prepareForUpdate(ds, old) {
    setStatus(ds, old.status)
    // The template generation is the server's: it moves only when the template does.
    const oldTG = templateGeneration(old)
    const templateChanged = !semanticEqual(ds.spec?.template, old.spec?.template)
    setTemplateGeneration(ds, templateChanged ? oldTG + 1 : oldTG)
    nextGeneration(ds, old, templateChanged || !semanticEqual(ds.spec, old.spec))
  },
  validate: validateDaemonSet,
  validateUpdate: (ds, old) => immutableSelector(ds.spec?.selector, old.spec?.selector, 'spec.selector'),
  status: {
    prepareForUpdate(ds, old) {
      ds.spec = old.spec
      setTemplateGeneration(ds, templateGeneration(old))
    },
    validateUpdate(ds) {
      const s = ds.status
      if (!s) return []
      return [
        ...nonNegative(s.numberMisscheduled, 'status.numberMisscheduled'),
        ...nonNegative(s.currentNumberScheduled, 'status.currentNumberScheduled'),
        ...nonNegative(s.desiredNumberScheduled, 'status.desiredNumberScheduled'),
        ...nonNegative(s.numberReady, 'status.numberReady'),
        ...nonNegative(s.observedGeneration, 'status.observedGeneration'),
        ...nonNegative(s.updatedNumberScheduled, 'status.updatedNumberScheduled'),
        ...nonNegative(s.numberAvailable, 'status.numberAvailable'),
        ...nonNegative(s.numberUnavailable, 'status.numberUnavailable'),
      ]
    },
  },
  columns: [
    nameColumn,
    { name: 'Desired', type: 'integer', description: 'The total number of nodes that should be running the daemon pod.', cell: (ds) => ds.status?.desiredNumberScheduled ?? 0 },
    { name: 'Current', type: 'integer', description: 'The number of nodes running at least one daemon pod that are supposed to.', cell: (ds) => ds.status?.currentNumberScheduled ?? 0 },
    { name: 'Ready', type: 'integer', description: 'The number of nodes running a ready daemon pod.', cell: (ds) => ds.status?.numberReady ?? 0 },
    { name: 'Up-to-date', type: 'integer', description: 'The number of nodes running the updated daemon pod.', cell: (ds) => ds.status?.updatedNumberScheduled ?? 0 },
    { name: 'Available', type: 'integer', description: 'The number of nodes running an available daemon pod.', cell: (ds) => ds.status?.numberAvailable ?? 0 },
    { name: 'Node Selector', type: 'string', description: "The node selector of the daemon set's pod template.", cell: (ds) => formatMapSelector(ds.spec?.template?.spec?.nodeSelector) },
    ageColumn,
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.', cell: (ds) => containerNames(ds.spec?.template?.spec) },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.', cell: (ds) => containerImages(ds.spec?.template?.spec) },
    { name: 'Selector', type: 'string', priority: 1, description: 'Label selector for pods.', cell: (ds) => formatLabelSelector(ds.spec?.selector) },
  ],
} satisfies ResourceType<Kube<DaemonSet>>
