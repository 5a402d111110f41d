/**
 * @module
 * networking.k8s.io/v1 IngressClass: cluster-scoped; controller required, domain-prefixed and
 * immutable; parameters scope defaults to Cluster.
 */
// Upstream: pkg/registry/networking/ingressclass/strategy.go; pkg/apis/networking/validation (ValidateIngressClass);
// pkg/apis/networking/v1/defaults.go (SetDefaults_IngressClass).
import type { IngressClass } from 'kubernetes-types/networking/v1.js'
import { forbiddenField, immutable, invalidValue, notSupported, path, required, tooLong, type FieldError } from '../../api/field-errors.js'
import type { KubeObject } from '../../api/meta.js'
import { semanticEqual } from '../../api/meta.js'
import { domainPrefixedPathErrors, isDNS1123Label } from '../../api/names.js'
import { ageColumn, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'
import { validateTypedReference } from './ingress-validation.js'

type IngressClassObj = IngressClass & KubeObject

function validateIngressClass(ic: IngressClassObj): FieldError[] {
  const errs: FieldError[] = []
  const controller = ic.spec?.controller ?? ''
  if (controller.length > 250) errs.push(tooLong('spec.controller', controller, 250))
  errs.push(...domainPrefixedPathErrors('spec.controller', controller))
  const params = ic.spec?.parameters
  if (params) {
    const at = 'spec.parameters'
    errs.push(...validateTypedReference(params, at))
    if (!params.scope) errs.push(required(path(at, 'scope')))
    else if (params.scope !== 'Cluster' && params.scope !== 'Namespace') errs.push(notSupported(path(at, 'scope'), params.scope, ['Cluster', 'Namespace']))
    else if (params.scope === 'Namespace') {
      if (params.namespace === undefined || params.namespace === null) errs.push(required(path(at, 'namespace'), "`parameters.scope` is set to 'Namespace'"))
      else for (const m of isDNS1123Label(params.namespace)) errs.push(invalidValue(path(at, 'namespace'), params.namespace, m))
    } else if (params.namespace !== undefined && params.namespace !== null) {
      errs.push(forbiddenField(path(at, 'namespace'), "`parameters.scope` is set to 'Cluster'"))
    }
  }
  return errs
}

/** "Kind.group/name" of the parameters reference, "<none>" without one. */
export function formatParameters(ic: IngressClass): string {
  const p = ic.spec?.parameters
  if (!p) return '<none>'
  return `${p.kind}${p.apiGroup !== undefined && p.apiGroup !== null ? `.${p.apiGroup}` : ''}/${p.name}`
}

export const ingressClasses = {
  group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', resource: 'ingressclasses', singular: 'ingressclass',
  namespaced: false,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  schema: 'io.k8s.api.networking.v1.IngressClass',
  defaults(obj) {
    const p = obj.spec?.parameters
    if (p && !p.scope) p.scope = 'Cluster'
  },
  prepareForCreate(obj) {
    obj.metadata = { ...obj.metadata, generation: 1 }
  },
  prepareForUpdate(obj, old) {
    const changed = !semanticEqual(obj.spec, old.spec)
    obj.metadata = { ...obj.metadata, generation: (old.metadata?.generation ?? 0) + Number(changed) }
  },
  validate: validateIngressClass,
  validateUpdate(obj, old) {
    const now = obj.spec?.controller ?? ''
    return now === (old.spec?.controller ?? '') ? [] : [immutable('spec.controller', now)]
  },
  columns: [
    nameColumn,
    { name: 'Controller', type: 'string', description: 'Controller that is responsible for handling this class', cell: (o) => o.spec?.controller ?? '' },
    { name: 'Parameters', type: 'string', description: 'A reference to a resource with additional parameters', cell: (o) => formatParameters(o) },
    ageColumn,
  ],
} satisfies ResourceType<IngressClassObj>
