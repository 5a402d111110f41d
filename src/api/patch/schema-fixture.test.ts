/**
 * @module
 * A small hand-made schema table for the patch tests: the Pod, Deployment and ObjectMeta
 * fields whose patch strategies matter, with upstream's merge keys, plus a test that keeps
 * the table self-consistent.
 */
import { it } from 'node:test'
import assert from 'node:assert/strict'
import type { FieldSchema, SchemaLookup, TypeRef, TypeSchema } from '../schema/types.js'

const str: TypeRef = { kind: 'primitive', type: 'string' }
const int: TypeRef = { kind: 'primitive', type: 'integer' }
const ref = (name: string): TypeRef => ({ kind: 'ref', name })
const list = (items: TypeRef): TypeRef => ({ kind: 'array', items })
const mergeList = (name: string, items: TypeRef, key: string, strategy = 'merge'): FieldSchema =>
  ({ name, type: list(items), patchStrategy: strategy, patchMergeKey: key })

const core = 'io.k8s.api.core.v1.'
const apps = 'io.k8s.api.apps.v1.'
const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.'

const types: TypeSchema[] = [
  { name: `${core}Pod`, fields: [{ name: 'apiVersion', type: str }, { name: 'kind', type: str },
    { name: 'metadata', type: ref(`${meta}ObjectMeta`) }, { name: 'spec', type: ref(`${core}PodSpec`) },
    { name: 'status', type: ref(`${core}PodStatus`) }] },
  { name: `${meta}ObjectMeta`, fields: [{ name: 'name', type: str },
    { name: 'labels', type: { kind: 'map', values: str } }, { name: 'annotations', type: { kind: 'map', values: str } },
    { name: 'finalizers', type: list(str), patchStrategy: 'merge' },
    mergeList('ownerReferences', ref(`${meta}OwnerReference`), 'uid')] },
  { name: `${meta}OwnerReference`, fields: [{ name: 'uid', type: str }, { name: 'name', type: str }, { name: 'kind', type: str }] },
  { name: `${core}PodSpec`, fields: [
    mergeList('containers', ref(`${core}Container`), 'name'),
    mergeList('initContainers', ref(`${core}Container`), 'name'),
    mergeList('volumes', ref(`${core}Volume`), 'name', 'merge,retainKeys'),
    { name: 'tolerations', type: list(ref(`${core}Toleration`)) },
    { name: 'nodeSelector', type: { kind: 'map', values: str } },
    { name: 'restartPolicy', type: str }] },
  { name: `${core}PodStatus`, fields: [mergeList('conditions', ref(`${core}PodCondition`), 'type'), { name: 'phase', type: str }] },
  { name: `${core}PodCondition`, fields: [{ name: 'type', type: str }, { name: 'status', type: str }] },
  { name: `${core}Toleration`, fields: [{ name: 'key', type: str }, { name: 'operator', type: str }, { name: 'effect', type: str }] },
  { name: `${core}Container`, fields: [{ name: 'name', type: str }, { name: 'image', type: str },
    { name: 'args', type: list(str) }, { name: 'command', type: list(str) },
    mergeList('env', ref(`${core}EnvVar`), 'name'), mergeList('ports', ref(`${core}ContainerPort`), 'containerPort'),
    mergeList('volumeMounts', ref(`${core}VolumeMount`), 'mountPath'),
    { name: 'resources', type: ref(`${core}ResourceRequirements`) }] },
  { name: `${core}ResourceRequirements`, fields: [{ name: 'limits', type: { kind: 'map', values: ref('io.k8s.apimachinery.pkg.api.resource.Quantity') } },
    { name: 'requests', type: { kind: 'map', values: ref('io.k8s.apimachinery.pkg.api.resource.Quantity') } }] },
  { name: 'io.k8s.apimachinery.pkg.api.resource.Quantity', scalar: { type: 'int-or-string' } },
  { name: `${core}EnvVar`, fields: [{ name: 'name', type: str }, { name: 'value', type: str }, { name: 'valueFrom', type: { kind: 'any' } }] },
  { name: `${core}ContainerPort`, fields: [{ name: 'containerPort', type: int }, { name: 'protocol', type: str }, { name: 'name', type: str }] },
  { name: `${core}VolumeMount`, fields: [{ name: 'mountPath', type: str }, { name: 'name', type: str }] },
  { name: `${core}Volume`, fields: [{ name: 'name', type: str }, { name: 'emptyDir', type: ref(`${core}EmptyDirVolumeSource`) },
    { name: 'hostPath', type: ref(`${core}HostPathVolumeSource`) }, { name: 'configMap', type: ref(`${core}ConfigMapVolumeSource`) }] },
  { name: `${core}EmptyDirVolumeSource`, fields: [{ name: 'medium', type: str }] },
  { name: `${core}HostPathVolumeSource`, fields: [{ name: 'path', type: str }] },
  { name: `${core}ConfigMapVolumeSource`, fields: [{ name: 'name', type: str }] },
  { name: `${core}PodTemplateSpec`, fields: [{ name: 'metadata', type: ref(`${meta}ObjectMeta`) }, { name: 'spec', type: ref(`${core}PodSpec`) }] },
  { name: `${apps}Deployment`, fields: [{ name: 'metadata', type: ref(`${meta}ObjectMeta`) }, { name: 'spec', type: ref(`${apps}DeploymentSpec`) }] },
  { name: `${apps}DeploymentSpec`, fields: [{ name: 'replicas', type: int }, { name: 'paused', type: { kind: 'primitive', type: 'boolean' } },
    { name: 'template', type: ref(`${core}PodTemplateSpec`) },
    { name: 'strategy', type: ref(`${apps}DeploymentStrategy`), patchStrategy: 'retainKeys' }] },
  { name: `${apps}DeploymentStrategy`, fields: [{ name: 'type', type: str }, { name: 'rollingUpdate', type: ref(`${apps}RollingUpdateDeployment`) }] },
  { name: `${apps}RollingUpdateDeployment`, fields: [{ name: 'maxSurge', type: str }, { name: 'maxUnavailable', type: str }] },
  // A replace-strategy map field, to test the strategy on maps.
  { name: 'test.Replacing', fields: [{ name: 'replacingItem', type: ref('test.Item'), patchStrategy: 'replace' }, { name: 'other', type: ref('test.Item') }] },
  { name: 'test.Item', fields: [{ name: 'a', type: str }, { name: 'b', type: str }] },
]

const byName = new Map(types.map((t) => [t.name, t]))
export const lookup: SchemaLookup = (name) => byName.get(name)
export const POD = `${core}Pod`
export const DEPLOYMENT = `${apps}Deployment`

it('schema fixture: every reference resolves', () => {
  const refs = (t: TypeRef): string[] =>
    t.kind === 'ref' ? [t.name] : t.kind === 'array' ? refs(t.items) : t.kind === 'map' ? refs(t.values) : []
  for (const t of types) for (const f of t.fields ?? []) for (const r of refs(f.type)) assert.ok(lookup(r), `${t.name}.${f.name} → ${r}`)
})
