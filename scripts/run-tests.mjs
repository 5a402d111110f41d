// Runs the compiled tests with Node's own runner: unit tests (dist/src/**/*.test.js)
// and end-to-end tests (dist/test/e2e/**/*.test.js). `--unit` or `--e2e` picks one set.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

const root = new URL('../dist/', import.meta.url).pathname
const only = process.argv.find((a) => a === '--unit' || a === '--e2e')
const files = (dir) => {
  const out = []
  let names = []
  try { names = readdirSync(dir) } catch { return out }
  for (const name of names) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...files(p))
    else if (name.endsWith('.test.js')) out.push(p)
  }
  return out.sort()
}
const unit = only === '--e2e' ? [] : files(join(root, 'src'))
const e2e = only === '--unit' ? [] : files(join(root, 'test'))
// Unit tests run in parallel; end-to-end tests start real servers, so one file at a time.
let status = 0
if (unit.length) status ||= spawnSync(process.execPath, ['--test', ...unit], { stdio: 'inherit' }).status ?? 1
if (e2e.length) status ||= spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...e2e], { stdio: 'inherit' }).status ?? 1
process.exit(status)
