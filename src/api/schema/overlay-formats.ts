/**
 * @module
 * Number formats of the built-in types. `kubernetes-types` says only `number`; upstream's Go
 * types say int32, int64 or float64. The table defaults to int32, these are the rest (facts read
 * from the Go field types at release-1.32).
 */

/** Type name → space-separated JSON field names whose format is int64. */
export const int64Fields: Record<string, string> = {
  // io.k8s.api.admissionregistration.v1.
  'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyStatus': 'observedGeneration',
  // io.k8s.api.apps.v1.
  'io.k8s.api.apps.v1.ControllerRevision': 'revision',
  'io.k8s.api.apps.v1.DaemonSetStatus': 'observedGeneration',
  'io.k8s.api.apps.v1.DeploymentStatus': 'observedGeneration',
  'io.k8s.api.apps.v1.ReplicaSetStatus': 'observedGeneration',
  'io.k8s.api.apps.v1.StatefulSetStatus': 'observedGeneration',
  // io.k8s.api.authentication.v1.
  'io.k8s.api.authentication.v1.TokenRequestSpec': 'expirationSeconds',
  // io.k8s.api.autoscaling.v1.
  'io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerStatus': 'observedGeneration',
  // io.k8s.api.autoscaling.v2.
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus': 'observedGeneration',
  // io.k8s.api.batch.v1.
  'io.k8s.api.batch.v1.CronJobSpec': 'startingDeadlineSeconds',
  'io.k8s.api.batch.v1.JobSpec': 'activeDeadlineSeconds',
  // io.k8s.api.core.v1.
  'io.k8s.api.core.v1.ContainerImage': 'sizeBytes',
  'io.k8s.api.core.v1.LinuxContainerUser': 'gid supplementalGroups uid',
  'io.k8s.api.core.v1.PodSecurityContext': 'fsGroup runAsGroup runAsUser supplementalGroups',
  'io.k8s.api.core.v1.PodSpec': 'activeDeadlineSeconds terminationGracePeriodSeconds',
  'io.k8s.api.core.v1.Probe': 'terminationGracePeriodSeconds',
  'io.k8s.api.core.v1.ReplicationControllerStatus': 'observedGeneration',
  'io.k8s.api.core.v1.SecurityContext': 'runAsGroup runAsUser',
  'io.k8s.api.core.v1.ServiceAccountTokenProjection': 'expirationSeconds',
  'io.k8s.api.core.v1.SleepAction': 'seconds',
  'io.k8s.api.core.v1.Toleration': 'tolerationSeconds',
  // io.k8s.api.policy.v1.
  'io.k8s.api.policy.v1.PodDisruptionBudgetStatus': 'observedGeneration',
  // io.k8s.api.storage.v1.
  'io.k8s.api.storage.v1.TokenRequest': 'expirationSeconds',
  // io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps':
    'maxItems maxLength maxProperties minItems minLength minProperties',
  // io.k8s.apimachinery.pkg.apis.meta.v1.
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition': 'observedGeneration',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions': 'gracePeriodSeconds',
  'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta': 'remainingItemCount',
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': 'deletionGracePeriodSeconds generation',
}

/** Type name → space-separated JSON field names that are floats (format double). */
export const doubleFields: Record<string, string> = {
  // io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps': 'maximum minimum multipleOf',
}
