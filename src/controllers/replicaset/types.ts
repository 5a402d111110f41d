/**
 * @module
 * The shape a ReplicaSet and a ReplicationController share, so one replica manager serves
 * both (upstream converts RCs to ReplicaSets on the way in and out for the same reason).
 */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import type { Cached, KubeObject, LabelSelector } from '../../api/index.js'

/** The condition both kinds carry (`ReplicaFailure`). */
export type ReplicaCondition = {
  type: string
  status: string
  lastTransitionTime?: string
  reason?: string
  message?: string
}

export type ReplicaStatus = {
  replicas: number
  fullyLabeledReplicas?: number
  readyReplicas?: number
  availableReplicas?: number
  observedGeneration?: number
  conditions?: ReplicaCondition[]
}

/** A ReplicaSet or ReplicationController, as the manager reads it. */
export type Replicated = KubeObject & {
  spec?: { replicas?: number; minReadySeconds?: number; template?: PodTemplateSpec; selector?: unknown }
  status?: ReplicaStatus
}

/** What differs between the two kinds. */
export type ReplicaKind = {
  apiVersion: string
  kind: string
  /** The event source and the loop's name (`replicaset-controller`). */
  component: string
  /** The pod selector; throws on an invalid one. */
  selector(obj: Cached<Replicated>): LabelSelector
  /** Whether `obj` may be considered for orphan pods at all (upstream: a nil or empty selector matches nothing). */
  selectsAny(obj: Cached<Replicated>): boolean
}
