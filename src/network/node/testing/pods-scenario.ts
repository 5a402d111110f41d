/**
 * @module
 * Run inside a node namespace by pod-network.test.ts: sets up the node network and two pods,
 * serves HTTP in each, probes what should and should not be reachable, tears down, and
 * prints the findings as one JSON line.
 */
import { spawn, execFileSync } from 'node:child_process'
import { connect } from 'node:net'
import { prepareNodeMounts } from '../namespace.js'
import { setUpNodeNetwork } from '../node-network.js'
import { createPodNetwork, podNetnsName } from '../pod-network.js'

// Only pod-a listens on its loopback: no other namespace may reach it.
const serve = (name: string) =>
  `const h=require('http');h.createServer((q,r)=>r.end('${name}')).listen(8080,'0.0.0.0');` +
  (name === 'pod-a' ? `require('net').createServer((s)=>s.end('secret-${name}')).listen(9090,'127.0.0.1')` : '')

/** HTTP GET from the namespace this process is in; the body, or the error code. */
async function get(url: string): Promise<string> {
  try {
    return await (await fetch(url, { signal: AbortSignal.timeout(1000) })).text()
  } catch (err) {
    return `error: ${(err as { cause?: { code?: string } }).cause?.code ?? String(err)}`
  }
}

/** From pod `netns`, what a TCP connection to 127.0.0.1:9090 answers. */
function loopbackFrom(netns: string): string {
  const js = "const s=require('net').connect(9090,'127.0.0.1');let d='';s.on('data',(b)=>d+=b);" +
    "s.on('end',()=>console.log(d));s.on('error',(e)=>console.log(e.code))"
  return execFileSync('nsenter', [`--net=/run/netns/${netns}`, process.execPath, '-e', js]).toString().trim()
}

const waitForPort = (ip: string, port: number) => new Promise<void>((resolve, reject) => {
  const deadline = Date.now() + 5000
  const attempt = () => {
    const s = connect(port, ip)
    s.on('connect', () => { s.destroy(); resolve() })
    s.on('error', () => (Date.now() > deadline ? reject(new Error(`${ip}:${port} never listened`)) : setTimeout(attempt, 20)))
  }
  attempt()
})

const result: Record<string, unknown> = {}
await prepareNodeMounts()
const node = await setUpNodeNetwork({ podCIDR: '10.244.7.0/24', serviceCIDR: '10.96.0.0/12' })
const pods = createPodNetwork({ podCIDR: '10.244.7.0/24' })
result.nodeIP = node.nodeIP
const t0 = performance.now()
const a = await pods.setUp('pod-a', 'a')
const b = await pods.setUp('pod-b', 'b')
result.setUpMsPerPod = (performance.now() - t0) / 2
result.ips = [a.ip, b.ip]
const servers = [['pod-a', a], ['pod-b', b]].map(([uid]) =>
  spawn('nsenter', [`--net=/run/netns/${podNetnsName(uid as string)}`, process.execPath, '-e', serve(uid as string)], { stdio: 'inherit' }))
try {
  await Promise.all([waitForPort(a.ip, 8080), waitForPort(b.ip, 8080)])
  result.fromNode = [await get(`http://${a.ip}:8080/`), await get(`http://${b.ip}:8080/`)]
  result.loopbackFromB = loopbackFrom(podNetnsName('pod-b'))
  result.loopbackFromA = loopbackFrom(podNetnsName('pod-a'))
  result.serviceRange = await get('http://10.96.0.1:80/')
} finally {
  for (const s of servers) s.kill('SIGKILL')
}
await pods.tearDown('pod-a')
await pods.tearDown('pod-b')
await pods.tearDown('pod-b') // idempotent
result.netnsAfter = execFileSync('ip', ['netns', 'list']).toString().trim()
result.linksAfter = execFileSync('ip', ['-o', 'link']).toString().trim().split('\n').map((l) => l.split(':')[1]!.trim())
result.ipAfterRelease = (await pods.setUp('pod-c', 'c')).ip
await pods.tearDown('pod-c')
await node.teardown()
console.log(JSON.stringify(result))
