/**
 * @module
 * The node agent proper, running inside the node's namespaces (or, with the host runtime, in
 * the host's): registers the Node, waits for its Pod CIDR, sets up the node network, then runs
 * the kubelet and serves its API on a unix socket that the API server reaches. SIGTERM stops
 * every pod with its grace period and leaves nothing behind.
 */
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { createClient, createInformers, eventBroadcaster, httpTransport } from '../client/index.js'
import type { AgentFlags } from './agent-command.js'
import { caFor, defaultNodeName } from './agent-start.js'
import { packageVersion } from './defaults.js'
import {
  KUBELET_SOCKET_ANNOTATION, readMachineInfo, registerNode, startHeartbeats, waitForPodCIDR, type NodeFacts,
} from '../kubelet/nodestatus/index.js'
import type { Runtime, RuntimeInfo } from '../runtime/types.js'
import type { Cached, KubeObject } from '../api/index.js'

const log = (msg: string) => process.stderr.write(`kubelite agent: ${msg}\n`)

export async function runNode(flags: AgentFlags): Promise<void> {
  const nodeName = flags.nodeName ?? defaultNodeName()
  const agentDir = join(flags.dataDir, 'agent', nodeName)
  await mkdir(agentDir, { recursive: true, mode: 0o700 })
  const stopAll = new AbortController()

  if (flags.inNodeNamespace) {
    const { prepareNodeMounts } = await import('../network/node/namespace.js')
    await prepareNodeMounts()
  }

  const transport = httpTransport({ server: flags.server, token: flags.token, ca: await caFor(flags), socketPath: flags.apiSocket })
  const client = createClient(transport, { fieldManager: 'kubelet' })
  const machine = await readMachineInfo(flags.dataDir)
  const kubeletSocket = join(agentDir, 'kubelet.sock')
  let runtimeInfo: RuntimeInfo = {
    name: flags.runtime, version: packageVersion(),
    cgroups: { enforced: false, reason: 'not set up yet' },
  }
  let nodeIP: string | undefined
  const facts = (): NodeFacts => ({
    name: nodeName, machine, runtime: runtimeInfo, nodeIP, maxPods: flags.maxPods,
    annotations: { [KUBELET_SOCKET_ANNOTATION]: kubeletSocket },
  })
  await registerNode(client, facts(), Date.now())
  // The kubelet's node events, as upstream records them on its node reference (UID = name).
  const recorder = eventBroadcaster(client)
  const nodeRef = { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName, uid: nodeName } } as Cached<KubeObject>
  const nodeEvent = (reason: string, message = `Node ${nodeName} status is now: ${reason}`) =>
    recorder('kubelet', nodeName).event(nodeRef, 'Normal', reason, message)
  nodeEvent('Starting', 'Starting kubelet.')
  for (const reason of ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID']) nodeEvent(reason)
  const heartbeats = startHeartbeats({ client, facts })

  const podCIDR = await waitForPodCIDR(client, nodeName, stopAll.signal,
    () => log(`waiting for node ${nodeName} to get a Pod CIDR (from the node-ipam-controller)`))

  const teardown: Array<() => Promise<void>> = []
  let runtime: Runtime
  let bridge: string | undefined
  if (flags.runtime === 'host') {
    const { createHostRuntime } = await import('../runtime/host/runtime.js')
    const { createCgroupManager } = await import('../runtime/cgroups.js')
    runtime = createHostRuntime({ nodeIP: '127.0.0.1', version: packageVersion(), cgroups: await createCgroupManager({ nodeName }) })
    nodeIP = '127.0.0.1'
  } else {
    const { setUpNodeNetwork } = await import('../network/node/node-network.js')
    const { createPodNetwork } = await import('../network/node/pod-network.js')
    const { createCgroupManager } = await import('../runtime/cgroups.js')
    const { createNamespacesRuntime } = await import('../runtime/namespaces/runtime.js')
    const net = await setUpNodeNetwork({ podCIDR, serviceCIDR: flags.serviceCIDR })
    teardown.push(() => net.teardown())
    const network = createPodNetwork({ podCIDR, bridge: net.bridge })
    const cgroups = await createCgroupManager({ nodeName })
    runtime = createNamespacesRuntime({ network, cgroups, log })
    nodeIP = net.nodeIP
    bridge = net.bridge
  }
  runtimeInfo = { ...runtime.info(), version: packageVersion() }
  if (!runtimeInfo.cgroups.enforced) log(`resource limits are not enforced: ${runtimeInfo.cgroups.reason ?? 'cgroups unavailable'}`)

  const { openImageStore } = await import('../runtime/images/index.js')
  const { createVolumeManager } = await import('../kubelet/volumes/index.js')
  const { startKubelet, objectSourceFromInformers } = await import('../kubelet/index.js')
  const { startKubeletServer } = await import('../kubelet/server/index.js')

  const informers = createInformers(client)
  const objects = objectSourceFromInformers(informers)
  informers.start(stopAll.signal)
  // Pods' ConfigMaps, Secrets and Services must be known before the first pod starts.
  await informers.waitForSync(stopAll.signal)
  // Services, DNS and ingress before the first pod: its first lookup must already be answered.
  if (bridge && nodeIP) {
    const { startClusterNetworking } = await import('../network/cluster-networking.js')
    const { hostPortBroker } = await import('../network/relay/host-ports.js')
    const networking = await startClusterNetworking({
      client, informers, recorder: recorder('ingress-controller', nodeName), nodeName, nodeIP, bridge,
      apiSocket: flags.apiSocket, clusterDomain: flags.clusterDomain, clusterDNS: flags.clusterDNS,
      serviceCIDR: flags.serviceCIDR, flags, broker: hostPortBroker(), log,
    })
    teardown.push(() => networking.stop())
    log(`Services: ${networking.proxyMode} proxy; DNS at ${flags.clusterDNS}; ingress at ${networking.ingressURLs.join(', ') || 'no host port'}`)
  } else {
    log('the host runtime serves no Service IPs, cluster DNS or ingress: pods share the host network')
  }
  const rootDir = join(agentDir, 'kubelet')
  const volumes = createVolumeManager({
    rootDir, source: objects, nodeName,
    requestToken: async (ns, sa, audiences, expirationSeconds, pod) => {
      const tr = await client.createSubresource<{ status: { token: string; expirationTimestamp: string }; metadata?: object }>(
        { apiVersion: 'v1', kind: 'ServiceAccount' }, sa, ns, 'token', {
          apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
          spec: { audiences, expirationSeconds, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.name, uid: pod.uid } },
        } as never)
      return tr.status
    },
  })
  const kubelet = await startKubelet({
    client, nodeName, runtime, volumes, images: openImageStore(join(flags.dataDir, 'images')),
    imageFallback: flags.imageFallback, objects, recorder: recorder('kubelet', nodeName),
    rootDir, logDir: join(agentDir, 'logs', 'pods'),
    clusterDNS: [flags.clusterDNS], clusterDomain: flags.clusterDomain, nodeIP,
  })
  await rm(kubeletSocket, { force: true })
  const api = await startKubeletServer({ socketPath: kubeletSocket, pods: kubelet.pods, nodeName })
  await heartbeats.syncNow()
  if (runtimeInfo.cgroups.enforced) nodeEvent('NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods')
  nodeEvent('NodeReady')
  log(`node ${nodeName} is ready (pod CIDR ${podCIDR}, node IP ${nodeIP}, runtime ${runtimeInfo.name})`)

  let stoppingSince = 0
  const stop = async (signal: NodeJS.Signals) => {
    // A terminal's Ctrl-C reaches us and our launcher (which forwards it) at once: one request.
    // A signal well after the first means "now", without the pods' grace periods.
    if (stoppingSince) {
      if (Date.now() - stoppingSince > 2000) process.exit(1)
      return
    }
    stoppingSince = Date.now()
    log(`${signal} received: stopping pods`)
    heartbeats.stop()
    try {
      await kubelet.stop({ terminatePods: true })
      await api.close()
      volumes.stop()
      await runtime.close()
      for (const t of teardown.reverse()) await t().catch(() => {})
    } finally {
      stopAll.abort()
      await rm(kubeletSocket, { force: true })
      process.exit(0)
    }
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}
