/**
 * @module
 * Probes and lifecycle hooks: one-shot runners, and the manager whose workers probe each
 * container periodically and tell the kubelet about readiness, startup and liveness.
 */
export { runProbe } from './probe.js'
export { runLifecycleHandler } from './lifecycle.js'
export { createProbeManager, type ProbeManager, type ProbeManagerOptions } from './manager.js'
