/**
 * @module
 * From a pod's container spec and its image to the runtime's ContainerConfig pieces: the
 * command line (command/args over the image's entrypoint/cmd), the environment (the image's,
 * overridden by the container's), the user (securityContext, pod-level and image), and the
 * resources. Pure functions; failures are ContainerConfigError with upstream's wording.
 */
// Upstream: pkg/kubelet/container/helpers.go (ExpandContainerCommandAndArgs),
// pkg/kubelet/kuberuntime/security_context_others.go (verifyRunAsNonRoot),
// kuberuntime_container_linux.go (generateLinuxContainerResources), pkg/kubelet/util/format (Pod).
import type { Container, Pod } from 'kubernetes-types/core/v1.js'
import { quantityMilliValue, quantityValue, type Cached } from '../api/index.js'
import type { ContainerResources } from '../runtime/types.js'
import { ContainerConfigError } from './types.js'
import type { ImageConfig } from './images.js'

/** How the kubelet names a pod in messages: `name_namespace(uid)`. */
export const formatPod = (pod: Cached<Pod>) =>
  `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`

type Expand = (args: string[], env: Array<[string, string]>) => string[]

/** The whole command line: command replaces the entrypoint (and drops cmd), args replace cmd. */
export function containerArgv(c: Cached<Container>, image: ImageConfig, env: Array<[string, string]>, expand: Expand): string[] {
  const command = c.command?.length ? expand([...c.command], env) : undefined
  const args = c.args?.length ? expand([...c.args], env) : undefined
  const argv = command
    ? [...command, ...(args ?? [])]
    : [...(image.entrypoint ?? []), ...(args ?? image.cmd ?? [])]
  if (argv.length === 0) throw new ContainerConfigError('CreateContainerError', 'failed to generate container spec: no command specified')
  return argv
}

/** The image's `KEY=value` list, then the container's variables on top (the container's win). */
export function mergeEnv(imageEnv: readonly string[], containerEnv: Array<[string, string]>): Array<[string, string]> {
  const out = new Map<string, string>()
  for (const kv of imageEnv) {
    const i = kv.indexOf('=')
    if (i > 0) out.set(kv.slice(0, i), kv.slice(i + 1))
  }
  for (const [k, v] of containerEnv) out.set(k, v)
  return [...out]
}

/** Parses the image's USER ("1000", "1000:1000", "root"); names other than root stay unresolved. */
function imageUser(user: string | undefined): { uid?: number; gid?: number; name?: string } {
  if (!user) return { uid: 0 }
  const [u = '', g] = user.split(':')
  const gid = g !== undefined && /^\d+$/.test(g) ? Number(g) : undefined
  if (/^\d+$/.test(u)) return { uid: Number(u), gid }
  if (u === 'root') return { uid: 0, gid: gid ?? 0 }
  return { name: u, gid }
}

/** The user the container runs as, after checking runAsNonRoot; undefined = root with no extra groups. */
export function containerUser(pod: Cached<Pod>, c: Cached<Container>, image: ImageConfig,
  resolved?: { uid: number; gid: number; supplementalGroups: number[] }):
  { uid: number; gid: number; supplementalGroups: number[] } | undefined {
  const psc = pod.spec?.securityContext
  const sc = c.securityContext
  const runAsUser = sc?.runAsUser ?? psc?.runAsUser
  const runAsGroup = sc?.runAsGroup ?? psc?.runAsGroup
  const nonRoot = sc?.runAsNonRoot ?? psc?.runAsNonRoot
  const img = imageUser(image.user)
  const where = `(pod: "${formatPod(pod)}", container: ${c.name})`
  if (nonRoot) {
    if (runAsUser === 0) throw new ContainerConfigError('CreateContainerConfigError', `container's runAsUser breaks non-root policy ${where}`)
    if (runAsUser === undefined) {
      if (img.name !== undefined) {
        throw new ContainerConfigError('CreateContainerConfigError',
          `container has runAsNonRoot and image has non-numeric user (${img.name}), cannot verify user is non-root ${where}`)
      }
      if (img.uid === 0) throw new ContainerConfigError('CreateContainerConfigError', `container has runAsNonRoot and image will run as root ${where}`)
    }
  }
  // The image's USER as the runtime resolved it in the image's /etc/passwd (a name, or a uid's group).
  const fromImage = runAsUser === undefined ? resolved : undefined
  const uid = runAsUser ?? fromImage?.uid ?? img.uid ?? 0
  const gid = runAsGroup ?? fromImage?.gid ?? img.gid ?? 0
  const groups = [...(fromImage?.supplementalGroups ?? []), ...(psc?.supplementalGroups ?? [])]
  if (psc?.fsGroup !== undefined && !groups.includes(psc.fsGroup)) groups.push(psc.fsGroup)
  if (uid === 0 && gid === 0 && groups.length === 0) return undefined
  return { uid, gid, supplementalGroups: groups }
}

/** limits.memory, limits.cpu and requests.cpu as the runtime enforces them. */
export function containerResources(c: Cached<Container>): ContainerResources {
  const out: ContainerResources = {}
  const limits = c.resources?.limits as Record<string, string | number> | undefined
  const requests = c.resources?.requests as Record<string, string | number> | undefined
  if (limits?.memory !== undefined) out.memoryLimitBytes = quantityValue(String(limits.memory))
  if (limits?.cpu !== undefined) out.cpuLimitMillis = quantityMilliValue(String(limits.cpu))
  // Upstream: a container with a CPU limit but no request is given the limit as its request.
  const cpuRequest = requests?.cpu ?? limits?.cpu
  if (cpuRequest !== undefined) out.cpuRequestMillis = quantityMilliValue(String(cpuRequest))
  return out
}

/** securityContext flags the runtime honours. */
export function securityFlags(c: Cached<Container>): { noNewPrivileges: boolean; readOnlyRootFilesystem: boolean } {
  const sc = c.securityContext
  return { noNewPrivileges: sc?.allowPrivilegeEscalation === false, readOnlyRootFilesystem: sc?.readOnlyRootFilesystem === true }
}
