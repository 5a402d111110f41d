// Builds native/kubelite-shim.c into dist/native/kubelite-shim (or `--out DIR`). Without a C
// compiler it warns and exits 0: the namespaces runtime then reports itself unavailable.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const outFlag = process.argv.indexOf('--out')
const outDir = outFlag > 0 ? resolve(process.argv[outFlag + 1]) : join(repo, 'dist', 'native')
const source = join(repo, 'native', 'kubelite-shim.c')
const cc = process.env.CC || 'cc'

if (process.platform !== 'linux') {
  console.warn(`build-native: skipped (${process.platform}): the namespaces runtime needs Linux`)
  process.exit(0)
}
if (!existsSync(source)) process.exit(0)
mkdirSync(outDir, { recursive: true })
const result = spawnSync(cc, ['-O2', '-Wall', '-o', join(outDir, 'kubelite-shim'), source], { stdio: 'inherit' })
if (result.error || result.status !== 0) {
  const why = result.error ? result.error.message : `${cc} exited with ${result.status}`
  console.warn(`build-native: warning: kubelite-shim not built (${why}); the namespaces runtime will be unavailable`)
}
