/**
 * @module
 * Fields and types that upstream's 1.32 API has but the installed `kubernetes-types` (1.30)
 * lacks: newer fields, plus a few the package's generator drops (the `x-kubernetes-*` schema
 * extensions of CRDs, inlined rule fields). Without them strict validation would reject valid
 * objects. Facts from upstream's Go types at release-1.32; no descriptions.
 *
 * Field type encoding: `string` | `boolean` | `integer` (int32) | `int64` | `[]<type>` |
 * `map[<type>]` | a type name (bare: same package as the owner; else fully qualified).
 * A trailing `!` marks the field required.
 */
import type { TypeRef, TypeSchema } from './types.js'

const CORE = 'io.k8s.api.core.v1.'
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.'
const AUTHZ = 'io.k8s.api.authorization.v1.'
const APIEXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.'

/** Types missing from the package altogether. */
export const extraTypes: Record<string, Record<string, string>> = {
  [CORE + 'ImageVolumeSource']: { reference: 'string', pullPolicy: 'string' },
  [CORE + 'NodeFeatures']: { supplementalGroupsPolicy: 'boolean' },
  [CORE + 'ContainerUser']: { linux: 'LinuxContainerUser' },
  [CORE + 'LinuxContainerUser']: { uid: 'int64!', gid: 'int64!', supplementalGroups: '[]int64' },
  [CORE + 'ResourceStatus']: { name: 'string!', resources: '[]ResourceHealth' },
  [CORE + 'ResourceHealth']: { resourceID: 'string!', health: 'string' },
  [AUTHZ + 'FieldSelectorAttributes']: { rawSelector: 'string', requirements: `[]${META}FieldSelectorRequirement` },
  [AUTHZ + 'LabelSelectorAttributes']: { rawSelector: 'string', requirements: `[]${META}LabelSelectorRequirement` },
  [META + 'FieldSelectorRequirement']: { key: 'string!', operator: 'string!', values: '[]string' },
}

/** Fields missing from types the package has. */
export const extraFields: Record<string, Record<string, string>> = {
  'io.k8s.api.admissionregistration.v1.RuleWithOperations': { resources: '[]string', scope: 'string' },
  [AUTHZ + 'ResourceAttributes']: { fieldSelector: 'FieldSelectorAttributes', labelSelector: 'LabelSelectorAttributes' },
  [AUTHZ + 'ResourceRule']: { verbs: '[]string!', resources: '[]string' },
  'io.k8s.api.coordination.v1.LeaseSpec': { strategy: 'string', preferredHolder: 'string' },
  [CORE + 'ContainerStatus']: { user: 'ContainerUser', allocatedResourcesStatus: '[]ResourceStatus' },
  [CORE + 'NodeRuntimeHandlerFeatures']: { userNamespaces: 'boolean' },
  [CORE + 'NodeStatus']: { features: 'NodeFeatures' },
  [CORE + 'PodResourceClaim']: { resourceClaimName: 'string', resourceClaimTemplateName: 'string' },
  [CORE + 'PodSecurityContext']: { supplementalGroupsPolicy: 'string', seLinuxChangePolicy: 'string' },
  [CORE + 'PodSpec']: { resources: 'ResourceRequirements' },
  [CORE + 'ResourceClaim']: { request: 'string' },
  [CORE + 'Volume']: { image: 'ImageVolumeSource' },
  [APIEXT + 'JSONSchemaProps']: {
    'x-kubernetes-preserve-unknown-fields': 'boolean', 'x-kubernetes-embedded-resource': 'boolean',
    'x-kubernetes-int-or-string': 'boolean', 'x-kubernetes-list-map-keys': '[]string',
    'x-kubernetes-list-type': 'string', 'x-kubernetes-map-type': 'string',
    'x-kubernetes-validations': '[]ValidationRule',
  },
  [META + 'DeleteOptions']: { ignoreStoreReadErrorWithClusterBreakingPotential: 'boolean' },
}

/** Decodes one field type of the encoding above; `prefix` is the owner's package. */
export function parseFieldType(spec: string, prefix: string): TypeRef {
  if (spec.startsWith('[]')) return { kind: 'array', items: parseFieldType(spec.slice(2), prefix) }
  if (spec.startsWith('map[')) return { kind: 'map', values: parseFieldType(spec.slice(4, -1), prefix) }
  if (spec === 'string' || spec === 'boolean') return { kind: 'primitive', type: spec }
  if (spec === 'integer') return { kind: 'primitive', type: 'integer', format: 'int32' }
  if (spec === 'int64') return { kind: 'primitive', type: 'integer', format: 'int64' }
  return { kind: 'ref', name: spec.includes('.') ? spec : prefix + spec }
}

/** Adds the missing types and fields to a freshly parsed table (mutates it). */
export function addExtraFields(types: Map<string, TypeSchema>): void {
  for (const name of Object.keys(extraTypes)) {
    if (!types.has(name)) types.set(name, { name, fields: [] })
  }
  for (const table of [extraTypes, extraFields]) {
    for (const [typeName, fields] of Object.entries(table)) {
      const t = types.get(typeName)
      if (!t?.fields) continue
      const prefix = typeName.slice(0, typeName.lastIndexOf('.') + 1)
      for (const [name, spec] of Object.entries(fields)) {
        if (t.fields.some((f) => f.name === name)) continue
        const required = spec.endsWith('!')
        t.fields.push({ name, type: parseFieldType(required ? spec.slice(0, -1) : spec, prefix),
          ...(required ? { required } : {}) })
      }
      t.fields.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    }
  }
}
