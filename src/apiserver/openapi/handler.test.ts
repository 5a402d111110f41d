import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { ResourceType } from '../../registry/types.js'
import { openApiV3 } from './handler.js'

const resources: ResourceType[] = [
  { group: '', version: 'v1', kind: 'Pod', resource: 'pods', singular: 'pod', namespaced: true,
    subresources: { status: true, extra: [{ name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] }] } },
  { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', singular: 'namespace', namespaced: false },
  { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', singular: 'deployment', namespaced: true,
    subresources: { status: true, scale: { specReplicasPath: ['spec', 'replicas'], statusReplicasPath: ['status', 'replicas'] } } },
  { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', resource: 'tokenreviews', singular: 'tokenreview',
    namespaced: false, verbs: ['create'] },
  { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler', namespaced: true,
    conversion: { storedAs: { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' },
      toStored: (o) => o, fromStored: (o) => o } },
  { group: 'example.com', version: 'v1', kind: 'Widget', resource: 'widgets', singular: 'widget', namespaced: true },
]

const handler = openApiV3(resources)
const get = (path: string, query = '', headers: Record<string, string> = {}) => {
  const res = handler(path, new URLSearchParams(query), headers)
  assert.ok(res, `no answer for ${path}`)
  return res
}
const json = (path: string, query = '') => JSON.parse(get(path, query).body.toString())
const root = () => json('/openapi/v3').paths as Record<string, { serverRelativeURL: string }>

describe('openApiV3 handler', () => {
  it('lists every group-version with a hash URL', () => {
    assert.deepEqual(Object.keys(root()).sort(), ['api/v1', 'apis/apps/v1', 'apis/authentication.k8s.io/v1',
      'apis/autoscaling/v1', 'apis/example.com/v1'])
    assert.match(root()['apis/apps/v1'].serverRelativeURL, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/)
  })

  it('caches by hash: immutable on match, 301 on mismatch, no-cache without', () => {
    const url = new URL(root()['apis/apps/v1'].serverRelativeURL, 'http://x')
    const hash = url.searchParams.get('hash') as string
    const hit = get(url.pathname, `hash=${hash}&timeout=32s`, { accept: 'application/json' })
    assert.equal(hit.status, 200)
    assert.equal(hit.headers.etag, `"${hash}"`)
    assert.equal(hit.headers['cache-control'], 'public, immutable')
    const expiresInDays = (Date.parse(hit.headers.expires) - Date.now()) / 86_400_000
    assert.ok(expiresInDays > 360 && expiresInDays < 367, hit.headers.expires)
    const moved = get(url.pathname, 'hash=ABC')
    assert.equal(moved.status, 301)
    assert.equal(moved.headers.location, `/openapi/v3/apis/apps/v1?hash=${hash}`)
    const plain = get(url.pathname)
    assert.equal(plain.status, 200)
    assert.equal(plain.headers['cache-control'], 'no-cache, private')
    assert.equal(get(url.pathname, '', { 'if-none-match': `"${hash}"` }).status, 304)
  })

  it('answers 404 for unknown group-versions, 406 for protobuf-only v3, nothing elsewhere', () => {
    assert.equal(get('/openapi/v3/apis/nope/v1').status, 404)
    assert.equal(get('/openapi/v3/apis/apps/v1', '', { accept: 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf' }).status, 406)
    assert.equal(handler('/api/v1', new URLSearchParams(), {}), undefined)
  })

  it('serves /openapi/v2 as JSON or protobuf by Accept, with one ETag, and 406 otherwise', () => {
    const jsonReply = get('/openapi/v2', '', { accept: 'application/json' })
    assert.equal(jsonReply.status, 200)
    assert.equal(jsonReply.headers['content-type'], 'application/json')
    assert.equal(JSON.parse(jsonReply.body.toString()).swagger, '2.0')
    const proto = get('/openapi/v2', 'timeout=32s', { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' })
    assert.equal(proto.status, 200)
    assert.equal(proto.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf')
    assert.equal(proto.headers.etag, jsonReply.headers.etag)
    assert.equal(proto.headers['cache-control'], 'no-cache, private')
    assert.equal(proto.headers.vary, 'Accept')
    // Field 1 (swagger) first: tag 0x0a, length 3, "2.0". JSON would start with '{'.
    assert.deepEqual([...(proto.body as Buffer).subarray(0, 5)], [0x0a, 3, 0x32, 0x2e, 0x30])
    assert.equal(get('/openapi/v2', '', { accept: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' }).body, proto.body,
      'built once and cached')
    assert.equal(get('/openapi/v2', '', { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
      'if-none-match': proto.headers.etag }).status, 304)
    const preferred = get('/openapi/v2', '', { accept: 'application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf' })
    assert.equal(preferred.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf')
    assert.equal(get('/openapi/v2', '', { accept: '*/*' }).headers['content-type'], 'application/json')
    assert.equal(get('/openapi/v2', '', { accept: 'text/plain' }).status, 406)
  })
})

describe('group-version documents', () => {
  const apps = json('/openapi/v3/apis/apps/v1')
  const core = json('/openapi/v3/api/v1')
  const schemas = (doc: { components: { schemas: Record<string, any> } }) => doc.components.schemas

  it('has upstream paths for each resource, limited to its verbs', () => {
    assert.deepEqual(Object.keys(apps.paths).sort(), ['/apis/apps/v1/', '/apis/apps/v1/deployments',
      '/apis/apps/v1/namespaces/{namespace}/deployments', '/apis/apps/v1/namespaces/{namespace}/deployments/{name}',
      '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale',
      '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status'])
    const item = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']
    assert.deepEqual(Object.keys(item).sort(), ['delete', 'get', 'parameters', 'patch', 'put'])
    assert.equal(item.get.operationId, 'readAppsV1NamespacedDeployment')
    assert.deepEqual(apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].put['x-kubernetes-group-version-kind'],
      { group: 'autoscaling', version: 'v1', kind: 'Scale' })
    assert.ok(core.paths['/api/v1/namespaces/{name}'].get)
    assert.ok(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction'].post)
    const tokenReviews = json('/openapi/v3/apis/authentication.k8s.io/v1').paths
    assert.deepEqual(Object.keys(tokenReviews['/apis/authentication.k8s.io/v1/tokenreviews']).sort(), ['parameters', 'post'])
  })

  it('gives the item PATCH what kubectl probes for', () => {
    const patch = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' })
    const query = patch.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name).sort()
    assert.deepEqual(query, ['dryRun', 'fieldManager', 'fieldValidation', 'force'])
    assert.deepEqual(Object.keys(patch.requestBody.content).sort(), ['application/apply-patch+yaml',
      'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'])
  })

  it('holds the reachable schemas, GVK-tagged and with patch metadata', () => {
    const s = schemas(apps)
    assert.deepEqual(s['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'],
      [{ group: 'apps', kind: 'Deployment', version: 'v1' }])
    assert.equal(s['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy['x-kubernetes-patch-strategy'], 'retainKeys')
    assert.deepEqual(s['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy.allOf,
      [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }])
    const containers = s['io.k8s.api.core.v1.PodSpec'].properties.containers
    assert.equal(containers['x-kubernetes-patch-merge-key'], 'name')
    assert.equal(containers['x-kubernetes-patch-strategy'], 'merge')
    assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name'])
    assert.ok(s['io.k8s.api.autoscaling.v1.Scale'], 'scale subresource type')
    assert.deepEqual(s['io.k8s.api.apps.v1.DeploymentSpec'].required, ['selector', 'template'])
    assert.equal(s['io.k8s.api.core.v1.Pod'], undefined, 'only reachable types')
    for (const doc of [apps, core]) {
      const text = JSON.stringify(doc)
      for (const m of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) assert.ok(schemas(doc)[m[1]], `dangling ${m[1]}`)
    }
  })

  it('lists converted resources under their own group-version', () => {
    const hpa = json('/openapi/v3/apis/autoscaling/v1')
    assert.ok(hpa.components.schemas['io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler'])
    assert.ok(hpa.paths['/apis/autoscaling/v1/namespaces/{namespace}/horizontalpodautoscalers/{name}'].patch)
  })

  it('does not advertise strategic merge patch for kinds without a schema', () => {
    const widgets = json('/openapi/v3/apis/example.com/v1')
    const patch = widgets.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'example.com', version: 'v1', kind: 'Widget' })
    assert.ok(patch.parameters.some((p: any) => p.name === 'fieldValidation'))
    assert.equal(patch.requestBody.content['application/strategic-merge-patch+json'], undefined)
  })
})

describe('swagger 2.0 document', () => {
  it('serves every resource with definitions', () => {
    const doc = json('/openapi/v2')
    assert.equal(doc.swagger, '2.0')
    assert.ok(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch.consumes
      .includes('application/strategic-merge-patch+json'))
    assert.equal(doc.definitions['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy.$ref,
      '#/definitions/io.k8s.api.apps.v1.DeploymentStrategy')
    for (const m of JSON.stringify(doc).matchAll(/"#\/definitions\/([^"]+)"/g)) assert.ok(doc.definitions[m[1]], m[1])
  })
})
