/**
 * @module
 * The command line as a user runs it: a child `node main.js` per case, checking exit codes
 * and messages; and `kubelite kubeconfig` over a prepared data directory.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { ensureAdminToken } from '../apiserver/authn/index.js'
import { ensurePki } from '../pki/index.js'
import { defaultDataDir } from './defaults.js'

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url))

function cli(...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr })
    })
  })
}

describe('kubelite command line', () => {
  it('rejects an unknown flag with exit 2 and a pointer to help', async () => {
    const out = await cli('server', '--bogus')
    assert.equal(out.code, 2)
    assert.equal(out.stderr, "kubelite server: unknown flag: --bogus\nRun 'kubelite server --help' for usage.\n")
    assert.equal(out.stdout, '')
  })

  it('rejects an unknown command, bad values and stray arguments with exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /^kubelite: unknown command "frobnicate"\nRun 'kubelite --help'/],
      [['--nope'], /^kubelite: unknown flag: --nope/],
      [['server', '--port', 'http'], /invalid value "http" for --port/],
      [['server', '--port', '70000'], /invalid value "70000" for --port/],
      [['server', '--datastore', 'etcd'], /invalid value "etcd" for --datastore: want sqlite or memory/],
      [['server', '--port'], /flag needs an argument: --port/],
      [['server', 'extra'], /unexpected argument: extra/],
      [['kubeconfig', '--write-kubeconfig'], /^kubelite kubeconfig: unknown flag: --write-kubeconfig/],
      [['server', '--image-fallback', 'maybe'], /invalid value "maybe" for --image-fallback: want host or never/],
      [['server', '--max-pods', '0'], /invalid value "0" for --max-pods: want a whole number/],
      [['server', '--node-cidr-mask-size', '8'], /invalid value "8" for --node-cidr-mask-size: want 16 to 30/],
      [['agent'], /^kubelite agent: --server is required/],
      [['agent', '--server', 'ftp://x'], /invalid value "ftp:\/\/x" for --server: want an http or https URL/],
      [['agent', '--server', 'https://127.0.0.1:6443'], /--token or --token-file is required/],
      [['agent', '--server', 'https://127.0.0.1:6443', '--token', 't', '--runtime', 'vm'], /invalid value "vm" for --runtime: want namespaces or host/],
    ]
    for (const [args, message] of cases) {
      const out = await cli(...args)
      assert.equal(out.code, 2, `${args.join(' ')}: ${out.stderr}`)
      assert.match(out.stderr, message)
    }
  })

  it('prints the version and help', async () => {
    const version = await cli('--version')
    assert.equal(version.code, 0)
    assert.match(version.stdout, /^kubelite v\d+\.\d+\.\d+/)
    const top = await cli('--help')
    assert.equal(top.code, 0)
    assert.match(top.stdout, /Usage: kubelite <command>/)
    assert.match(top.stdout, /server/)
    assert.match(top.stdout, /kubeconfig/)
    for (const args of [['server', '--help'], ['help', 'server']]) {
      const out = await cli(...args)
      assert.equal(out.code, 0)
      for (const flag of ['--data-dir', '--bind', '--port', '--datastore', '--write-kubeconfig', '--log-requests']) {
        assert.ok(out.stdout.includes(flag), `${args.join(' ')} documents ${flag}`)
      }
    }
    const agent = await cli('agent', '--help')
    assert.equal(agent.code, 0)
    for (const flag of ['--server', '--token', '--node-name', '--runtime', '--image-fallback', '--max-pods']) {
      assert.ok(agent.stdout.includes(flag), `agent --help documents ${flag}`)
    }
    assert.match((await cli('image', '--help')).stdout, /build/)
    const kc = await cli('kubeconfig', '-h')
    assert.equal(kc.code, 0)
    assert.match(kc.stdout, /Usage: kubelite kubeconfig/)
  })
})

describe('kubelite kubeconfig', () => {
  let dir = ''
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'kl-cli-kubeconfig-')) })
  after(() => rm(dir, { recursive: true, force: true }))

  it('fails with exit 1 when there is no cluster state', async () => {
    const out = await cli('kubeconfig', '--data-dir', join(dir, 'empty'))
    assert.equal(out.code, 1)
    assert.match(out.stderr, /no cluster state in .*empty.*kubelite server/)
  })

  it('prints the written kubeconfig, or one rebuilt with another server or the token', async () => {
    const pki = await ensurePki(dir)
    const token = await ensureAdminToken(dir)
    const rebuilt = parse((await cli('kubeconfig', '--data-dir', dir)).stdout)
    assert.equal(rebuilt.clusters[0].cluster.server, 'https://127.0.0.1:6443')
    assert.equal(Buffer.from(rebuilt.users[0].user['client-certificate-data'], 'base64').toString(), pki.adminCert)
    await writeFile(join(dir, 'kubeconfig.yaml'), 'written: as-is\n')
    assert.equal((await cli('kubeconfig', '--data-dir', dir)).stdout, 'written: as-is\n')
    const withToken = parse((await cli('kubeconfig', '--data-dir', dir, '--token', '--server', 'https://h:1')).stdout)
    assert.deepEqual(withToken.users[0].user, { token })
    assert.equal(withToken.clusters[0].cluster.server, 'https://h:1')
  })
})

describe('defaultDataDir', () => {
  it('is /var/lib/kubelite for root, else under XDG_DATA_HOME or ~/.local/share', () => {
    assert.equal(defaultDataDir({}, 0, '/root'), '/var/lib/kubelite')
    assert.equal(defaultDataDir({ XDG_DATA_HOME: '/x/data' }, 1000, '/home/u'), '/x/data/kubelite')
    assert.equal(defaultDataDir({ XDG_DATA_HOME: 'relative' }, 1000, '/home/u'), '/home/u/.local/share/kubelite')
    assert.equal(defaultDataDir({}, 1000, '/home/u'), '/home/u/.local/share/kubelite')
  })
})
