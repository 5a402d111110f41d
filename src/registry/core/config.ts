/**
 * @module
 * Registry entries for ConfigMaps and Secrets: key syntax, size limits, `immutable`,
 * secret types, and stringData folded into data as the API server does on decode.
 */
// Upstream: pkg/apis/core/validation/validation.go (ValidateConfigMap, ValidateConfigMapUpdate,
// ValidateSecret, ValidateSecretUpdate), pkg/apis/core/v1/conversion.go (stringData into data),
// pkg/apis/core/v1/defaults.go (SetDefaults_Secret), pkg/registry/core/secret/strategy.go (SelectableFields).
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js'
import { forbiddenField, immutable, invalidValue, path, required, tooLong, type FieldError } from '../../api/field-errors.js'
import { isConfigMapKey } from '../../api/names.js'
import { ageColumn, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'
import { base64Length, deepEqual } from './util.js'

/** Upstream's MaxSecretSize, also the ConfigMap limit: 1 MiB. */
export const MAX_SECRET_SIZE = 1024 * 1024
const IMMUTABLE_MSG = 'field is immutable when `immutable` is set'
const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs: FieldError[] = []
  let size = 0
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    for (const m of isConfigMapKey(k)) errs.push(invalidValue(path('data', `[${k}]`), k, m))
    if (cm.binaryData && k in cm.binaryData) errs.push(invalidValue(path('data', `[${k}]`), k, 'duplicate of key present in binaryData'))
    size += Buffer.byteLength(v ?? '')
  }
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
    for (const m of isConfigMapKey(k)) errs.push(invalidValue(path('binaryData', `[${k}]`), k, m))
    size += base64Length(v)
  }
  if (size > MAX_SECRET_SIZE) errs.push(tooLong('', '', MAX_SECRET_SIZE))
  return errs
}

function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  const errs: FieldError[] = []
  if (old.immutable) {
    if (!cm.immutable) errs.push(forbiddenField('immutable', IMMUTABLE_MSG))
    if (!deepEqual(cm.data ?? null, old.data ?? null)) errs.push(forbiddenField('data', IMMUTABLE_MSG))
    if (!deepEqual(cm.binaryData ?? null, old.binaryData ?? null)) errs.push(forbiddenField('binaryData', IMMUTABLE_MSG))
  }
  return errs
}

export const configmaps = {
  group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', singular: 'configmap', namespaced: true,
  shortNames: ['cm'], verbs: VERBS, schema: 'io.k8s.api.core.v1.ConfigMap',
  validate: validateConfigMap,
  validateUpdate: validateConfigMapUpdate,
  columns: [
    nameColumn,
    { name: 'Data', type: 'string', description: 'Number of keys in data and binaryData.', cell: (cm) => Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length },
    ageColumn,
  ],
} satisfies ResourceType<ConfigMap>

/** stringData is write-only: merged into data (base64), overriding it, then dropped. */
export function defaultSecret(s: Secret): void {
  s.type ||= 'Opaque'
  if (s.stringData) {
    const data = { ...s.data }
    for (const [k, v] of Object.entries(s.stringData)) data[k] = Buffer.from(v ?? '', 'utf8').toString('base64')
    s.data = data
    delete s.stringData
  }
}

const has = (s: Secret, k: string) => !!s.data && k in s.data

function validateSecret(s: Secret): FieldError[] {
  const errs: FieldError[] = []
  const dataKey = (k: string) => path('data', `[${k}]`)
  let size = 0
  for (const [k, v] of Object.entries(s.data ?? {})) {
    for (const m of isConfigMapKey(k)) errs.push(invalidValue(dataKey(k), k, m))
    size += base64Length(v)
  }
  if (size > MAX_SECRET_SIZE) errs.push(tooLong('data', '', MAX_SECRET_SIZE))
  const jsonKey = (k: string) => {
    if (!has(s, k)) { errs.push(required(dataKey(k))); return }
    try { JSON.parse(Buffer.from(s.data![k]!, 'base64').toString('utf8')) } catch (e) {
      errs.push(invalidValue(dataKey(k), '<secret contents redacted>', (e as Error).message))
    }
  }
  switch (s.type) {
    case 'kubernetes.io/service-account-token':
      if (!s.metadata?.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(required(path('metadata', 'annotations', '[kubernetes.io/service-account.name]')))
      }
      break
    case 'kubernetes.io/dockercfg': jsonKey('.dockercfg'); break
    case 'kubernetes.io/dockerconfigjson': jsonKey('.dockerconfigjson'); break
    case 'kubernetes.io/basic-auth':
      if (!has(s, 'username') && !has(s, 'password')) errs.push(required(dataKey('username')), required(dataKey('password')))
      break
    case 'kubernetes.io/ssh-auth':
      if (!base64Length(s.data?.['ssh-privatekey'])) errs.push(required(dataKey('ssh-privatekey')))
      break
    case 'kubernetes.io/tls':
      if (!has(s, 'tls.crt')) errs.push(required(dataKey('tls.crt')))
      if (!has(s, 'tls.key')) errs.push(required(dataKey('tls.key')))
      break
  }
  return errs
}

function validateSecretUpdate(s: Secret, old: Secret): FieldError[] {
  const errs: FieldError[] = []
  if ((s.type ?? '') !== (old.type ?? '')) errs.push(immutable('type', s.type ?? ''))
  if (old.immutable) {
    if (!s.immutable) errs.push(forbiddenField('immutable', IMMUTABLE_MSG))
    if (!deepEqual(s.data ?? null, old.data ?? null)) errs.push(forbiddenField('data', IMMUTABLE_MSG))
  }
  return errs
}

export const secrets = {
  group: '', version: 'v1', kind: 'Secret', resource: 'secrets', singular: 'secret', namespaced: true,
  verbs: VERBS, schema: 'io.k8s.api.core.v1.Secret',
  defaults: defaultSecret,
  validate: validateSecret,
  validateUpdate: validateSecretUpdate,
  columns: [
    nameColumn,
    { name: 'Type', type: 'string', description: 'The type of secret', cell: (s) => s.type ?? '' },
    { name: 'Data', type: 'string', description: 'Number of keys in the secret.', cell: (s) => Object.keys(s.data ?? {}).length },
    ageColumn,
  ],
  selectableFields: (s) => ({ type: s.type ?? '' }),
} satisfies ResourceType<Secret>
