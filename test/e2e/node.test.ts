/**
 * End-to-end: the node agent embedded in `kubelite server` runs real pods — processes in their
 * own namespaces with their own IPs — driven by the real kubectl. Runs as root here; see
 * node-rootless.test.ts for the same core as an unprivileged user.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { poll, startCluster, type Cluster } from './harness.js'
import { containerStatus, eventsOf, inNode, isRunningReady, leftovers, pod, waitNodeReady, waitPod } from './node-helpers.js'
import { yamlOf } from './workloads-helpers.js'

const skipReason = process.getuid?.() !== 0 ? 'needs root (the rootless suite covers ordinary users)' : undefined

describe('node agent: real pods', { skip: skipReason, timeout: 600_000 }, () => {
  let c: Cluster
  let dataDir: string
  before(async () => {
    c = await startCluster({ agent: true, extraArgs: ['--image-fallback', 'host'] })
    dataDir = c.dataDir
    await waitNodeReady(c)
  })
  after(async () => {
    await c?.stop()
  })

  it('registers a Ready node with machine capacity and a Pod CIDR', async () => {
    const out = await c.ok(['get', 'nodes', '-o', 'wide'])
    assert.match(out, /\sReady\s/)
    assert.match(out, /kubelite:\/\//)
    const node = JSON.parse(await c.ok(['get', 'nodes', '-o', 'json'])).items[0]
    assert.match(node.spec.podCIDR, /^10\.244\.\d+\.0\/24$/)
    assert.equal(node.status.capacity.pods, '110')
    assert.deepEqual(node.status.conditions.map((x: { type: string }) => x.type).sort(),
      ['DiskPressure', 'MemoryPressure', 'NetworkUnavailable', 'PIDPressure', 'Ready'])
    const lease = JSON.parse(await c.ok(['get', 'lease', '-n', 'kube-node-lease', node.metadata.name, '-o', 'json']))
    assert.equal(lease.spec.holderIdentity, node.metadata.name)
    const events = await poll('the node events', async () => {
      const e = await eventsOf(c, node.metadata.name)
      return e.some((x) => x.startsWith('Normal NodeReady')) ? e : undefined
    }, 10_000, 200)
    assert.ok(events.includes('Normal Starting Starting kubelet.'), events.join('\n'))
    assert.ok(events.includes(`Normal NodeHasSufficientMemory Node ${node.metadata.name} status is now: NodeHasSufficientMemory`), events.join('\n'))
  })

  it('runs two HTTP replicas, each on its own pod IP, reachable from the node', async () => {
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: web}',
      'spec:', '  replicas: 2', '  selector: {matchLabels: {app: web}}',
      '  template:', '    metadata: {labels: {app: web}}',
      '    spec:', '      containers:', '      - name: web', '        image: python:3',
      '        command: [python3, -c, "import http.server,socket\\nclass H(http.server.BaseHTTPRequestHandler):\\n  def do_GET(s):\\n    s.send_response(200); s.end_headers(); s.wfile.write(socket.gethostname().encode())\\nhttp.server.HTTPServer((\'0.0.0.0\',8080),H).serve_forever()"]',
      '        ports: [{containerPort: 8080}]',
      '        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}',
    ]) })
    await c.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'])
    const pods = JSON.parse(await c.ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items
    assert.equal(pods.length, 2)
    const ips = pods.map((p: { status: { podIP: string } }) => p.status!.podIP)
    assert.notEqual(ips[0], ips[1])
    for (const p of pods) {
      const r = inNode(c, ['curl', '-s', '--max-time', '5', `http://${p.status!.podIP}:8080/`])
      assert.equal(r.stdout, p.metadata.name, r.stderr)
    }
  })

  it('lets two containers of one pod talk over localhost, and hides other processes', async () => {
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: duo}', 'spec:', '  containers:',
      '  - name: server', '    image: python:3', '    command: [python3, -m, http.server, "9000", --directory, /etc]',
      '  - name: client', '    image: busybox', '    command: [sh, -c, "sleep 3600"]',
    ]) })
    await waitPod(c, 'duo', isRunningReady)
    const body = await poll('the server over localhost', async () => {
      const r = await c.kubectl(['exec', 'duo', '-c', 'client', '--', 'curl', '-s', 'http://127.0.0.1:9000/hostname'])
      return r.code === 0 && r.stdout ? r.stdout : undefined
    }, 15_000, 300)
    assert.equal(body.trim(), 'duo')
    const procs = await c.ok(['exec', 'duo', '-c', 'client', '--', 'sh', '-c', 'ls /proc | grep -E "^[0-9]+$" | wc -l'])
    assert.ok(Number(procs.trim()) < 10, `a container should see only its own few processes, saw ${procs.trim()}`)
    const serverPid = String(c.process.pid)
    const r = await c.kubectl(['exec', 'duo', '-c', 'client', '--', 'test', '-e', `/proc/${serverPid}/cmdline`])
    // PID numbers may coincide inside; what must not be visible is the host's process itself.
    if (r.code === 0) {
      const cmd = await c.ok(['exec', 'duo', '-c', 'client', '--', 'cat', `/proc/${serverPid}/cmdline`])
      assert.ok(!cmd.includes('server'), 'the host server process is visible in the container')
    }
    const hostname = await c.ok(['exec', 'duo', '-c', 'client', '--', 'hostname'])
    assert.equal(hostname.trim(), 'duo')
  })

  it('gives env from ConfigMaps, Secrets and the downward API, and fails a missing key with CreateContainerConfigError', async () => {
    await c.ok(['create', 'configmap', 'cfg', '--from-literal=color=blue', '--from-literal=size=large'])
    await c.ok(['create', 'secret', 'generic', 'sec', '--from-literal=password=s3cret'])
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: envy, labels: {tier: backend}}', 'spec:', '  containers:',
      '  - name: app', '    image: busybox', '    command: [sh, -c, "sleep 3600"]',
      '    resources: {limits: {memory: 64Mi, cpu: 500m}}',
      '    envFrom: [{prefix: CFG_, configMapRef: {name: cfg}}]',
      '    env:',
      '    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: sec, key: password}}}',
      '    - {name: COLOR, valueFrom: {configMapKeyRef: {name: cfg, key: color}}}',
      '    - {name: MY_POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}',
      '    - {name: MY_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}',
      '    - {name: MEM, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}',
      '    - {name: GREETING, value: "$(COLOR) sky"}',
      '    volumeMounts:', '    - {name: cfg, mountPath: /etc/cfg}', '    - {name: info, mountPath: /etc/info}',
      '  volumes:',
      '  - {name: cfg, configMap: {name: cfg, defaultMode: 0400}}',
      '  - name: info', '    downwardAPI:', '      items:',
      '      - {path: labels, fieldRef: {fieldPath: metadata.labels}}',
      '      - {path: cpu_limit, resourceFieldRef: {containerName: app, resource: limits.cpu, divisor: 1m}}',
    ]) })
    const p = await waitPod(c, 'envy', isRunningReady)
    const env = await c.ok(['exec', 'envy', '--', 'env'])
    for (const line of ['CFG_color=blue', 'CFG_size=large', 'PASSWORD=s3cret', 'COLOR=blue', 'MY_POD=envy', `MY_IP=${p.status!.podIP}`, 'MEM=64', 'GREETING=blue sky']) {
      assert.ok(env.split('\n').includes(line), `missing ${line} in\n${env}`)
    }
    assert.match(env, /KUBERNETES_SERVICE_HOST=10\.96\.0\.1/)
    assert.equal((await c.ok(['exec', 'envy', '--', 'cat', '/etc/info/labels'])).trim(), 'tier="backend"')
    assert.equal((await c.ok(['exec', 'envy', '--', 'cat', '/etc/info/cpu_limit'])).trim(), '500')
    assert.equal((await c.ok(['exec', 'envy', '--', 'stat', '-L', '-c', '%a', '/etc/cfg/color'])).trim(), '400')
    assert.equal((await c.ok(['exec', 'envy', '--', 'cat', '/etc/cfg/color'])), 'blue')

    // A mounted ConfigMap follows its object within seconds.
    const t0 = Date.now()
    await c.ok(['create', 'configmap', 'cfg', '--from-literal=color=green', '--from-literal=size=large', '--dry-run=client', '-o', 'yaml'])
      .then((y) => c.ok(['apply', '-f', '-'], { input: y }))
    await poll('the new color in the volume', async () =>
      (await c.kubectl(['exec', 'envy', '--', 'cat', '/etc/cfg/color'])).stdout === 'green' ? true : undefined, 5_000, 200)
    assert.ok(Date.now() - t0 < 5_000)

    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: nokey}', 'spec:', '  containers:',
      '  - name: app', '    image: busybox', '    command: [sleep, "3600"]',
      '    env: [{name: X, valueFrom: {configMapKeyRef: {name: cfg, key: nope}}}]',
    ]) })
    const bad = await waitPod(c, 'nokey', (q) => containerStatus(q, 'app')?.state?.waiting?.reason === 'CreateContainerConfigError')
    assert.match(containerStatus(bad, 'app').state.waiting.message, /couldn't find key nope in ConfigMap default\/cfg/)
    assert.match(await c.ok(['get', 'pod', 'nokey']), /CreateContainerConfigError/)
  })

  it('serves logs (-f, --tail, -c, --previous) and restarts a crashing container with back-off', async () => {
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: crasher}', 'spec:', '  containers:',
      '  - name: app', '    image: busybox', '    command: [sh, -c, "for i in 1 2 3; do echo line $i; done; echo bye >&2; exit 3"]',
      '  - name: side', '    image: busybox', '    command: [sh, -c, "echo side up; sleep 3600"]',
      '---',
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: typo}', 'spec:', '  containers:',
      '  - {name: app, image: busybox, command: [nosuchcommand]}',
    ]) })
    const p = await waitPod(c, 'crasher', (q) => (containerStatus(q, 'app')?.restartCount ?? 0) >= 1 &&
      containerStatus(q, 'app')?.state?.waiting?.reason === 'CrashLoopBackOff', 40_000)
    const st = containerStatus(p, 'app')
    assert.equal(st.lastState.terminated.exitCode, 3)
    assert.equal(st.lastState.terminated.reason, 'Error')
    assert.match(st.state.waiting.message, /back-off \d+s restarting failed container=app pod=crasher_default\(/)
    assert.equal(await c.ok(['logs', 'crasher', '-c', 'app', '--previous']), 'line 1\nline 2\nline 3\nbye\n')
    assert.equal(await c.ok(['logs', 'crasher', '-c', 'app', '--previous', '--tail=1']), 'bye\n')
    assert.equal(await c.ok(['logs', 'crasher', '-c', 'side']), 'side up\n')
    // A command that is not there: the run ends at once with StartError and exit code 128.
    const typo = await waitPod(c, 'typo', (q) => containerStatus(q, 'app')?.lastState?.terminated?.reason === 'StartError')
    assert.equal(containerStatus(typo, 'app').lastState.terminated.exitCode, 128)
    assert.match(containerStatus(typo, 'app').lastState.terminated.message, /exec: "nosuchcommand": executable file not found in \$PATH/)
    const events = await eventsOf(c, 'crasher')
    assert.ok(events.some((e) => /^Warning BackOff Back-off restarting failed container app in pod crasher_default\(/.test(e)), events.join('\n'))

    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: ticker}', 'spec:', '  containers:',
      '  - name: app', '    image: busybox', '    command: [sh, -c, "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done"]',
    ]) })
    await waitPod(c, 'ticker', isRunningReady)
    const follow = await c.kubectl(['logs', '-f', 'ticker', '--tail=2'], { timeoutMs: 1500 })
    const lines = follow.stdout.trim().split('\n')
    assert.ok(lines.length >= 4, `follow should keep streaming: ${follow.stdout}`)
    assert.match(lines[0]!, /^tick \d+$/)
  })

  it('restarts a container whose exec liveness probe fails (the documented example), with Unhealthy events', async () => {
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: liveness-exec, labels: {test: liveness}}', 'spec:', '  containers:',
      '  - name: liveness', '    image: registry.k8s.io/busybox',
      '    args: [/bin/sh, -c, "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"]',
      '    livenessProbe:', '      exec: {command: [cat, /tmp/healthy]}', '      initialDelaySeconds: 5', '      periodSeconds: 5',
      '---',
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: liveness-http}', 'spec:', '  containers:',
      '  - name: liveness', '    image: python:3',
      '    command: [python3, -c, "import http.server,time\\nt=time.time()\\nclass H(http.server.BaseHTTPRequestHandler):\\n  def do_GET(s):\\n    s.send_response(200 if time.time()-t<10 else 500); s.end_headers()\\nhttp.server.HTTPServer((\'0.0.0.0\',8080),H).serve_forever()"]',
      '    livenessProbe: {httpGet: {path: /healthz, port: 8080}, initialDelaySeconds: 3, periodSeconds: 3}',
      '---',
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: readiness-tcp}', 'spec:', '  containers:',
      '  - name: app', '    image: python:3', '    command: [sh, -c, "sleep 4; exec python3 -m http.server 8080"]',
      '    readinessProbe: {tcpSocket: {port: 8080}, initialDelaySeconds: 1, periodSeconds: 1}',
    ]) })
    // Readiness flips the Ready condition once the port opens.
    const notYet = await waitPod(c, 'readiness-tcp', (q) => q.status?.phase === 'Running', 20_000)
    assert.ok(!isRunningReady(notYet), 'ready before its port opened')
    await waitPod(c, 'readiness-tcp', isRunningReady, 20_000)
    // httpGet liveness fails after 10 s: restarted.
    await waitPod(c, 'liveness-http', (q) => (containerStatus(q, 'liveness')?.restartCount ?? 0) >= 1, 40_000)
    const httpEvents = await eventsOf(c, 'liveness-http')
    assert.ok(httpEvents.some((e) => e.startsWith('Warning Unhealthy Liveness probe failed: HTTP probe failed with statuscode: 500')), httpEvents.join('\n'))
    // exec liveness: healthy 30 s, then three failures 5 s apart.
    const p = await waitPod(c, 'liveness-exec', (q) => (containerStatus(q, 'liveness')?.restartCount ?? 0) >= 1, 90_000)
    assert.ok(containerStatus(p, 'liveness').restartCount >= 1)
    const events = await eventsOf(c, 'liveness-exec')
    assert.ok(events.some((e) => /^Warning Unhealthy Liveness probe failed: cat: .*\/tmp\/healthy.*No such file or directory/.test(e)), events.join('\n'))
    assert.ok(events.some((e) => e === 'Normal Killing Container liveness failed liveness probe, will be restarted'), events.join('\n'))
  })

  it('execs with a TTY, copies files both ways and forwards a port', async () => {
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: tools}', 'spec:', '  containers:',
      '  - name: app', '    image: python:3', '    command: [python3, -m, http.server, "8080", --directory, /tmp]',
    ]) })
    await waitPod(c, 'tools', isRunningReady)
    const scratch = mkdtempSync(join(tmpdir(), 'kubelite-cp-'))
    try {
      writeFileSync(join(scratch, 'up.txt'), 'hello pod\n')
      await c.ok(['cp', join(scratch, 'up.txt'), 'tools:/tmp/up.txt'])
      assert.equal(await c.ok(['exec', 'tools', '--', 'cat', '/tmp/up.txt']), 'hello pod\n')
      await c.ok(['cp', 'tools:/tmp/up.txt', join(scratch, 'down.txt')])
      assert.equal(readFileSync(join(scratch, 'down.txt'), 'utf8'), 'hello pod\n')

      const code = await c.kubectl(['exec', 'tools', '--', 'sh', '-c', 'exit 3'])
      assert.equal(code.code, 3)
      assert.match(code.stderr, /command terminated with exit code 3/)

      // A TTY through tmux: the shell sees a terminal. Its own server socket in the scratch
      // directory, so nothing is left in /tmp/tmux-UID when the test ends.
      const session = `kl-${process.pid}`
      const tmux = (...args: string[]) => spawnSync('tmux', ['-S', join(scratch, 'tmux.sock'), ...args], { encoding: 'utf8' })
      const env = `HOME=${c.home} KUBECONFIG=${c.kubeconfig}`
      tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', `env ${env} kubectl exec -it tools -- sh`)
      try {
        await new Promise((r) => setTimeout(r, 1500))
        tmux('send-keys', '-t', session, 'tty; echo cols=$(stty size)', 'Enter')
        const screen = await poll('the tty answer', () => {
          const s = tmux('capture-pane', '-p', '-t', session).stdout
          return /cols=30 120/.test(s) ? s : undefined
        }, 10_000, 200)
        assert.match(screen, /\/dev\/pts\/\d+/)
      } finally {
        tmux('kill-server')
      }

      // port-forward serves traffic from 127.0.0.1 to the pod.
      const pf = c.kubectl(['port-forward', 'pod/tools', '18080:8080'], { timeoutMs: 8_000 })
      const body = await poll('the forwarded port', () => {
        const r = spawnSync('curl', ['-s', '--max-time', '2', 'http://127.0.0.1:18080/up.txt'], { encoding: 'utf8' })
        return r.status === 0 && r.stdout ? r.stdout : undefined
      }, 7_000, 200)
      assert.equal(body, 'hello pod\n')
      await pf
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  })

  it('reports usage for kubectl top pod and top node', async () => {
    const out = await poll('kubectl top pod', async () => {
      const r = await c.kubectl(['top', 'pod', 'tools'])
      return r.code === 0 ? r.stdout : undefined
    }, 40_000, 1000)
    assert.match(out, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\ntools\s+\d+m\s+\d+Mi/)
    const node = await c.ok(['top', 'node'])
    assert.match(node, /CPU\(?%\)?/)
  })

  it('OOM-kills a container over its memory limit, and gives a SIGTERM-trapping container its preStop hook and grace period', async () => {
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: hog}', 'spec:', '  restartPolicy: Never', '  containers:',
      '  - name: app', '    image: python:3', '    command: [python3, -c, "b = bytearray(200*1024*1024); import time; time.sleep(60)"]',
      '    resources: {limits: {memory: 50Mi}}',
      '---',
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: graceful}', 'spec:', '  terminationGracePeriodSeconds: 3', '  containers:',
      '  - name: app', '    image: busybox',
      '    command: [sh, -c, "trap \'echo got TERM >> /tmp/trace\' TERM; while true; do sleep 0.1; done"]',
      '    lifecycle: {preStop: {exec: {command: [sh, -c, "echo prestop >> /tmp/trace"]}}}',
    ]) })
    const node = JSON.parse(await c.ok(['get', 'nodes', '-o', 'json'])).items[0]
    const cgroupsEnforced = !node.status.conditions.some((x: { type: string }) => x.type === 'PodIsolation')
    if (cgroupsEnforced) {
      const hog = await waitPod(c, 'hog', (q) => containerStatus(q, 'app')?.state?.terminated, 30_000)
      assert.equal(containerStatus(hog, 'app').state.terminated.reason, 'OOMKilled')
      assert.equal(containerStatus(hog, 'app').state.terminated.exitCode, 137)
    }
    await waitPod(c, 'graceful', isRunningReady)
    const t0 = Date.now()
    const del = c.kubectl(['delete', 'pod', 'graceful', '--wait=true'])
    await poll('the trace', async () => {
      const r = await c.kubectl(['exec', 'graceful', '--', 'cat', '/tmp/trace'])
      return /prestop\ngot TERM/.test(r.stdout) ? r.stdout : undefined
    }, 10_000, 100)
    assert.equal((await del).code, 0)
    const took = Date.now() - t0
    assert.ok(took >= 2_500, `deleted after ${took} ms: the grace period was not waited out`)
    const events = await eventsOf(c, 'graceful')
    assert.ok(events.includes('Normal Killing Stopping container app'), events.join('\n'))
  })

  it('leaves no process, mount or namespace behind when the server stops', async () => {
    assert.ok(pod, 'helper imported')
    const ipNetnsBefore = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout
    const linksBefore = spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout.split('\n').length
    await c.stop()
    assert.deepEqual(leftovers(dataDir), [])
    assert.equal(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout, ipNetnsBefore)
    assert.equal(spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout.split('\n').length, linksBefore)
  })
})
