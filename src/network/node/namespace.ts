/**
 * @module
 * The node's own namespaces. The agent runs as PID 1 of a new PID namespace with private
 * mount and network namespaces (and, rootless, a user namespace in which it is root), so
 * every pod network, mount and process it makes lives and dies with it: when the agent
 * exits, the kernel kills the rest of its PID namespace and no container outlives the node.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, readdir, rmdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export type NodeNamespaceMode = 'root' | 'rootless'
export type NodeNamespaceSupport = { mode: NodeNamespaceMode | 'unavailable'; reason?: string }

/** unshare's flags for the node; the user namespace only when not root. */
function unshareArgs(mode: NodeNamespaceMode): string[] {
  return [
    ...(mode === 'rootless' ? ['--user', '--map-root-user'] : []),
    '--net', '--mount', '--propagation', 'private', '--pid', '--fork',
    // PID 1 of the new namespace dies with unshare, and /proc shows only the node's processes.
    '--kill-child', '--mount-proc',
  ]
}

/**
 * The command line that runs `argv` as PID 1 of the node's namespaces. setpriv's parent-death
 * signal makes unshare die with whoever spawned it (even on SIGKILL), and `--kill-child` passes
 * that on to PID 1, whose death empties the whole PID namespace.
 */
export function nodeNamespaceCommand(mode: NodeNamespaceMode, argv: string[]): { file: string; args: string[] } {
  return { file: 'setpriv', args: ['--pdeathsig', 'KILL', 'unshare', ...unshareArgs(mode), '--', ...argv] }
}

let support: Promise<NodeNamespaceSupport> | undefined

/** Whether this process can create the node's namespaces, found by trying it once (cached). */
export function nodeNamespaceSupport(): Promise<NodeNamespaceSupport> {
  support ??= probeSupport()
  return support
}

async function probeSupport(): Promise<NodeNamespaceSupport> {
  const modes: NodeNamespaceMode[] = process.geteuid?.() === 0 ? ['root', 'rootless'] : ['rootless']
  const failures: string[] = []
  for (const mode of modes) {
    const { file, args } = nodeNamespaceCommand(mode, ['true'])
    try {
      await run(file, args, { timeout: 10_000 })
      return { mode }
    } catch (err) {
      failures.push(`${mode}: ${errorText(err)}`)
    }
  }
  const hints = await userNamespaceHints()
  return { mode: 'unavailable', reason: [...failures, ...hints].join('; ') }
}

function errorText(err: unknown): string {
  const e = err as { stderr?: string; message?: string }
  return (e.stderr?.trim() || e.message || String(err)).split('\n')[0]!
}

/** The usual reasons a kernel refuses unprivileged user namespaces, when they apply. */
async function userNamespaceHints(): Promise<string[]> {
  const read = (p: string) => readFile(p, 'utf8').then((s) => s.trim(), () => undefined)
  const hints: string[] = []
  if ((await read('/proc/sys/user/max_user_namespaces')) === '0') hints.push('user.max_user_namespaces is 0')
  if ((await read('/proc/sys/kernel/unprivileged_userns_clone')) === '0') {
    hints.push('kernel.unprivileged_userns_clone is 0 (user namespaces disabled for ordinary users)')
  }
  if ((await read('/proc/sys/kernel/apparmor_restrict_unprivileged_userns')) === '1') {
    hints.push('AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1)')
  }
  return hints
}

/** Mount points of this mount namespace (field 5 of mountinfo). */
async function mountPoints(): Promise<Set<string>> {
  const info = await readFile('/proc/self/mountinfo', 'utf8')
  return new Set(info.split('\n').filter(Boolean).map((line) => line.split(' ')[4]!))
}

/**
 * Makes `/run/netns` writable inside the node's private mount namespace, so `ip netns add`
 * works rootless. Call it from inside the node namespace only: it mounts over `/run`.
 * Where `/run/netns` does not exist (and rootless cannot create it), `/run` becomes a tmpfs
 * that still shows the host's entries, bound back one by one, so paths such as
 * /run/systemd/resolve/resolv.conf keep working.
 */
export async function prepareNodeMounts(): Promise<void> {
  const mounts = await mountPoints()
  if (mounts.has('/run/netns')) return
  const entries = await readdir('/run').catch(() => [] as string[])
  if (entries.includes('netns')) {
    await run('mount', ['-t', 'tmpfs', '-o', 'mode=755', 'kubelite-netns', '/run/netns'])
    return
  }
  const saved = await mkdtemp(join(tmpdir(), 'kubelite-run-'))
  // One shell instead of a mount process per entry: the agent starts faster.
  const script = [
    'set -e',
    'mount --rbind /run "$1"',
    'mount -t tmpfs -o mode=755 kubelite-run /run',
    'for e in "$1"/* "$1"/.[!.]*; do',
    '  [ -e "$e" ] || [ -L "$e" ] || continue',
    '  n="/run/${e##*/}"',
    // mount(8) itself may already have made /run/mount (libmount's utab) on the new tmpfs.
    '  if [ -L "$e" ]; then cp -P "$e" "$n"',
    '  elif [ -d "$e" ]; then mkdir -p "$n"; mount --rbind "$e" "$n"',
    '  else [ -e "$n" ] || : > "$n"; mount --bind "$e" "$n"; fi',
    'done',
    'umount -l "$1"',
    'mkdir -m 755 /run/netns',
  ].join('\n')
  try {
    await run('sh', ['-c', script, 'sh', saved])
  } catch (err) {
    await run('umount', ['-l', saved]).catch(() => {})
    throw new Error(`preparing the node's /run failed: ${errorText(err)}`, { cause: err })
  } finally {
    await rmdir(saved).catch(() => {}) // it lives on the host's /tmp: leave nothing behind
  }
}
