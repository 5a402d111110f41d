// `kubelite sim` (src/cli/sim-command.ts) in process: flag checks, and a run against a real API
// server through a kubeconfig until SIGINT, leaving its Nodes registered.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Node } from 'kubernetes-types/core/v1.js'
import { startTestServer, TEST_TOKEN } from '../../client/test-server.js'
import { UsageError } from '../../cli/args.js'
import { simCommand } from '../../cli/sim-command.js'

describe('kubelite sim', () => {
  let t: Awaited<ReturnType<typeof startTestServer>>
  let dir: string
  let kubeconfig: string
  before(async () => {
    t = await startTestServer()
    dir = await mkdtemp(join(tmpdir(), 'kubelite-sim-'))
    kubeconfig = join(dir, 'kubeconfig.yaml')
    await writeFile(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: test',
      'clusters:', '- name: test', '  cluster:', `    server: ${t.server.url}`,
      'users:', '- name: admin', '  user:', `    token: ${TEST_TOKEN}`,
      'contexts:', '- name: test', '  context:', '    cluster: test', '    user: admin', '',
    ].join('\n'))
  })
  after(async () => {
    await t.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('rejects bad flag values as usage errors', async () => {
    for (const args of [['--nodes', '0'], ['--cpu', 'lots'], ['--taint', 'x:Sometimes'], ['--label', 'novalue'], ['--job-pod-duration', 'soon']]) {
      await assert.rejects(simCommand([...args, '--kubeconfig', kubeconfig]), UsageError, args.join(' '))
    }
  })

  it('registers its nodes, prints one ready line, and leaves the nodes on SIGINT', async () => {
    const lines: string[] = []
    const write = process.stderr.write
    process.stderr.write = ((s: string) => lines.push(s) > 0) as typeof process.stderr.write
    try {
      const done = simCommand(['--nodes', '3', '--cpu', '4', '--name-prefix', 'cli-', '--label', 'pool=sim', '--kubeconfig', kubeconfig])
      for (let i = 0; i < 250 && !lines.some((l) => l.includes('ready')); i++) await new Promise((r) => setTimeout(r, 20))
      process.emit('SIGINT', 'SIGINT')
      assert.equal(await done, 0)
    } finally {
      process.stderr.write = write
    }
    assert.equal(lines[0], `kubelite sim: 3 nodes ready (cli-0 .. cli-2) at ${t.server.url}\n`)
    const nodes = (await t.client.list<Node>({ apiVersion: 'v1', kind: 'Node' }, { labelSelector: 'pool=sim' })).items
    assert.deepEqual(nodes.map((n) => `${n.metadata?.name} ${n.status?.capacity?.cpu}`).sort(), ['cli-0 4', 'cli-1 4', 'cli-2 4'])
  })
})
