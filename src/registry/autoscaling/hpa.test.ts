import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type * as v1 from 'kubernetes-types/autoscaling/v1.js'
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js'
import type { Kube } from '../apps/index.js'
import {
  BEHAVIOR_ANNOTATION, CONDITIONS_ANNOTATION, METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION,
  horizontalPodAutoscalersV1, horizontalPodAutoscalersV2, hpaV1ToV2, hpaV2ToV1,
} from './index.js'

/** What `kubectl autoscale deployment web --max=5 --cpu-percent=50` sends (autoscaling/v1). */
const kubectlAutoscale = (): v1.HorizontalPodAutoscaler => ({
  apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
  status: { currentReplicas: 0, desiredReplicas: 0 },
})

/** Through the v1 view into storage, as the API server does it. */
function createViaV1(obj: v1.HorizontalPodAutoscaler): Kube<HorizontalPodAutoscaler> {
  horizontalPodAutoscalersV1.defaults(obj as Kube<v1.HorizontalPodAutoscaler>)
  const stored = horizontalPodAutoscalersV1.conversion.toStored(obj as Kube<v1.HorizontalPodAutoscaler>)
  horizontalPodAutoscalersV2.defaults(stored)
  horizontalPodAutoscalersV2.prepareForCreate(stored)
  assert.deepEqual(horizontalPodAutoscalersV2.validate(stored), [])
  return stored
}

describe('horizontalpodautoscalers', () => {
  it('stores a v1 CPU target as a v2 Resource metric and shows it back unchanged', () => {
    const stored = createViaV1(kubectlAutoscale())
    assert.deepEqual(stored.spec, {
      scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 1, maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    })
    const back = hpaV2ToV1(stored)
    assert.deepEqual(back.spec, { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 })
    assert.deepEqual(back.status, { currentReplicas: 0, desiredReplicas: 0 })
    assert.equal(back.metadata?.annotations, undefined)
  })

  it('defaults a v1 object without a target to 80% CPU', () => {
    const obj = kubectlAutoscale()
    delete obj.spec!.targetCPUUtilizationPercentage
    const stored = createViaV1(obj)
    assert.deepEqual(stored.spec!.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }])
  })

  it('keeps what v1 cannot say in annotations, and restores it', () => {
    const v2obj: HorizontalPodAutoscaler = {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', annotations: { keep: 'me' } },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 10,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
          { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
        ],
        behavior: { scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 50, periodSeconds: 30 }] } },
      },
      status: {
        currentReplicas: 3, desiredReplicas: 3,
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40, averageValue: '120m' } } }],
        conditions: [{ type: 'AbleToScale', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'ReadyForNewScale', message: 'ok' }],
      },
    }
    const asV1 = hpaV2ToV1(structuredClone(v2obj))
    assert.equal(asV1.spec!.targetCPUUtilizationPercentage, 60)
    assert.equal(asV1.status!.currentCPUUtilizationPercentage, 40)
    const ann = asV1.metadata!.annotations!
    assert.equal(ann.keep, 'me')
    assert.equal(ann[METRIC_SPECS_ANNOTATION], '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"500Mi"}},{"type":"Pods","pods":{"metricName":"qps","targetAverageValue":"10"}}]')
    assert.equal(ann[METRIC_STATUSES_ANNOTATION], '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":40,"currentAverageValue":"120m"}}]')
    assert.equal(ann[BEHAVIOR_ANNOTATION], '{"ScaleUp":null,"ScaleDown":{"StabilizationWindowSeconds":60,"SelectPolicy":"Max","Policies":[{"Type":"Percent","Value":50,"PeriodSeconds":30}]}}')
    assert.ok(ann[CONDITIONS_ANNOTATION]!.includes('"reason":"ReadyForNewScale"'))

    const again = hpaV1ToV2(asV1)
    assert.deepEqual(again.metadata!.annotations, { keep: 'me' })
    assert.deepEqual(again.spec!.behavior, v2obj.spec!.behavior)
    assert.deepEqual(again.status!.conditions, v2obj.status!.conditions)
    // The annotation's metrics come first, then the CPU target from the v1 spec.
    assert.deepEqual(again.spec!.metrics, [v2obj.spec!.metrics![1], v2obj.spec!.metrics![2], v2obj.spec!.metrics![0]])
    assert.deepEqual(again.status!.currentMetrics, v2obj.status!.currentMetrics)
  })

  it('fills behavior rules as upstream when behavior is given', () => {
    const hpa: Kube<HorizontalPodAutoscaler> = {
      metadata: { name: 'h' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 30 } } },
    }
    horizontalPodAutoscalersV2.defaults(hpa)
    assert.deepEqual(hpa.spec!.behavior, {
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 30, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    })
  })

  it('validates replica bounds, the target and metrics', () => {
    const hpa: Kube<HorizontalPodAutoscaler> = { metadata: { name: 'h' }, spec: { scaleTargetRef: { kind: 'Deployment', name: '' }, minReplicas: 0, maxReplicas: 0 } }
    assert.deepEqual(horizontalPodAutoscalersV2.validate(hpa).map((e) => e.error), [
      'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1',
      'spec.maxReplicas: Invalid value: 0: must be greater than 0',
      'spec.scaleTargetRef.name: Required value',
    ])
    hpa.spec = { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } }] }
    assert.deepEqual(horizontalPodAutoscalersV2.validate(hpa).map((e) => e.error), [
      'spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization',
    ])
  })

  it('prints Reference, Targets, MinPods, MaxPods and Replicas as kubectl shows them', () => {
    const stored = createViaV1(kubectlAutoscale())
    const cells = () => horizontalPodAutoscalersV2.columns.map((c) => c.cell(stored, 0))
    assert.deepEqual(horizontalPodAutoscalersV2.columns.map((c) => c.name), ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age'])
    assert.deepEqual(cells(), ['web', 'Deployment/web', 'cpu: <unknown>/50%', '1', 5, 0, '<unknown>'])
    stored.status = { currentReplicas: 2, desiredReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 80 } } }] }
    assert.equal(cells()[2], 'cpu: 80%/50%')
    assert.equal(cells()[5], 2)
    stored.spec!.metrics!.push(
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1Gi' } } },
      { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
    )
    assert.equal(cells()[2], 'cpu: 80%/50%, memory: <unknown>/1Gi + 1 more...')
    // The v1 view prints the same table from the stored object, and converts a v1 one first.
    assert.equal(horizontalPodAutoscalersV1.columns[2]!.cell(stored, 0), 'cpu: 80%/50%, memory: <unknown>/1Gi + 1 more...')
    assert.equal(horizontalPodAutoscalersV1.columns[2]!.cell(kubectlAutoscale(), 0), 'cpu: <unknown>/50%')
  })
})
