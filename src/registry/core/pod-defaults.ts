/**
 * @module
 * Defaults for pods and everything with a pod spec (templates of Deployments, Jobs, ...),
 * so a created object reads back as it does from a real cluster.
 */
// Upstream: pkg/apis/core/v1/defaults.go (SetDefaults_PodSpec, SetDefaults_Pod, SetDefaults_Container,
// SetDefaults_Probe, SetDefaults_HTTPGetAction, SetDefaults_Volume, SetDefaults_*VolumeSource,
// SetDefaults_ObjectFieldSelector, SetDefaults_ServiceAccountTokenProjection, SetDefaults_PersistentVolumeClaimSpec).
import type {
  Container, EphemeralContainer, HTTPGetAction, LifecycleHandler, ObjectFieldSelector, Pod, PodSpec,
  PodTemplateSpec, Probe, Volume,
} from 'kubernetes-types/core/v1.js'
import { imageTag } from './util.js'

/** Upstream's DefaultTerminationGracePeriodSeconds. */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30
/** 0644: the mode of files projected from configMaps, secrets, downward API. */
const DEFAULT_MODE = 420

function defaultFieldSelector(s: ObjectFieldSelector | undefined) {
  if (s && !s.apiVersion) s.apiVersion = 'v1'
}

function defaultHTTPGet(a: HTTPGetAction | undefined) {
  if (!a) return
  a.path ||= '/'
  a.scheme ||= 'HTTP'
}

function defaultProbe(p: Probe | undefined) {
  if (!p) return
  p.timeoutSeconds ||= 1
  p.periodSeconds ||= 10
  p.successThreshold ||= 1
  p.failureThreshold ||= 3
  defaultHTTPGet(p.httpGet)
}

function defaultHandler(h: LifecycleHandler | undefined) {
  defaultHTTPGet(h?.httpGet)
}

/** One container (also init and ephemeral containers). */
export function defaultContainer(c: Container | EphemeralContainer) {
  // No tag means "latest", and "latest" moves: pull it every time.
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(c.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent'
  c.terminationMessagePath ||= '/dev/termination-log'
  c.terminationMessagePolicy ||= 'File'
  // Go marshals the non-pointer ResourceRequirements struct as {} even when empty.
  c.resources ??= {}
  for (const port of c.ports ?? []) port.protocol ||= 'TCP'
  for (const e of c.env ?? []) defaultFieldSelector(e.valueFrom?.fieldRef)
  defaultProbe(c.livenessProbe)
  defaultProbe(c.readinessProbe)
  defaultProbe(c.startupProbe)
  defaultHandler(c.lifecycle?.postStart)
  defaultHandler(c.lifecycle?.preStop)
}

/** One volume: emptyDir when no source is given, file modes, projection defaults. */
export function defaultVolume(v: Volume) {
  const sources = Object.keys(v).filter((k) => k !== 'name' && (v as any)[k] !== undefined && (v as any)[k] !== null)
  if (sources.length === 0) v.emptyDir = {}
  if (v.secret) v.secret.defaultMode ??= DEFAULT_MODE
  if (v.configMap) v.configMap.defaultMode ??= DEFAULT_MODE
  if (v.downwardAPI) {
    v.downwardAPI.defaultMode ??= DEFAULT_MODE
    for (const item of v.downwardAPI.items ?? []) defaultFieldSelector(item.fieldRef)
  }
  if (v.projected) {
    v.projected.defaultMode ??= DEFAULT_MODE
    for (const s of v.projected.sources ?? []) {
      for (const item of s.downwardAPI?.items ?? []) defaultFieldSelector(item.fieldRef)
      if (s.serviceAccountToken) s.serviceAccountToken.expirationSeconds ??= 3600
    }
  }
  if (v.hostPath) v.hostPath.type ??= ''
  if (v.iscsi) v.iscsi.iscsiInterface ||= 'default'
  if (v.rbd) {
    v.rbd.pool ||= 'rbd'
    v.rbd.user ||= 'admin'
    v.rbd.keyring ||= '/etc/ceph/keyring'
  }
  const claim = v.ephemeral?.volumeClaimTemplate?.spec
  if (claim) claim.volumeMode ||= 'Filesystem'
}

/** Defaults of a pod spec wherever it appears (pods and templates). */
export function defaultPodSpec(spec: PodSpec): void {
  spec.dnsPolicy ||= 'ClusterFirst'
  spec.restartPolicy ||= 'Always'
  spec.securityContext ??= {}
  spec.terminationGracePeriodSeconds ??= DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS
  spec.schedulerName ||= 'default-scheduler'
  for (const c of spec.containers ?? []) defaultContainer(c)
  for (const c of spec.initContainers ?? []) defaultContainer(c)
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c)
  for (const v of spec.volumes ?? []) defaultVolume(v)
}

/** A template's spec defaults; its metadata shows `creationTimestamp: null` as Go marshals it. */
export function defaultPodTemplateSpec(t: PodTemplateSpec): void {
  t.metadata ??= {}
  if (!('creationTimestamp' in t.metadata)) (t.metadata as Record<string, unknown>).creationTimestamp = null
  t.spec ??= { containers: [] }
  defaultPodSpec(t.spec)
}

/** A pod's own defaults on top of the spec's: requests from limits, service links, host ports. */
export function defaultPod(pod: Pod): void {
  pod.spec ??= { containers: [] }
  const spec = pod.spec
  defaultPodSpec(spec)
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const limits = c.resources?.limits
    if (!limits) continue
    const requests = (c.resources!.requests ??= {})
    for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v
  }
  spec.enableServiceLinks ??= true
  if (spec.hostNetwork) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const port of c.ports ?? []) if (!port.hostPort) port.hostPort = port.containerPort
    }
  }
}
