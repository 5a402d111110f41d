/**
 * @module
 * apps/v1 Deployment: defaults (25%/25% rolling update, 10 revisions, 600s deadline), the
 * spec/status split, validation with upstream's messages, and `kubectl get deploy` columns.
 */
// Upstream: pkg/apis/apps/v1/defaults.go (SetDefaults_Deployment),
// pkg/registry/apps/deployment/strategy.go, pkg/apis/apps/validation/validation.go
// (ValidateDeploymentSpec, ValidateDeploymentStrategy, ValidateRollingUpdateDeployment),
// pkg/printers/internalversion/printers.go (printDeployment).
import type { Deployment, DeploymentSpec, DeploymentStrategy } from 'kubernetes-types/apps/v1.js'
import { forbiddenField, invalidValue, notSupported, path, required, type FieldError } from '../../api/field-errors.js'
import { semanticEqual } from '../../api/meta.js'
import { containerImages, containerNames, defaultPodTemplateSpec, validatePodTemplateSpec } from '../core/index.js'
import { ageColumn, formatLabelSelector, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'
import { goIntOrString, goLabelSelector, invalidRendered } from './go-format.js'
import {
  asSelector, firstGeneration, type Kube, immutableSelector, intOrPercentValue, nextGeneration, noActiveDeadline, nonNegative,
  notOver100Percent, replicasScale, restartAlways, selectorMismatch, validateIntOrPercent, validateSelector,
} from './workload.js'

/** Upstream's SetDefaults_Deployment plus the pod template's defaults. */
export function defaultDeployment(d: Deployment): void {
  const spec = (d.spec ??= { selector: {}, template: {} } as DeploymentSpec)
  spec.replicas ??= 1
  const strategy = (spec.strategy ??= {})
  strategy.type ||= 'RollingUpdate'
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {})
    ru.maxUnavailable ??= '25%'
    ru.maxSurge ??= '25%'
  }
  spec.revisionHistoryLimit ??= 10
  spec.progressDeadlineSeconds ??= 600
  spec.template ??= {}
  defaultPodTemplateSpec(spec.template)
}

/** Rolling-update bounds: non-negative ints or percentages, not both zero, unavailable ≤ 100%. */
function validateStrategy(s: DeploymentStrategy | undefined, at: string): FieldError[] {
  const type = s?.type ?? ''
  if (type === 'Recreate') {
    return s?.rollingUpdate ? [forbiddenField(path(at, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : []
  }
  if (type !== 'RollingUpdate') return [notSupported(path(at, 'type'), type, ['Recreate', 'RollingUpdate'])]
  const ru = s?.rollingUpdate
  if (!ru) return [required(path(at, 'rollingUpdate'), 'this should be defaulted and never be nil')]
  const at2 = path(at, 'rollingUpdate')
  const errs = [
    ...validateIntOrPercent(ru.maxUnavailable, path(at2, 'maxUnavailable')),
    ...validateIntOrPercent(ru.maxSurge, path(at2, 'maxSurge')),
  ]
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
    errs.push(invalidRendered(path(at2, 'maxUnavailable'), goIntOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'))
  }
  errs.push(...notOver100Percent(ru.maxUnavailable, path(at2, 'maxUnavailable')))
  return errs
}

/** Upstream's ValidateDeploymentSpec (metadata is the store's job). */
export function validateDeployment(d: Deployment): FieldError[] {
  const spec = d.spec ?? ({} as DeploymentSpec)
  const errs = [...nonNegative(spec.replicas, 'spec.replicas'), ...validateSelector(spec.selector, 'spec.selector', 'deployment')]
  if (spec.selector && !asSelector(spec.selector)) {
    errs.push(invalidRendered('spec.selector', goLabelSelector(spec.selector), 'invalid label selector'))
  } else {
    errs.push(...selectorMismatch(spec.selector, spec.template, 'spec.template'))
    errs.push(...validatePodTemplateSpec(spec.template ?? {}, 'spec.template'))
    errs.push(...restartAlways(spec.template, 'spec.template'))
    errs.push(...noActiveDeadline(spec.template, 'spec.template', 'ReplicaSet'))
  }
  errs.push(...validateStrategy(spec.strategy, 'spec.strategy'))
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'))
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'))
  if (typeof spec.progressDeadlineSeconds === 'number') {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'))
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(invalidValue('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'))
    }
  }
  return errs
}

export const deployments = {
  group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', singular: 'deployment',
  namespaced: true, shortNames: ['deploy'], categories: ['all'],
  subresources: { status: true, scale: replicasScale },
  schema: 'io.k8s.api.apps.v1.Deployment',
  defaults: defaultDeployment,
  prepareForCreate(d) {
    d.status = {} // written by the controller, never by the creator
    firstGeneration(d)
  },
  prepareForUpdate(d, old) {
    d.status = old.status
    // Annotations count too: `kubectl rollout undo` and `rollout restart` signal through them.
    nextGeneration(d, old, !semanticEqual(d.spec, old.spec) || !semanticEqual(d.metadata?.annotations, old.metadata?.annotations))
  },
  validate: validateDeployment,
  // apps/v1 forbids selector changes (extensions/v1beta1 allowed them; not served here).
  validateUpdate: (d, old) => immutableSelector(d.spec?.selector, old.spec?.selector, 'spec.selector'),
  status: {
    prepareForUpdate(d, old) {
      d.spec = old.spec
      d.metadata = { ...d.metadata, labels: old.metadata?.labels }
    },
  },
  columns: [
    nameColumn,
    { name: 'Ready', type: 'string', description: 'Number of the pod with ready state', cell: (d) => `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}` },
    { name: 'Up-to-date', type: 'integer', description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', cell: (d) => d.status?.updatedReplicas ?? 0 },
    { name: 'Available', type: 'integer', description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', cell: (d) => d.status?.availableReplicas ?? 0 },
    ageColumn,
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.', cell: (d) => containerNames(d.spec?.template?.spec) },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.', cell: (d) => containerImages(d.spec?.template?.spec) },
    { name: 'Selector', type: 'string', priority: 1, description: 'Label selector for pods.', cell: (d) => formatLabelSelector(d.spec?.selector) },
  ],
} satisfies ResourceType<Kube<Deployment>>
