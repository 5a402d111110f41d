/**
 * @module
 * Registry entries for pods and pod bindings (core/v1).
 */
// Upstream: pkg/registry/core/pod/strategy.go (podStrategy, podStatusStrategy, ToSelectableFields,
// applySchedulingGatedCondition) and pkg/registry/core/pod/storage/storage.go (subresources).
import type { Binding, Pod } from 'kubernetes-types/core/v1.js'
import { notSupported, path, required, type FieldError } from '../../api/field-errors.js'
import type { ResourceType } from '../types.js'
import { defaultPod, DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS } from './pod-defaults.js'
import { podQOSClass } from './pod-qos.js'
import { validatePodSpec } from './pod-spec.js'
import { podColumns } from './pod-status.js'
import { validatePodStatusUpdate, validatePodUpdate } from './pod-update.js'
import { w } from './util.js'

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
const CONNECT = ['create', 'delete', 'get', 'patch', 'update']

export const pods = {
  group: '', version: 'v1', kind: 'Pod', resource: 'pods', singular: 'pod', namespaced: true,
  shortNames: ['po'], categories: ['all'], verbs: VERBS, schema: 'io.k8s.api.core.v1.Pod',
  subresources: {
    status: true,
    extra: [
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      { name: 'proxy', kind: 'PodProxyOptions', verbs: CONNECT },
      { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    ],
  },
  defaults: defaultPod,
  prepareForCreate(pod) {
    // Status belongs to the kubelet; a new pod is Pending with its QoS class fixed now.
    const status: Pod['status'] & object = { phase: 'Pending', qosClass: podQOSClass(pod) }
    w(pod).status = status
    if (pod.spec?.schedulingGates?.length) {
      status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' }]
    }
  },
  prepareForUpdate(pod, old) {
    w(pod).status = old.status
  },
  validate: (pod) => validatePodSpec(pod.spec ?? { containers: [] }, 'spec'),
  validateUpdate: validatePodUpdate,
  status: {
    prepareForUpdate(pod, old) {
      pod.spec = old.spec
      // Old kubelets corrupt owner references through pods/status; the GC depends on them.
      if (pod.metadata) pod.metadata.ownerReferences = old.metadata?.ownerReferences
      // The QoS class is fixed at create; kubelets that drop it must not erase it.
      if (pod.status && !pod.status.qosClass && old.status?.qosClass) pod.status.qosClass = old.status.qosClass
    },
    validateUpdate: validatePodStatusUpdate,
  },
  columns: podColumns,
  selectableFields: (pod) => ({
    'spec.nodeName': pod.spec?.nodeName ?? '',
    'spec.restartPolicy': pod.spec?.restartPolicy ?? '',
    'spec.schedulerName': pod.spec?.schedulerName ?? '',
    'spec.serviceAccountName': pod.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': String(pod.spec?.hostNetwork === true),
    'status.phase': pod.status?.phase ?? '',
    'status.podIP': pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP ?? '',
    'status.nominatedNodeName': pod.status?.nominatedNodeName ?? '',
  }),
  // Upstream deletes unscheduled and finished pods at once, whatever the client asked.
  gracePeriodSeconds(pod) {
    if (!pod.spec?.nodeName) return 0
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0
    return pod.spec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS
  },
} satisfies ResourceType<Pod>

// Upstream: pkg/apis/core/validation/validation.go (ValidatePodBinding).
function validateBinding(b: Binding): FieldError[] {
  const errs: FieldError[] = []
  const kind = b.target?.kind
  if (kind && kind !== 'Node') errs.push(notSupported(path('target', 'kind'), kind, ['Node', '<empty>']))
  if (!b.target?.name) errs.push(required(path('target', 'name')))
  return errs
}

/** POST .../namespaces/{ns}/bindings: the legacy way to bind a pod (create only). */
export const bindings = {
  group: '', version: 'v1', kind: 'Binding', resource: 'bindings', singular: 'binding', namespaced: true,
  verbs: ['create'], schema: 'io.k8s.api.core.v1.Binding',
  validate: validateBinding,
} satisfies ResourceType<Binding>

export { validateBinding }
