/**
 * @module
 * HorizontalPodAutoscaler, stored as autoscaling/v2 and served also as an autoscaling/v1 view:
 * v2 defaults (minReplicas 1, a CPU 80% target when no metrics, behavior policies), the
 * spec/status split, validation, and `kubectl get hpa` columns including upstream's Targets.
 */
// Upstream: pkg/apis/autoscaling/v2/defaults.go (SetDefaults_HorizontalPodAutoscaler,
// GenerateHPAScaleUpRules, GenerateHPAScaleDownRules), pkg/apis/autoscaling/v1/defaults.go,
// pkg/registry/autoscaling/horizontalpodautoscaler/strategy.go,
// pkg/printers/internalversion/printers.go (printHorizontalPodAutoscaler, formatHPAMetrics).
import type * as v1 from 'kubernetes-types/autoscaling/v1.js'
import type { HorizontalPodAutoscaler, HPAScalingRules, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js'
import type { Kube } from '../apps/index.js'
import { ageColumn, nameColumn } from '../printers.js'
import type { Column, ResourceType } from '../types.js'
import { DEFAULT_CPU_UTILIZATION, hpaV1ToV2, hpaV2ToV1 } from './hpa-conversion.js'
import { validateHPA, validateHPAStatus } from './hpa-validation.js'

// Upstream's defaults repeat the autoscaler's behaviour from before `behavior` existed.
const scaleUpDefaults = (): HPAScalingRules => ({
  stabilizationWindowSeconds: 0, selectPolicy: 'Max',
  policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }],
})
// No scale-down window: the controller's --horizontal-pod-autoscaler-downscale-stabilization applies.
const scaleDownDefaults = (): HPAScalingRules => ({ selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] })

/** Set fields of `given` over the defaults. */
function withDefaults(given: HPAScalingRules | undefined, defaults: HPAScalingRules): HPAScalingRules {
  if (!given) return defaults
  return {
    ...given,
    selectPolicy: given.selectPolicy ?? defaults.selectPolicy,
    stabilizationWindowSeconds: given.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
    policies: given.policies ?? defaults.policies,
  }
}

/** Upstream's SetDefaults_HorizontalPodAutoscaler (v2). */
export function defaultHPA(hpa: HorizontalPodAutoscaler): void {
  const spec = (hpa.spec ??= { maxReplicas: 0, scaleTargetRef: { kind: '', name: '' } })
  spec.minReplicas ??= 1
  if (!spec.metrics?.length) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }]
  }
  if (spec.behavior) {
    spec.behavior.scaleUp = withDefaults(spec.behavior.scaleUp, scaleUpDefaults())
    spec.behavior.scaleDown = withDefaults(spec.behavior.scaleDown, scaleDownDefaults())
    if (spec.behavior.scaleDown.stabilizationWindowSeconds === undefined) delete spec.behavior.scaleDown.stabilizationWindowSeconds
  }
}

const quantity = (q: string | number | undefined | null) => (q === undefined || q === null ? '<nil>' : String(q))

/** One metric as "cpu: 40%/80%", "<unknown>/500m (avg)", ...; the status is matched by position. */
function formatMetric(spec: MetricSpec, status: MetricStatus | undefined): string {
  switch (spec.type) {
    case 'External':
    case 'Object': {
      const key = spec.type === 'External' ? 'external' : 'object'
      const target = spec[key]?.target
      const current = status?.[key]
      if (target?.averageValue !== undefined && target.averageValue !== null) {
        const now = current?.current?.averageValue !== undefined && current.current.averageValue !== null ? String(current.current.averageValue) : '<unknown>'
        return `${now}/${target.averageValue} (avg)`
      }
      return `${current ? quantity(current.current?.value) : '<unknown>'}/${quantity(target?.value)}`
    }
    case 'Pods':
      return `${status?.pods ? quantity(status.pods.current?.averageValue) : '<unknown>'}/${quantity(spec.pods?.target?.averageValue)}`
    case 'Resource':
    case 'ContainerResource': {
      const key = spec.type === 'Resource' ? 'resource' : 'containerResource'
      const src = spec[key]
      const cur = status?.[key]
      if (src?.target?.averageValue !== undefined && src.target.averageValue !== null) {
        return `${src.name}: ${cur ? quantity(cur.current?.averageValue) : '<unknown>'}/${src.target.averageValue}`
      }
      const now = typeof cur?.current?.averageUtilization === 'number' ? `${cur.current.averageUtilization}%` : '<unknown>'
      const want = typeof src?.target?.averageUtilization === 'number' ? `${src.target.averageUtilization}%` : '<auto>'
      return `${src?.name ?? ''}: ${now}/${want}`
    }
    default:
      return '<unknown type>'
  }
}

/** The Targets column: two metrics, then "+ N more...". */
export function hpaTargets(hpa: HorizontalPodAutoscaler): string {
  const specs = hpa.spec?.metrics ?? []
  if (specs.length === 0) return '<none>'
  const statuses = hpa.status?.currentMetrics ?? []
  const list = specs.map((s, i) => formatMetric(s, statuses[i]))
  return list.length > 2 ? `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...` : list.join(', ')
}

const hpaColumns: Column<HorizontalPodAutoscaler>[] = [
  nameColumn,
  { name: 'Reference', type: 'string', description: 'Reference to the scaled resource.', cell: (h) => `${h.spec?.scaleTargetRef?.kind ?? ''}/${h.spec?.scaleTargetRef?.name ?? ''}` },
  { name: 'Targets', type: 'string', description: 'Current and target values of the metrics.', cell: hpaTargets },
  { name: 'MinPods', type: 'string', description: 'Lower limit for the number of pods.', cell: (h) => (typeof h.spec?.minReplicas === 'number' ? String(h.spec.minReplicas) : '<unset>') },
  { name: 'MaxPods', type: 'integer', description: 'Upper limit for the number of pods.', cell: (h) => h.spec?.maxReplicas ?? 0 },
  { name: 'Replicas', type: 'integer', description: 'Current number of replicas of pods managed by this autoscaler.', cell: (h) => h.status?.currentReplicas ?? 0 },
  ageColumn,
]

const identity = {
  group: 'autoscaling', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler',
  namespaced: true, shortNames: ['hpa'], categories: ['all'], subresources: { status: true },
}

/** The stored version. No generation: upstream's strategy never sets one for autoscalers. */
export const horizontalPodAutoscalersV2 = {
  ...identity, version: 'v2',
  schema: 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  defaults: defaultHPA,
  prepareForCreate(hpa) {
    hpa.status = { desiredReplicas: 0 } // Go writes desiredReplicas even when zero
  },
  prepareForUpdate(hpa, old) {
    hpa.status = old.status
  },
  validate: validateHPA,
  status: {
    prepareForUpdate(hpa, old) {
      hpa.spec = old.spec
    },
    validateUpdate: validateHPAStatus,
  },
  columns: hpaColumns,
} satisfies ResourceType<Kube<HorizontalPodAutoscaler>>

const asV2 = (h: v1.HorizontalPodAutoscaler | HorizontalPodAutoscaler): HorizontalPodAutoscaler =>
  h.apiVersion === 'autoscaling/v2' || (h.spec && 'metrics' in h.spec) ? (h as HorizontalPodAutoscaler) : hpaV1ToV2(h as v1.HorizontalPodAutoscaler)

/** autoscaling/v1: a view of the v2 objects through upstream's conversion. */
export const horizontalPodAutoscalersV1 = {
  ...identity, version: 'v1',
  schema: 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler',
  // v1's own SetDefaults; the v2 defaults run on the converted object.
  defaults(hpa) {
    const spec = (hpa.spec ??= { maxReplicas: 0, scaleTargetRef: { kind: '', name: '' } })
    spec.minReplicas ??= 1
  },
  conversion: {
    storedAs: { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' },
    toStored: (hpa) => hpaV1ToV2(hpa) as Kube<HorizontalPodAutoscaler>,
    fromStored: (obj) => hpaV2ToV1(obj as HorizontalPodAutoscaler) as Kube<v1.HorizontalPodAutoscaler>,
  },
  // Upstream prints tables from the internal (v2) form whichever version was asked for, so these
  // take the stored object as is; a v1 object is converted first (metric order may then differ).
  columns: hpaColumns.map((c) => ({ ...c, cell: (h: v1.HorizontalPodAutoscaler | HorizontalPodAutoscaler, now: number) => c.cell(asV2(h), now) })),
} satisfies ResourceType<Kube<v1.HorizontalPodAutoscaler>>
