import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import net from 'node:net'
import packet from 'dns-packet'
import { createForwarder, parseUpstreams, type Forwarder } from './forwarder.js'
import { encodeQuery, fakeUpstream, rcodeOf, replyTo, type FakeUpstream } from './testing.js'

const aRecord = (name: string, ip: string): packet.Answer => ({ type: 'A', name, ttl: 60, data: ip })
const answersOf = (raw: Buffer) => packet.decode(raw).answers?.map((a) => (a as packet.StringAnswer).data)

describe('DNS forwarder', () => {
  const cleanups: (() => unknown)[] = []
  after(async () => { for (const c of cleanups.reverse()) await c() })
  const upstreamOf = async (answer: Parameters<typeof fakeUpstream>[0]) => {
    const u = await fakeUpstream(answer)
    cleanups.push(() => u.close())
    return u
  }
  const forwarderOf = (...args: Parameters<typeof createForwarder>) => {
    const f = createForwarder(...args)
    cleanups.push(() => f.close())
    return f
  }
  const to = (u: FakeUpstream) => ({ host: '127.0.0.1', port: u.port })

  it('relays answers under fresh IDs, so concurrent askers with one ID do not collide', async () => {
    const up = await upstreamOf((q) => replyTo(q, [aRecord(q.questions![0]!.name, `192.0.2.${q.questions![0]!.name.split('.')[0]!.slice(1)}`)]))
    const f = forwarderOf({ upstreams: [to(up)] })
    const names = Array.from({ length: 20 }, (_, i) => `h${i}.example`)
    const replies = await Promise.all(names.map((name) => f.exchange(encodeQuery({ name, type: 'A', id: 7 }))))
    replies.forEach((r, i) => {
      assert.equal(packet.decode(r).id, 7)
      assert.deepEqual(answersOf(r), [`192.0.2.${i}`])
    })
    const upstreamIds = new Set(up.queries.map((q) => q.msg.id))
    assert.equal(upstreamIds.size, 20, 'each query went out under its own ID')
  })

  it('tries the next upstream when one times out, and SERVFAILs when all fail', async () => {
    const dead = await upstreamOf(() => undefined)
    const live = await upstreamOf((q) => replyTo(q, [aRecord('x.example', '192.0.2.99')]))
    const f = forwarderOf({ upstreams: [to(dead), to(live)], timeoutMs: 200 })
    assert.deepEqual(answersOf(await f.exchange(encodeQuery({ name: 'x.example', type: 'A' }))), ['192.0.2.99'])
    assert.equal(dead.queries.length, 1)
    const none = forwarderOf({ upstreams: [to(dead)], timeoutMs: 100 })
    const fail = packet.decode(await none.exchange(encodeQuery({ name: 'x.example', type: 'A', id: 99 })))
    assert.equal(rcodeOf(fail), 'SERVFAIL')
    assert.equal(fail.id, 99)
  })

  it('retries over TCP when the UDP answer is truncated, through the given connect', async () => {
    const up = await upstreamOf((q, via) => via === 'udp'
      ? replyTo(q, [], { flags: packet.TRUNCATED_RESPONSE | packet.RECURSION_DESIRED })
      : replyTo(q, Array.from({ length: 50 }, (_, i) => aRecord('big.example', `192.0.2.${i}`))))
    let connects = 0
    const f = forwarderOf({ upstreams: [to(up)], connect: (t) => { connects++; return net.connect(t) } })
    const r = await f.exchange(encodeQuery({ name: 'big.example', type: 'A', id: 3 }))
    assert.equal(answersOf(r)?.length, 50)
    assert.equal(packet.decode(r).id, 3)
    assert.equal(connects, 1)
    assert.deepEqual(up.queries.map((q) => q.via), ['udp', 'tcp'])
  })

  it('sends through the socket it is given and ignores answers from elsewhere', async () => {
    const spoofer = dgram.createSocket('udp4')
    const up = await upstreamOf(async (q) => {
      // Before the real answer, a forged one from another port with the same ID and question;
      // on loopback it is queued at the forwarder's socket once the send completes.
      const forged = packet.encode(replyTo(q, [aRecord('s.example', '6.6.6.6')]))
      await new Promise((r) => spoofer.send(forged, ownPort, '127.0.0.1', r))
      return replyTo(q, [aRecord('s.example', '192.0.2.1')])
    })
    const own = dgram.createSocket('udp4')
    cleanups.push(() => { spoofer.close(); own.close() })
    await new Promise<void>((r) => own.bind(0, '127.0.0.1', () => r()))
    const ownPort = own.address().port
    const f: Forwarder = forwarderOf({ upstreams: [to(up)], socket: own })
    assert.deepEqual(answersOf(await f.exchange(encodeQuery({ name: 's.example', type: 'A' }))), ['192.0.2.1'])
    assert.equal(up.queries[0]?.msg.questions?.[0]?.name, 's.example')
  })

  it('parses --dns-upstream', () => {
    assert.deepEqual(parseUpstreams('127.0.0.53, 10.0.0.1:5353,[fd00::1]:54,::1'), [
      { host: '127.0.0.53', port: 53 }, { host: '10.0.0.1', port: 5353 }, { host: 'fd00::1', port: 54 }, { host: '::1', port: 53 }])
    assert.throws(() => parseUpstreams('dns.google'), /invalid DNS upstream/)
    assert.throws(() => parseUpstreams('1.1.1.1:99999'), /invalid DNS upstream/)
  })
})
