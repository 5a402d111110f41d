import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { access, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { describe, it } from 'node:test'
import { createCgroupManager, milliCpuToQuotaUs, milliCpuToShares, sharesToWeight } from './cgroups.js'

const isRoot = process.geteuid?.() === 0
const exists = (p: string) => access(p).then(() => true, () => false)

describe('cgroup arithmetic', () => {
  it('converts CPU requests and limits as upstream', () => {
    assert.equal(milliCpuToShares(undefined), 2)
    assert.equal(milliCpuToShares(250), 256)
    assert.equal(milliCpuToShares(1000), 1024)
    assert.equal(milliCpuToQuotaUs(500), 50_000)
    assert.equal(milliCpuToQuotaUs(1), 1_000)
    assert.equal(sharesToWeight(2), 1)
    assert.equal(sharesToWeight(1024), 39)
    assert.equal(sharesToWeight(262_144), 10_000)
  })
})

describe('cgroups as root', { skip: !isRoot && 'needs root' }, async () => {
  const manager = await createCgroupManager({ nodeName: `test-${process.pid}` })

  it('enforces limits', { skip: !manager.enforced && manager.reason }, async (t) => {
    const group = await manager.create('oom', { memoryLimitBytes: 32 * 1024 * 1024, cpuLimitMillis: 500, cpuRequestMillis: 250 })
    assert.ok(group)
    t.after(() => group.remove())
    const nodeDirs = group.procsFiles.map((f) => dirname(dirname(f)))
    const cpuDir = group.procsFiles.map(dirname).find((d) => d.includes('/cpu/'))
    if (cpuDir) assert.equal((await readFile(join(cpuDir, 'cpu.cfs_quota_us'), 'utf8')).trim(), '50000')
    assert.equal(await group.oomKilled(), false)
    // The shell joins the group, then becomes python, which asks for 100 MiB against 32 MiB.
    const child = spawn('sh', ['-c', 'for f; do echo $$ > "$f"; done; exec python3 -c "b=bytearray(100*1024*1024)"',
      'sh', ...group.procsFiles], { stdio: 'ignore' })
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('close', (c, s) => r([c, s])))
    assert.equal(signal, 'SIGKILL', `exit ${code}`)
    assert.equal(await group.oomKilled(), true)
    const usage = await group.usage()
    assert.ok(usage && usage.cpuUsageNanos > 0n, 'CPU time was accounted')
    await group.remove()
    for (const f of group.procsFiles) assert.equal(await exists(dirname(f)), false)
    for (const d of nodeDirs) assert.equal(await exists(d), false, `${d}: the empty node group stays`)
  })

  it('reports usage of a running process', { skip: !manager.enforced && manager.reason }, async (t) => {
    const group = (await manager.create('busy', {}))!
    t.after(() => group.remove())
    const child = spawn('sh', ['-c', 'for f; do echo $$ > "$f"; done; exec python3 -c "b=bytearray(20*1024*1024); import time; time.sleep(30)"',
      'sh', ...group.procsFiles], { stdio: ['ignore', 'ignore', 'ignore'] })
    t.after(() => { child.kill('SIGKILL') })
    let ws = 0n
    for (let i = 0; i < 100 && ws < 20n * 1024n * 1024n; i++) {
      await new Promise((r) => setTimeout(r, 20))
      ws = (await group.usage())?.memoryWorkingSetBytes ?? 0n
    }
    assert.ok(ws >= 20n * 1024n * 1024n, `working set ${ws}`)
    // remove() kills what is still running in the group.
    await group.remove()
    assert.equal(await exists(dirname(group.procsFiles[0]!)), false)
  })

  it('removes the empty groups a killed earlier run of the node left behind', { skip: !manager.enforced && manager.reason }, async () => {
    const nodeName = `test-stale-${process.pid}`
    const first = await createCgroupManager({ nodeName })
    const left = (await first.create('left-behind', {}))!
    const dirs = left.procsFiles.map(dirname)
    for (const d of dirs) assert.equal(await exists(d), true)
    // No remove(): the agent was SIGKILLed. The next start sweeps.
    const second = await createCgroupManager({ nodeName })
    for (const d of dirs) assert.equal(await exists(d), false, `${d} is still there`)
    const again = (await second.create('new', {}))!
    await again.remove() // the last group out takes the node's group with it
    for (const d of dirs) assert.equal(await exists(dirname(d)), false)
  })
})

describe('cgroups rootless', { skip: !isRoot && 'needs root to switch to uid 65534' }, () => {
  it('says why limits are not enforced, and creates nothing', async () => {
    const js = `import('${new URL('./cgroups.js', import.meta.url).href}').then(async (m) => {` +
      `const c = await m.createCgroupManager({ nodeName: 'rootless' });` +
      `console.log(JSON.stringify({ enforced: c.enforced, reason: c.reason, group: (await c.create('x', {})) ?? null })) })`
    const child = spawn('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups',
      'unshare', '--user', '--map-root-user', '--mount', '--pid', '--fork', process.execPath, '-e', js])
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s })
    await new Promise((r) => child.on('close', r))
    const r = JSON.parse(out)
    assert.equal(r.enforced, false)
    assert.match(r.reason, /not enforced: .*not writable/)
    assert.equal(r.group, null)
  })
})
