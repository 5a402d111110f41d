/**
 * @module
 * Protobuf field tables for meta/v1: object metadata, owner references, managed fields, label selectors and conditions.
 * Notation: ../types.ts. Field numbers, json tags and pointer-ness are wire facts read from
 * the Go struct tags at v1.32; types from other packages are written `pkg.Name`.
 */
import type { Messages } from '../types.js'

// Upstream: staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go (struct tags `json` and `protobuf`).
export const metaMessages: Messages = {
  ObjectMeta: [
    [1, 'name,omitempty', 'string'], [2, 'generateName,omitempty', 'string'],
    [3, 'namespace,omitempty', 'string'], [4, 'selfLink,omitempty', 'string'],
    [5, 'uid,omitempty', 'string'], [6, 'resourceVersion,omitempty', 'string'],
    [7, 'generation,omitempty', 'int64'], [8, 'creationTimestamp,omitempty', 'meta.Time'],
    [9, 'deletionTimestamp,omitempty', '*meta.Time'],
    [10, 'deletionGracePeriodSeconds,omitempty', '*int64'], [11, 'labels,omitempty', 'map[string]string'],
    [12, 'annotations,omitempty', 'map[string]string'],
    [13, 'ownerReferences,omitempty', '[]OwnerReference'], [14, 'finalizers,omitempty', '[]string'],
    [17, 'managedFields,omitempty', '[]ManagedFieldsEntry'],
  ],
  OwnerReference: [
    [5, 'apiVersion', 'string'], [1, 'kind', 'string'], [3, 'name', 'string'], [4, 'uid', 'string'],
    [6, 'controller,omitempty', '*bool'], [7, 'blockOwnerDeletion,omitempty', '*bool'],
  ],
  ManagedFieldsEntry: [
    [1, 'manager,omitempty', 'string'], [2, 'operation,omitempty', 'string'],
    [3, 'apiVersion,omitempty', 'string'], [4, 'time,omitempty', '*meta.Time'],
    [6, 'fieldsType,omitempty', 'string'], [7, 'fieldsV1,omitempty', '*meta.FieldsV1'],
    [8, 'subresource,omitempty', 'string'],
  ],
  LabelSelector: [
    [1, 'matchLabels,omitempty', 'map[string]string'],
    [2, 'matchExpressions,omitempty', '[]LabelSelectorRequirement'],
  ],
  Condition: [
    [1, 'type', 'string'], [2, 'status', 'string'], [3, 'observedGeneration,omitempty', 'int64'],
    [4, 'lastTransitionTime', 'meta.Time'], [5, 'reason', 'string'], [6, 'message', 'string'],
  ],
  LabelSelectorRequirement: [
    [1, 'key', 'string'], [2, 'operator', 'string'], [3, 'values,omitempty', '[]string'],
  ],
  FieldSelectorRequirement: [
    [1, 'key', 'string'], [2, 'operator', 'string'], [3, 'values,omitempty', '[]string'],
  ],
}
