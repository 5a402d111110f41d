/**
 * End-to-end: Services, cluster DNS and the host relays on a real node, driven by the real
 * kubectl. The same core runs on both data paths: nftables (where `nft` works) and the
 * userspace proxy.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import dgram from 'node:dgram'
import dnsPacket from 'dns-packet'
import { poll, startCluster, CLI, type Cluster } from './harness.js'
import { clientPod, echoDeployment, hostCurl } from './network-helpers.js'
import { inNode, isRunningReady, waitNodeReady, waitPod } from './node-helpers.js'
import { yamlOf } from './workloads-helpers.js'

const root = process.getuid?.() === 0
const hasNft = spawnSync('nft', ['--version']).status === 0
const modes: Array<{ mode: 'nftables' | 'userspace'; skip?: string }> = [
  { mode: 'nftables', skip: !root ? 'needs root' : !hasNft ? 'nft is not installed (apt-get install nftables)' : undefined },
  { mode: 'userspace', skip: !root ? 'needs root' : undefined },
]

/** Runs a shell command in the client pod. */
async function inPod(c: Cluster, cmd: string, podName = 'client') {
  return c.kubectl(['exec', podName, '--', 'sh', '-c', cmd], { timeoutMs: 20_000 })
}

/** A resolver of our own on 127.0.0.1 (never the machine's): every A query gets 192.0.2.10. */
async function fakeUpstream(): Promise<{ port: number; queries: string[]; close(): void }> {
  const sock = dgram.createSocket('udp4')
  const queries: string[] = []
  sock.on('message', (msg, from) => {
    const q = dnsPacket.decode(msg)
    const name = q.questions?.[0]?.name ?? ''
    queries.push(name)
    const answer = dnsPacket.encode({
      type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: q.questions,
      answers: q.questions?.[0]?.type === 'A' ? [{ type: 'A', name, ttl: 60, data: '192.0.2.10' }] : [],
    })
    sock.send(answer, from.port, from.address)
  })
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r))
  return { port: sock.address().port, queries, close: () => sock.close() }
}

for (const { mode, skip } of modes) {
  describe(`cluster networking (${mode} proxy)`, { skip, timeout: 600_000 }, () => {
    let c: Cluster
    let upstream: Awaited<ReturnType<typeof fakeUpstream>>
    before(async () => {
      upstream = await fakeUpstream()
      c = await startCluster({ agent: true, extraArgs: ['--image-fallback', 'host', '--proxy-mode', mode, '--ingress-http-port', '0', '--ingress-https-port', '0',
        '--dns-upstream', `127.0.0.1:${upstream.port}`] })
      await waitNodeReady(c)
      await poll('the proxy to start', () => (c.output().includes(`Services: ${mode} proxy`) ? true : undefined), 30_000, 100)
    })
    after(async () => {
      await c?.stop()
      upstream?.close()
    })

    it('reaches a Service by DNS name, by its environment variables and by its ClusterIP', async () => {
      await c.ok(['apply', '-f', '-'], { input: echoDeployment('auth', 2) })
      await c.ok(['apply', '-f', '-'], { input: yamlOf([
        'apiVersion: v1', 'kind: Service', 'metadata: {name: auth-service}',
        'spec: {selector: {app: auth}, ports: [{name: http, port: 80, targetPort: http}]}',
      ]) })
      await c.ok(['rollout', 'status', 'deployment/auth', '--timeout=60s'])
      // Created after the Service, so the kubelet gives it AUTH_SERVICE_SERVICE_HOST.
      await c.ok(['apply', '-f', '-'], { input: clientPod() })
      await waitPod(c, 'client', isRunningReady)
      const ip = await c.ok(['get', 'svc', 'auth-service', '-o', 'jsonpath={.spec.clusterIP}'])
      const served = new Set<string>()
      for (const url of ['http://auth-service.default/api', 'http://auth-service/api', 'http://auth-service.default.svc.cluster.local/api',
        'http://$AUTH_SERVICE_SERVICE_HOST:$AUTH_SERVICE_SERVICE_PORT/api', `http://${ip}/api`]) {
        const r = await inPod(c, `curl -sS --max-time 5 ${url}`)
        assert.equal(r.code, 0, `${url}: ${r.stderr}`)
        assert.match(r.stdout, /^auth-[a-z0-9]+-[a-z0-9]+ \/api$/, url)
        served.add(r.stdout.split(' ')[0]!)
      }
      // Both replicas answer through the one address.
      for (let i = 0; i < 30 && served.size < 2; i++) served.add((await inPod(c, `curl -sS --max-time 5 http://${ip}/`)).stdout.split(' ')[0]!)
      assert.equal(served.size, 2, [...served].join(','))
      const env = await inPod(c, 'echo $AUTH_SERVICE_SERVICE_HOST:$AUTH_SERVICE_PORT')
      assert.equal(env.stdout.trim(), `${ip}:tcp://${ip}:80`)
    })

    it('resolves Services, headless Services, StatefulSet pods, ExternalNames and SRV records inside a pod', async () => {
      await c.ok(['apply', '-f', '-'], { input: yamlOf([
        'apiVersion: v1', 'kind: Service', 'metadata: {name: web}',
        'spec: {clusterIP: None, selector: {app: web}, ports: [{name: http, port: 8080}]}',
        '---',
        'apiVersion: apps/v1', 'kind: StatefulSet', 'metadata: {name: web}',
        'spec:', '  serviceName: web', '  replicas: 2', '  selector: {matchLabels: {app: web}}',
        '  template:', '    metadata: {labels: {app: web}}',
        '    spec:', '      terminationGracePeriodSeconds: 1', '      containers:', '      - name: web', '        image: python:3',
        '        command: [python3, -m, http.server, "8080"]', '        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}',
        '---',
        'apiVersion: v1', 'kind: Service', 'metadata: {name: auth-alias}',
        'spec: {type: ExternalName, externalName: auth-service.default.svc.cluster.local}',
      ]) })
      await c.ok(['rollout', 'status', 'statefulset/web', '--timeout=60s'])
      const podIPs = JSON.parse(await c.ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items
        .map((p: { metadata: { name: string }; status: { podIP: string } }) => [p.metadata.name, p.status.podIP])
      const ipOf = Object.fromEntries(podIPs) as Record<string, string>
      const headless = await poll('the headless Service', async () => {
        const r = await inPod(c, 'getent ahostsv4 web.default.svc.cluster.local | cut -d" " -f1 | sort -u')
        const got = r.stdout.trim().split('\n').filter(Boolean)
        return got.length === 2 ? got : undefined
      }, 20_000, 300)
      assert.deepEqual(headless.sort(), Object.values(ipOf).sort())
      const web0 = await inPod(c, 'getent hosts web-0.web.default.svc.cluster.local')
      assert.equal(web0.stdout.trim().split(/\s+/)[0], ipOf['web-0'], web0.stderr)
      const web1 = await inPod(c, 'getent hosts web-1.web')
      assert.equal(web1.stdout.trim().split(/\s+/)[0], ipOf['web-1'], web1.stderr)
      const authIP = await c.ok(['get', 'svc', 'auth-service', '-o', 'jsonpath={.spec.clusterIP}'])
      const alias = await inPod(c, 'getent hosts auth-alias')
      assert.equal(alias.stdout.trim().split(/\s+/)[0], authIP, alias.stderr)
      const cname = await inPod(c, 'dig +short auth-alias.default.svc.cluster.local')
      assert.deepEqual(cname.stdout.trim().split('\n'), ['auth-service.default.svc.cluster.local.', authIP])
      const srv = await inPod(c, 'dig +short SRV _http._tcp.auth-service.default.svc.cluster.local')
      assert.match(srv.stdout.trim(), /^0 100 80 auth-service\.default\.svc\.cluster\.local\.$/)
      const ptr = await inPod(c, `dig +short -x ${authIP}`)
      assert.equal(ptr.stdout.trim(), 'auth-service.default.svc.cluster.local.')
      const nx = await inPod(c, 'dig nosuch.default.svc.cluster.local | grep -o "status: [A-Z]*"')
      assert.equal(nx.stdout.trim(), 'status: NXDOMAIN')
      const nodata = await inPod(c, 'dig AAAA auth-service.default.svc.cluster.local | grep -E -o "status: [A-Z]*|ANSWER: [0-9]+"')
      assert.deepEqual(nodata.stdout.trim().split('\n'), ['status: NOERROR', 'ANSWER: 0'])
    })

    it('forwards names outside the cluster to --dns-upstream, through the host', async () => {
      await waitPod(c, 'client', isRunningReady)
      const r = await inPod(c, 'dig +short example.test')
      assert.equal(r.stdout.trim(), '192.0.2.10', r.stderr)
      assert.ok(upstream.queries.includes('example.test'), upstream.queries.join(','))
      // A cluster name never leaves the node.
      await inPod(c, 'dig +short auth-service.default.svc.cluster.local')
      assert.ok(!upstream.queries.some((q) => q.endsWith('cluster.local')), upstream.queries.join(','))
    })

    it('gives a LoadBalancer its address at once and relays it, and a NodePort, on the host', async () => {
      await c.ok(['apply', '-f', '-'], { input: echoDeployment('front', 3) })
      await c.ok(['apply', '-f', '-'], { input: yamlOf([
        'apiVersion: v1', 'kind: Service', 'metadata: {name: front}',
        'spec: {type: LoadBalancer, selector: {app: front}, ports: [{port: 80, targetPort: 8080}]}',
      ]) })
      const table = await c.ok(['get', 'svc', 'front'])
      assert.match(table, /front\s+LoadBalancer\s+10\.\d+\.\d+\.\d+\s+127\.0\.1\.\d+\s+80:3\d{4}\/TCP/)
      const lb = await c.ok(['get', 'svc', 'front', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])
      assert.match(lb, /^127\.0\.1\.\d+$/)
      await c.ok(['rollout', 'status', 'deployment/front', '--timeout=60s'])
      const seen = new Set<string>()
      await poll('all 3 replicas through the load-balancer address', () => {
        const r = hostCurl(`http://${lb}/`)
        if (r.code === 0) seen.add(r.body.split(' ')[0]!)
        return seen.size === 3 ? true : undefined
      }, 20_000, 50)
      const nodePort = await c.ok(['get', 'svc', 'front', '-o', 'jsonpath={.spec.ports[0].nodePort}'])
      const viaNodePort = await poll('the NodePort on 127.0.0.1', () => {
        const r = hostCurl(`http://127.0.0.1:${nodePort}/np`)
        return r.code === 0 ? r.body : undefined
      }, 10_000, 100)
      assert.match(viaNodePort, /^front-\S+ \/np$/)
      const urls = spawnSync(process.execPath, [CLI, 'service', 'front', '--url', '--kubeconfig', c.kubeconfig], { encoding: 'utf8' })
      assert.equal(urls.status, 0, urls.stderr)
      assert.equal(urls.stdout, `http://${lb}\n`)
      // Two LoadBalancers on the same port get their own addresses; a requested address is honoured.
      await c.ok(['apply', '-f', '-'], { input: yamlOf([
        'apiVersion: v1', 'kind: Service', 'metadata: {name: front2}',
        'spec: {type: LoadBalancer, loadBalancerIP: 127.0.1.77, selector: {app: front}, ports: [{port: 80, targetPort: 8080}]}',
      ]) })
      assert.equal(await c.ok(['get', 'svc', 'front2', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']), '127.0.1.77')
      await poll('the second LoadBalancer', () => (hostCurl('http://127.0.1.77/').code === 0 ? true : undefined), 10_000, 100)
      const clusterIPOnly = spawnSync(process.execPath, [CLI, 'service', 'auth-service', '--kubeconfig', c.kubeconfig], { encoding: 'utf8' })
      assert.equal(clusterIPOnly.status, 1)
      assert.match(clusterIPOnly.stderr, /has no address on this machine: it is of type ClusterIP/)
    })

    it('takes a pod that fails readiness out of rotation and back, and adds endpoints on scale-up', async () => {
      await c.ok(['apply', '-f', '-'], { input: echoDeployment('flaky', 2, 8080, [
        '        readinessProbe: {exec: {command: [sh, -c, "test ! -e /tmp/unready"]}, periodSeconds: 1, failureThreshold: 1}',
      ]) })
      await c.ok(['apply', '-f', '-'], { input: yamlOf([
        'apiVersion: v1', 'kind: Service', 'metadata: {name: flaky}', 'spec: {selector: {app: flaky}, ports: [{port: 80, targetPort: 8080}]}',
      ]) })
      await c.ok(['rollout', 'status', 'deployment/flaky', '--timeout=60s'])
      const ip = await c.ok(['get', 'svc', 'flaky', '-o', 'jsonpath={.spec.clusterIP}'])
      const pods: string[] = JSON.parse(await c.ok(['get', 'pods', '-l', 'app=flaky', '-o', 'json'])).items.map((p: { metadata: { name: string } }) => p.metadata.name)
      const servedBy = async (n: number) => {
        const r = await inPod(c, `for i in $(seq ${n}); do curl -s --max-time 2 http://${ip}/; echo; done`)
        return new Set(r.stdout.split('\n').filter(Boolean).map((l) => l.split(' ')[0]))
      }
      await c.ok(['exec', pods[0]!, '--', 'touch', '/tmp/unready'])
      await poll(`${pods[0]} out of rotation`, async () => {
        const s = await servedBy(10)
        return s.size === 1 && s.has(pods[1]!) ? true : undefined
      }, 10_000, 200)
      await c.ok(['exec', pods[0]!, '--', 'rm', '/tmp/unready'])
      await poll(`${pods[0]} back in rotation`, async () => ((await servedBy(10)).has(pods[0]!) ? true : undefined), 10_000, 200)
      await c.ok(['scale', 'deployment/flaky', '--replicas=3'])
      await c.ok(['rollout', 'status', 'deployment/flaky', '--timeout=60s'])
      await poll('3 endpoints serving', async () => ((await servedBy(20)).size === 3 ? true : undefined), 15_000, 200)
    })

    it('reaches a server on the node through a selector-less Service with hand-made Endpoints', async () => {
      const nodeIP = JSON.parse(await c.ok(['get', 'nodes', '-o', 'json'])).items[0].status.addresses
        .find((a: { type: string }) => a.type === 'InternalIP').address
      const pid = (await import('./node-helpers.js')).agentPid(c)!
      // "The database outside the cluster": a plain process in the node's network namespace.
      const db = spawn('nsenter', ['-t', String(pid), '-n', 'python3', '-m', 'http.server', '15432', '--bind', nodeIP], { stdio: 'ignore' })
      try {
        await c.ok(['apply', '-f', '-'], { input: yamlOf([
          'apiVersion: v1', 'kind: Service', 'metadata: {name: database}', 'spec: {ports: [{port: 5432, targetPort: 15432}]}',
          '---',
          'apiVersion: v1', 'kind: Endpoints', 'metadata: {name: database}',
          `subsets: [{addresses: [{ip: "${nodeIP}"}], ports: [{port: 15432}]}]`,
        ]) })
        const r = await poll('the database through its Service', async () => {
          const x = await inPod(c, 'curl -s -o /dev/null -w "%{http_code}" --max-time 3 http://database:5432/')
          return x.stdout === '200' ? x.stdout : undefined
        }, 15_000, 200)
        assert.equal(r, '200')
      } finally {
        db.kill()
      }
    })

    it('fails a connection to an unallocated Service IP at once, and refuses one to a Service without endpoints', async () => {
      const r = await inPod(c, 'curl -sS --max-time 10 http://10.100.123.45/ 2>&1; echo "exit=$?"')
      assert.match(r.stdout, /No route to host|Could not connect|Couldn't connect/, r.stdout)
      assert.match(r.stdout, /exit=7/)
      await c.ok(['apply', '-f', '-'], { input: yamlOf([
        'apiVersion: v1', 'kind: Service', 'metadata: {name: empty}', 'spec: {selector: {app: none}, ports: [{port: 80}]}',
      ]) })
      const ip = await c.ok(['get', 'svc', 'empty', '-o', 'jsonpath={.spec.clusterIP}'])
      const refused = await poll('the empty Service to be programmed', async () => {
        const x = await inPod(c, `curl -sS --max-time 10 http://${ip}/ 2>&1; echo "exit=$?"`)
        return /exit=7/.test(x.stdout) ? x.stdout : undefined
      }, 10_000, 200)
      assert.match(refused, /refused|Could not connect|Couldn't connect/)
      // Nothing from the pod range went anywhere but the node: the node has no default route.
      const routes = inNode(c, ['ip', 'route', 'show', 'default'])
      assert.equal(routes.stdout.trim(), '')
    })

    it('port-forwards to a Service through the kubelet API', async () => {
      const pf = spawn('kubectl', ['port-forward', 'svc/front', '18471:80'], { env: { ...process.env, KUBECONFIG: c.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] })
      try {
        const body = await poll('port-forward svc/front', () => {
          const r = hostCurl('http://127.0.0.1:18471/pf')
          return r.code === 0 ? r.body : undefined
        }, 15_000, 200)
        assert.match(body, /^front-\S+ \/pf$/)
      } finally {
        pf.kill()
      }
    })
  })
}
