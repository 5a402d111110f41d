// Unit tests for decodeProtobufObject: bytes built with protobufjs's independent Writer, so
// the decoder is checked against another encoder, not against itself.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import pb from 'protobufjs/minimal.js'
import { isStatusError } from '../../api/errors.js'
import { decodeProtobufObject } from './index.js'

type W = pb.Writer
const LEN = 2
const str = (w: W, no: number, s: string) => w.uint32((no << 3) | LEN).string(s)
const num = (w: W, no: number, v: number) => w.uint32(no << 3).int64(v)
const msg = (w: W, no: number, build: (w: W) => void) => {
  w.uint32((no << 3) | LEN).fork()
  build(w)
  return w.ldelim()
}
const entry = (w: W, no: number, key: string, value: (w: W) => void) =>
  msg(w, no, (e) => { str(e, 1, key); value(e) })
const bytesOf = (build: (w: W) => void) => {
  const w = pb.Writer.create()
  build(w)
  return w.finish()
}
/** magic + runtime.Unknown{typeMeta, raw}. */
const envelope = (apiVersion: string, kind: string, raw: (w: W) => void) => {
  const body = bytesOf((w) => {
    msg(w, 1, (t) => { str(t, 1, apiVersion); str(t, 2, kind) })
    w.uint32((2 << 3) | LEN).bytes(bytesOf(raw))
  })
  return new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...body])
}
const meta = (name: string) => (w: W) => msg(w, 1, (m) => { str(m, 1, name); str(m, 2, ''); num(m, 7, 0) })

function assertStatus(fn: () => unknown, code: number, message: RegExp) {
  assert.throws(fn, (err) => {
    assert.ok(isStatusError(err), `StatusError expected, got ${String(err)}`)
    assert.equal(err.status.code, code)
    assert.match(err.status.message ?? '', message)
    return true
  })
}

describe('decodeProtobufObject', () => {
  it('decodes the ConfigMap bytes recorded in kubectl-contract.md §5.7', () => {
    const hex = '6b3873000a0f0a0276311209436f6e6669674d6170121c0a120a02633112001a0022002a0032003800420012060a01611201621a002200'
    assert.deepEqual(decodeProtobufObject(Buffer.from(hex, 'hex')), {
      kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c1', creationTimestamp: null }, data: { a: 'b' },
    })
  })

  it('applies Go JSON rules: pointers kept when zero, omitempty zeros dropped, structs always present', () => {
    const body = envelope('apps/v1', 'Deployment', (w) => {
      meta('web')(w)
      msg(w, 2, (s) => { num(s, 1, 0); num(s, 5, 0); num(s, 7, 0) }) // replicas=0 (pointer), minReadySeconds, paused
    })
    assert.deepEqual(decodeProtobufObject(body), {
      kind: 'Deployment', apiVersion: 'apps/v1',
      metadata: { name: 'web', creationTimestamp: null },
      spec: {
        replicas: 0, // *int32: sent, so kept
        selector: null, // *LabelSelector without omitempty: Go marshals nil as null
        template: { metadata: { creationTimestamp: null }, spec: { containers: null } }, // nil slice, no omitempty
        strategy: {}, // a struct: omitempty never drops it
      },
      status: {},
    })
  })

  it('skips unknown fields of every wire type', () => {
    const body = envelope('v1', 'Namespace', (w) => {
      msg(w, 1, (m) => {
        str(m, 1, 'n')
        num(m, 90, 7) // varint
        m.uint32((91 << 3) | 1).fixed64(1) // fixed64
        m.uint32((92 << 3) | 5).fixed32(1) // fixed32
        msg(m, 93, (x) => str(x, 1, 'ignored')) // length-delimited
      })
      num(w, 77, 1)
    })
    assert.deepEqual(decodeProtobufObject(body),
      { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'n', creationTimestamp: null }, spec: {}, status: {} })
  })

  it('decodes negative int32, large int64, Time, and packed and unpacked repeated varints', () => {
    const body = envelope('scheduling.k8s.io/v1', 'PriorityClass', (w) => {
      msg(w, 1, (m) => { str(m, 1, 'pc'); num(m, 7, 2 ** 40); msg(m, 8, (t) => num(t, 1, 1_700_000_000)) })
      w.uint32(2 << 3).int32(-5) // value: sign-extended to 10 bytes on the wire
    })
    const pc = decodeProtobufObject(body)
    assert.deepEqual(pc.metadata, { name: 'pc', generation: 2 ** 40, creationTimestamp: '2023-11-14T22:13:20Z' })
    assert.equal(pc.value, -5)

    const pod = (packed: boolean) => envelope('apps/v1', 'Deployment', (w) => msg(w, 2, (s) => msg(s, 3, (t) =>
      msg(t, 2, (p) => msg(p, 14, (sc) => { // template.spec.securityContext.supplementalGroups
        if (packed) sc.uint32((4 << 3) | LEN).fork().int64(1).int64(300).ldelim()
        else num(sc, 4, 1).uint32(4 << 3).int64(300)
      })))))
    for (const packed of [true, false]) {
      const d = decodeProtobufObject(pod(packed)) as any
      assert.deepEqual(d.spec.template.spec.securityContext, { supplementalGroups: [1, 300] })
    }
  })

  it('decodes bytes as base64, Quantity, IntOrString, inline structs and map-of-list wrappers', () => {
    const secret = envelope('v1', 'Secret', (w) => {
      meta('s')(w)
      entry(w, 2, 'p', (e) => e.uint32((2 << 3) | LEN).bytes(Buffer.from([0xff, 0x00, 0x71])))
    })
    assert.deepEqual(decodeProtobufObject(secret).data, { p: '/wBx' })

    const quota = envelope('v1', 'ResourceQuota', (w) =>
      msg(w, 2, (s) => entry(s, 1, 'cpu', (e) => msg(e, 2, (q) => str(q, 1, '1500m')))))
    assert.deepEqual(decodeProtobufObject(quota).spec, { hard: { cpu: '1500m' } })

    const svc = envelope('v1', 'Service', (w) => msg(w, 2, (s) => {
      msg(s, 1, (p) => { num(p, 3, 80); msg(p, 4, (t) => { num(t, 1, 1); str(t, 3, 'http') }) })
      msg(s, 1, (p) => { num(p, 3, 81); msg(p, 4, (t) => { num(t, 1, 0); num(t, 2, 8081) }) })
    }))
    assert.deepEqual((decodeProtobufObject(svc).spec as any).ports,
      [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }])

    const probe = envelope('apps/v1', 'Deployment', (w) => msg(w, 2, (s) => msg(s, 3, (t) => msg(t, 2, (p) =>
      msg(p, 2, (c) => { str(c, 1, 'app'); msg(c, 10, (pr) => { msg(pr, 1, (h) => msg(h, 2, (g) => { str(g, 1, '/healthz'); msg(g, 2, (i) => num(i, 2, 8080)) })); num(pr, 4, 5) }) })))))
    const container = (decodeProtobufObject(probe) as any).spec.template.spec.containers[0]
    assert.deepEqual(container, {
      name: 'app', resources: {},
      livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 }, // ProbeHandler inlined
    })

    const whoami = envelope('authentication.k8s.io/v1', 'SelfSubjectReview', (w) => msg(w, 2, (s) =>
      msg(s, 1, (u) => { str(u, 1, 'alice'); entry(u, 4, 'scopes', (e) => msg(e, 2, (l) => { str(l, 1, 'a'); str(l, 1, 'b') })) })))
    assert.deepEqual((decodeProtobufObject(whoami).status as any).userInfo, { username: 'alice', extra: { scopes: ['a', 'b'] } })
  })

  it('keeps non-omitempty empty lists as null and decodes managed fields JSON', () => {
    const role = envelope('rbac.authorization.k8s.io/v1', 'Role', (w) => {
      msg(w, 1, (m) => msg(m, 17, (mf) => { str(mf, 1, 'kubectl'); mf.uint32((7 << 3) | LEN).fork().uint32((1 << 3) | LEN).bytes(Buffer.from('{"f:data":{}}')).ldelim() }))
      msg(w, 2, (r) => str(r, 3, 'pods')) // a rule with resources but no verbs
    })
    assert.deepEqual(decodeProtobufObject(role), {
      kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { creationTimestamp: null, managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:data': {} } }] },
      rules: [{ verbs: null, resources: ['pods'] }],
    })
  })

  it('answers malformed bodies with 400 and unknown kinds with 415', () => {
    assertStatus(() => decodeProtobufObject(Buffer.from('{"kind":"ConfigMap"}')), 400, /expected prefix \[107 56 115 0\]/)
    const good = envelope('v1', 'ConfigMap', meta('c'))
    assertStatus(() => decodeProtobufObject(good.subarray(0, good.length - 3)), 400, /unexpected end of data/)
    assertStatus(() => decodeProtobufObject(envelope('v1', '', meta('c'))), 400, /Kind' is missing/)
    assertStatus(() => decodeProtobufObject(envelope('v1', 'ConfigMap', (w) => num(w, 1, 3))), 400, /v1 ConfigMap: field metadata: wire type 0/)
    assertStatus(() => decodeProtobufObject(envelope('v1', 'Pod', meta('p'))), 415, /Pod in v1 cannot be decoded/)
    assertStatus(() => decodeProtobufObject(envelope('v1', 'PodSpec', meta('p'))), 415, /PodSpec/)
    assertStatus(() => decodeProtobufObject(envelope('example.com/v1', 'Widget', meta('w'))), 415, /Widget/)
  })
})
