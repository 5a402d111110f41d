/**
 * @module
 * Run inside a fresh node namespace by nftables.test.ts: loads 10,000 Service ports into the
 * nftables backend, then times incremental syncs against that table. Prints one JSON line.
 */
import { setUpNodeNetwork } from '../../node/node-network.js'
import { createNftablesBackend } from '../nftables.js'
import type { Backend, ServicePort, ServiceTable } from '../service-table.js'

const COUNT = Number(process.argv[2] ?? 10_000)
const ROUNDS = 20
const node = await setUpNodeNetwork({ podCIDR: '10.244.9.0/24', serviceCIDR: '10.96.0.0/12' })
const backend = createNftablesBackend()
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!

function port(i: number, endpoints = 1 + (i % 3)): ServicePort {
  const eps: Backend[] = Array.from({ length: endpoints }, (_, k) => ({ ip: `10.244.9.${2 + ((i + k) % 250)}`, port: 8080 }))
  return {
    id: `bench/s${i}:/TCP`, namespace: 'bench', name: `s${i}`, portName: '', protocol: 'TCP', port: 80,
    clusterIPs: [`10.96.${(i >> 8) & 255}.${i & 255}`], externalIPs: [], loadBalancerIPs: [],
    ...(i % 10 === 0 ? { nodePort: 30000 + i / 10 } : {}),
    clusterEndpoints: eps, externalEndpoints: eps,
  }
}

const table: ServiceTable = new Map()
try {
  const all = Array.from({ length: COUNT }, (_, i) => port(i))
  for (const sp of all) table.set(sp.id, sp)
  let t0 = performance.now()
  await backend.sync({ added: all, removed: [], changed: [] }, table)
  const loadMs = performance.now() - t0

  const addMs: number[] = []
  const changeMs: number[] = []
  for (let k = 0; k < ROUNDS; k++) {
    const sp = port(COUNT + k)
    table.set(sp.id, sp)
    t0 = performance.now()
    await backend.sync({ added: [sp], removed: [], changed: [] }, table)
    addMs.push(performance.now() - t0)
    // Endpoint count changes bucket: the costlier kind of change.
    const old = table.get(port(k).id)!
    const cur = port(k, old.clusterEndpoints.length + 1)
    table.set(cur.id, cur)
    t0 = performance.now()
    await backend.sync({ added: [], removed: [], changed: [{ old, cur }] }, table)
    changeMs.push(performance.now() - t0)
  }
  console.log(JSON.stringify({ count: COUNT, loadMs, addMedianMs: median(addMs), changeMedianMs: median(changeMs) }))
} finally {
  await backend.close()
  await node.teardown()
}
