/**
 * @module
 * A container's volumeMounts turned into bind mounts: which host path each one names,
 * including subPath and subPathExpr, and whether it is read-only.
 */
// Upstream: pkg/kubelet/kubelet_pods.go (makeMounts), pkg/kubelet/container/helpers.go
// (ExpandContainerVolumeMounts), pkg/volume/util/subpath (SafeMakeDir, PrepareSafeSubpath).
// Deliberate difference: instead of bind-mounting the resolved subPath under
// volume-subpaths/, the resolved real path is handed to the runtime, which binds it when the
// container starts; a configMap or secret subPath thus names one timestamped file and, as
// upstream, does not follow later updates.
import { chmod, mkdir, realpath, stat } from 'node:fs/promises'
import { isAbsolute, join, relative } from 'node:path'
import type { Container, VolumeMount } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import type { Mount } from '../../runtime/types.js'
import { expand } from '../env.js'
import { ContainerConfigError } from '../types.js'

/** Where a pod volume lives on the host, and whether the volume itself forces read-only. */
export type VolumeLocation = { path: string; readOnly: boolean }

const configError = (message: string) => new ContainerConfigError('CreateContainerConfigError', message)

/** Upstream's subPathExpr expansion: every referenced variable must have a non-empty value. */
export function expandSubPathExpr(expr: string, env: Array<[string, string]>): string {
  const vars = new Map(env)
  const missing = new Set<string>()
  const out = expand(expr, (name) => {
    const v = vars.get(name)
    if (!v) missing.add(name)
    return v ?? ''
  })
  if (missing.size) throw configError(`missing value for ${[...missing].sort().join(', ')}`)
  return out
}

/** Resolves a subPath inside `volumePath`, creating a missing directory with the volume's mode. */
async function resolveSubPath(volumePath: string, subPath: string, mount: Cached<VolumeMount>, container: string): Promise<string> {
  if (isAbsolute(subPath)) throw configError(`error SubPath \`${subPath}\` must not be an absolute path`)
  if (subPath.split('/').includes('..')) throw configError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`)
  const full = join(volumePath, subPath)
  if (!await stat(full).then(() => true, () => false)) {
    // Created now, with the volume's mode, so an fsGroup can still write there (upstream's reason).
    try {
      const mode = (await stat(volumePath)).mode & 0o7777
      await mkdir(full, { recursive: true })
      await chmod(full, mode)
    } catch {
      // Upstream hides the details: they could tell about the host's filesystem.
      throw configError(`failed to create subPath directory for volumeMount "${mount.name}" of container "${container}"`)
    }
  }
  // A symlink inside the volume must not lead out of it.
  const [real, root] = await Promise.all([realpath(full), realpath(volumePath)])
  const rel = relative(root, real)
  if (rel === '..' || rel.startsWith('../') || isAbsolute(rel)) throw configError(`subpath "${real}" not within volume path "${root}"`)
  return real
}

/**
 * The container's mounts; `locate` gives each named volume's location (undefined: no such
 * volume), `env` is the container's environment for subPathExpr. Throws ContainerConfigError.
 */
export async function mountsFor(
  container: Cached<Container>, locate: (volume: string) => Promise<VolumeLocation | undefined>, env: Array<[string, string]> = [],
): Promise<Mount[]> {
  const mounts: Mount[] = []
  for (const m of container.volumeMounts ?? []) {
    const loc = await locate(m.name)
    if (!loc) throw configError(`cannot find volume "${m.name}" to mount into container "${container.name}"`)
    let hostPath = loc.path
    const subPath = m.subPathExpr ? expandSubPathExpr(m.subPathExpr, env) : m.subPath ?? ''
    if (subPath) hostPath = await resolveSubPath(loc.path, subPath, m, container.name)
    mounts.push({ hostPath, containerPath: m.mountPath, readOnly: m.readOnly === true || loc.readOnly })
  }
  return mounts
}
