/**
 * @module
 * Test fixtures for the autoscaler (used by its tests only): a Deployment with running pods, an HPA on it, and a fake
 * client whose raw GETs answer the Deployment's scale and metrics-server's PodMetrics.
 */
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec } from 'kubernetes-types/autoscaling/v2.js'
import type { Deployment } from 'kubernetes-types/apps/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { notFound } from '../../api/index.js'
import type { ControllerContext } from '../../client/index.js'
import { fakeContext } from '../../client/testing.js'
import { rfc3339 } from '../util/index.js'

export const NS = 'default'
const HOUR = 3_600_000

export const deployment = (replicas: number): Deployment => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', namespace: NS, uid: 'web-uid', resourceVersion: '1' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app' }] } } },
  status: { replicas },
})

/** A running, long-ready pod requesting `cpu` (milli) in its one container. */
export function pod(name: string, nowMs: number, cpuMilli = 100, extra: Partial<Pod['status']> = {}): Pod {
  const since = rfc3339(nowMs - HOUR)
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'web' }, uid: `${name}-uid` },
    spec: { containers: [{ name: 'app', resources: { requests: { cpu: `${cpuMilli}m` } } }] },
    status: { phase: 'Running', startTime: since, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: since }], ...extra },
  }
}

export const hpa = (spec: Partial<HorizontalPodAutoscalerSpec> = {}): HorizontalPodAutoscaler => ({
  apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: NS, uid: 'hpa-uid', resourceVersion: '1' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 10,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    ...spec,
  },
  status: { desiredReplicas: 0 },
})

/**
 * fakeContext plus what the fake client cannot answer: GET .../deployments/web/scale (from the
 * cached Deployment) and PodMetrics from `usage` (pod name → cpu milli; absent → no sample).
 */
export function autoscalerContext(objects: object[], usage: Map<string, number>) {
  const f = fakeContext(objects as never)
  let metricsDown = false
  const getPath = async (path: string): Promise<never> => {
    if (path === `/apis/apps/v1/namespaces/${NS}/deployments/web/scale`) {
      const d = f.informers.of<Deployment>('apps/v1', 'Deployment').get(`${NS}/web`)
      if (!d) throw notFound({ group: 'apps', resource: 'deployments' }, 'web')
      return {
        apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: NS },
        spec: { replicas: d.spec?.replicas }, status: { replicas: d.status?.replicas ?? 0, selector: 'app=web' },
      } as never
    }
    if (path.startsWith(`/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods?`)) {
      if (metricsDown) throw notFound({ group: 'metrics.k8s.io', resource: 'pods' }, '')
      const items = [...usage].map(([name, milli]) => ({
        metadata: { name, namespace: NS }, timestamp: rfc3339(f.clock.ms), window: '15s',
        containers: [{ name: 'app', usage: { cpu: `${milli}m`, memory: '10Mi' } }],
      }))
      return { kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items } as never
    }
    throw notFound({ group: '', resource: '' }, path)
  }
  const ctx: ControllerContext = { ...f.ctx, client: { ...f.client, getPath } }
  return { ...f, ctx, setMetricsDown: (down: boolean) => void (metricsDown = down) }
}
