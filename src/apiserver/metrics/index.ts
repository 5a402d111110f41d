// The metrics.k8s.io API served by the API server itself. Re-exports only.
export { metricsApi, usageList, METRICS_GROUP, METRICS_VERSION, type MetricsApi, type MetricsApiOptions, type MetricsLookup } from './metrics-api.js'
export { combinedUsage, kubeletUsage, type KubeletUsageOptions } from './kubelet-usage.js'
