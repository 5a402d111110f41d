/**
 * @module
 * Defaults that depend on the machine: where state lives, and this package's version.
 */
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** /var/lib/kubelite as root; else $XDG_DATA_HOME/kubelite, or ~/.local/share/kubelite. */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  uid = process.getuid?.() ?? -1,
  home = homedir(),
): string {
  if (uid === 0) return '/var/lib/kubelite'
  // The XDG spec says a relative $XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME?.startsWith('/') ? env.XDG_DATA_HOME : join(home, '.local', 'share')
  return join(xdg, 'kubelite')
}

/** This package's version, from the nearest package.json named kubelite above this file. */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'kubelite' && pkg.version) return pkg.version
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir)
    if (parent === dir) return '0.0.0-unknown'
    dir = parent
  }
}
