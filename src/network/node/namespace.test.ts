import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { describe, it } from 'node:test'
import { nodeNamespaceCommand, nodeNamespaceSupport } from './namespace.js'
import { eventually, launch, NOBODY, outcome, pidsWith } from './testing/launch.js'

const support = await nodeNamespaceSupport()
const isRoot = process.geteuid?.() === 0

describe('node namespace', { skip: support.mode === 'unavailable' && `no node namespace: ${support.reason}` }, () => {
  const mode = support.mode === 'rootless' ? 'rootless' : 'root'

  it('reports how it can create the node namespace', () => {
    assert.equal(support.mode, isRoot ? 'root' : 'rootless')
  })

  it('shows the command only loopback and its own processes', async () => {
    const child = launch(mode, ['sh', '-c', 'ip -o link | cut -d: -f2; echo; ls /proc | grep -c "^[0-9]"; cat /proc/1/comm'])
    const { code, stdout, stderr } = await outcome(child)
    assert.equal(code, 0, stderr)
    const [links, procs] = stdout.split('\n\n')
    assert.deepEqual(links!.trim().split('\n').map((s) => s.trim()), ['lo'])
    const [count, init] = procs!.trim().split('\n')
    assert.ok(Number(count) <= 5, `${count} processes visible`)
    assert.equal(init, 'sh') // the command is PID 1
  })

  it('kills a grandchild when PID 1 exits', async () => {
    const marker = `1000.${process.pid}1`
    const child = launch(mode, ['sh', '-c', `sh -c "sleep ${marker}" & sleep 0.2; exit 0`])
    try {
      assert.ok(await eventually(async () => (await pidsWith(marker)).length > 0), 'grandchild started')
      assert.equal((await outcome(child)).code, 0)
      assert.ok(await eventually(async () => (await pidsWith(marker)).length === 0), 'grandchild still alive')
    } finally {
      for (const pid of await pidsWith(marker)) process.kill(pid, 'SIGKILL')
    }
  })

  it('kills the whole node when the process that launched it is SIGKILLed', async () => {
    const marker = `1000.${process.pid}2`
    const { file, args } = nodeNamespaceCommand(mode, ['sh', '-c', `sleep ${marker} & wait`])
    const quoted = [file, ...args].map((a) => `'${a}'`).join(' ')
    // An intermediate shell stands in for the server: it dies without cleaning up.
    const parent = spawn('sh', ['-c', `${quoted} & wait`], { stdio: 'ignore' })
    try {
      assert.ok(await eventually(async () => (await pidsWith(marker)).length > 0), 'grandchild started')
      parent.kill('SIGKILL')
      assert.ok(await eventually(async () => (await pidsWith(marker)).length === 0), 'node outlived its launcher')
    } finally {
      parent.kill('SIGKILL')
      for (const pid of await pidsWith(marker)) process.kill(pid, 'SIGKILL')
    }
  })

  it('works rootless as uid 65534', { skip: !isRoot && 'needs root to switch to uid 65534' }, async () => {
    const probe = `import('${new URL('./namespace.js', import.meta.url).href}').then(async (m) => console.log(JSON.stringify(await m.nodeNamespaceSupport())))`
    const supported = await outcome(spawn(NOBODY[0]!, [...NOBODY.slice(1), process.execPath, '-e', probe]))
    const rootless = JSON.parse(supported.stdout) as { mode: string; reason?: string }
    if (rootless.mode === 'unavailable') return void assert.match(rootless.reason ?? '', /./)
    assert.equal(rootless.mode, 'rootless')
    const { code, stdout, stderr } = await outcome(launch('rootless', ['sh', '-c', 'id -u; ip -o link | wc -l; cat /proc/1/comm']))
    assert.equal(code, 0, stderr)
    assert.deepEqual(stdout.trim().split('\n'), ['0', '1', 'sh'])
  })
})
