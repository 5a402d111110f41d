// The kubelite-shim for real: as root, and as an unprivileged user who is root in its own user
// namespace (as the rootless agent is). Skips with a reason when the shim is not built.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runOnce, shimPath, spawnShim, ShimStartError, type ExecSpec, type RunSpec } from './shim.js'

const shim = shimPath()
const NOBODY = 65534
const PATH: [string, string] = ['PATH', '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin']
const isRoot = process.getuid?.() === 0
const rootlessWorks = isRoot && spawnSync('setpriv', ['--reuid', `${NOBODY}`, '--regid', `${NOBODY}`, '--clear-groups',
  'unshare', '-Urm', 'true']).status === 0

type Mode = { name: string; skip: string | false; wrap: (argv: string[]) => string[]; owner: number }
const modes: Mode[] = [
  { name: 'as root', skip: isRoot ? false : 'not root', wrap: (a) => a, owner: 0 },
  {
    name: 'rootless (uid 65534, root in its user namespace)',
    skip: rootlessWorks ? false : 'setpriv + unshare -Urm do not work here',
    // No --fork: the shim keeps the pid the test signals.
    wrap: (a) => ['setpriv', '--reuid', `${NOBODY}`, '--regid', `${NOBODY}`, '--clear-groups', 'unshare', '-Urm', ...a],
    owner: NOBODY,
  },
]

/** Runs the shim (wrapped for the mode) to completion; collects output and the status lines. */
function runShim(mode: Mode, kind: 'run' | 'exec', spec: object, opts: { wrapped?: boolean } = {}) {
  const argv = [shim!, kind, JSON.stringify({ statusFd: 3, ...spec })]
  const [cmd, ...args] = opts.wrapped === false ? argv : mode.wrap(argv)
  const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  let status = ''
  child.stdout!.on('data', (c: Buffer) => { out += c })
  child.stderr!.on('data', (c: Buffer) => { err += c })
  ;(child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => { status += c })
  const done = new Promise<{ code: number | null; out: string; err: string; status: Array<Record<string, unknown>> }>((resolve) =>
    child.on('close', (code) => resolve({
      code, out, err, status: status.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
    })))
  const pid = () => {
    const line = status.split('\n').find((l) => l.includes('"started"'))
    return line ? (JSON.parse(line) as { pid: number }).pid : undefined
  }
  return { child, done, output: () => out, pid }
}

async function until(check: () => boolean, what: string, ms = 5000) {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('kubelite-shim', { skip: shim ? false : 'kubelite-shim is not built (node scripts/build-native.mjs)' }, () => {
  for (const mode of modes) {
    describe(mode.name, { skip: mode.skip }, () => {
      let dir: string
      let n = 0
      const fresh = () => {
        const base = join(dir, `c${n++}`)
        for (const d of ['upper', 'work', 'layer/app', 'layer/etc', 'vol', 'rovol']) mkdirSync(join(base, d), { recursive: true })
        writeFileSync(join(base, 'layer/app/hello'), 'from the image\n')
        writeFileSync(join(base, 'layer/etc/os-release'), 'ID=kubelite-test\n')
        writeFileSync(join(base, 'vol/data'), 'volume\n')
        writeFileSync(join(base, 'rovol/data'), 'read-only volume\n')
        spawnSync('chown', ['-R', `${mode.owner}:${mode.owner}`, base])
        return {
          base,
          spec: (argv: string[], extra: Partial<RunSpec> = {}) => ({
            argv, env: [`${PATH[0]}=${PATH[1]}`], cwd: '/', hostname: 'ctr-test',
            layers: [join(base, 'layer')], upper: join(base, 'upper'), work: join(base, 'work'), ...extra,
          }),
        }
      }
      before(() => {
        dir = mkdtempSync(join(tmpdir(), 'kl-shim-test-'))
        chownSync(dir, mode.owner, mode.owner)
      })
      after(() => rmSync(dir, { recursive: true, force: true }))

      it('isolates hostname, processes and the root filesystem; exit codes pass through', async () => {
        const c = fresh()
        const script = [
          'hostname', 'ls /proc | grep -c "^[0-9]"', 'cat /app/hello /etc/os-release',
          'echo tmp > /tmp/t && cat /tmp/t', 'echo layer > /usr/kl-shim-test && cat /usr/kl-shim-test',
          'test -e /dev/null && test -c /dev/zero && echo dev-ok', 'exit 3',
        ].join('; ')
        const r = await runShim(mode, 'run', c.spec(['/bin/sh', '-c', script])).done
        assert.equal(r.code, 3, r.err)
        const [host, procs, ...rest] = r.out.trim().split('\n')
        assert.equal(host, 'ctr-test')
        assert.ok(Number(procs) <= 4, `processes: ${procs}`)
        assert.deepEqual(rest, ['from the image', 'ID=kubelite-test', 'tmp', 'layer', 'dev-ok'])
        // The host's processes are hidden: /proc lists only the container's (init, sh, and ls or grep).
        assert.equal(existsSync('/usr/kl-shim-test'), false, 'the host root must stay untouched')
        assert.equal(readFileSync(join(c.base, 'upper/usr/kl-shim-test'), 'utf8'), 'layer\n')
        assert.equal(r.status.at(-1)?.exitCode, 3)
        assert.equal(r.status[0]?.started, true)
        const ok = await runShim(mode, 'run', c.spec(['true'])).done
        assert.equal(ok.code, 0)
      })

      it('readOnlyRootFilesystem: writes fail except /tmp and volumes', async () => {
        const c = fresh()
        const script = 'touch /usr/x 2>/dev/null && echo usr-writable; touch /app/x 2>/dev/null && echo app-writable; ' +
          'echo t > /tmp/t && echo tmp-ok; echo v > /vol/new && echo vol-ok'
        const r = await runShim(mode, 'run', c.spec(['/bin/sh', '-c', script], {
          readOnly: true, mounts: [{ source: join(c.base, 'vol'), target: '/vol' }],
        })).done
        assert.equal(r.code, 0, r.err)
        assert.deepEqual(r.out.trim().split('\n'), ['tmp-ok', 'vol-ok'])
      })

      it('bind mounts, read-only binds and file binds', async () => {
        const c = fresh()
        writeFileSync(join(c.base, 'hosts'), '10.0.0.1 ctr-test\n')
        spawnSync('chown', [`${mode.owner}:${mode.owner}`, join(c.base, 'hosts')])
        const script = 'cat /data/vol/data /ro/data /etc/hosts; echo w > /data/vol/written; ' +
          'echo w > /ro/written 2>/dev/null || echo ro-refused'
        const r = await runShim(mode, 'run', c.spec(['/bin/sh', '-c', script], {
          mounts: [
            { source: join(c.base, 'vol'), target: '/data/vol' },
            { source: join(c.base, 'rovol'), target: '/ro', readOnly: true },
            { source: join(c.base, 'hosts'), target: '/etc/hosts', readOnly: true },
          ],
        })).done
        assert.equal(r.code, 0, r.err)
        assert.deepEqual(r.out.trim().split('\n'), ['volume', 'read-only volume', '10.0.0.1 ctr-test', 'ro-refused'])
        assert.equal(readFileSync(join(c.base, 'vol/written'), 'utf8'), 'w\n')
      })

      it('forwards SIGTERM to the command and reports how it ended', async () => {
        const c = fresh()
        const run = runShim(mode, 'run', c.spec(['/bin/sh', '-c',
          'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.02; done']))
        await until(() => run.output().includes('ready'), 'the command to start')
        run.child.kill('SIGTERM')
        const r = await run.done
        assert.equal(r.code, 7)
        assert.match(r.out, /got-term/)
        const killed = runShim(mode, 'run', c.spec(['/bin/sh', '-c', 'echo ready; exec sleep 60']))
        await until(() => killed.output().includes('ready'), 'sleep to start')
        killed.child.kill('SIGINT')
        const k = await killed.done
        assert.equal(k.code, 128 + 2)
        assert.deepEqual(k.status.at(-1), { exited: true, exitCode: 130, signal: 'SIGINT' })
      })

      it('reaps orphaned zombies', async () => {
        const c = fresh()
        // The inner sh exits at once; its sleep is reparented to PID 1, which must reap it.
        const script = 'sh -c "sleep 0.05 &"; sleep 0.4; grep -l "^State:.Z" /proc/[0-9]*/status | wc -l'
        const r = await runShim(mode, 'run', c.spec(['/bin/sh', '-c', script])).done
        assert.equal(r.code, 0, r.err)
        assert.equal(r.out.trim(), '0')
      })

      it('exec enters a running container: its files, its processes, and a tty', async () => {
        const c = fresh()
        const run = runShim(mode, 'run', c.spec(['/bin/sh', '-c', 'echo marker > /tmp/marker; echo ready; exec sleep 60']))
        try {
          await until(() => run.output().includes('ready'), 'the container to start')
          const pid = run.pid()!
          const spec: ExecSpec = { pid, argv: ['/bin/sh', '-c', 'cat /tmp/marker; ls /proc | grep -c "^[0-9]"; hostname'], env: [PATH], cwd: '/' }
          // Rootless: exec as the same unprivileged user, entering the container's user namespace.
          const execMode: Mode = { ...mode, wrap: (a) => mode.owner ? ['setpriv', '--reuid', `${NOBODY}`, '--regid', `${NOBODY}`, '--clear-groups', ...a] : a }
          const e = await runShim(execMode, 'exec', { ...spec, env: spec.env.map(([k, v]) => `${k}=${v}`) }).done
          assert.equal(e.code, 0, e.err)
          // sleep (PID 1's child), the init, sh and ls: the container's own PID namespace.
          const [marker, procs, host] = e.out.trim().split('\n')
          assert.equal(marker, 'marker')
          assert.ok(Number(procs) >= 3 && Number(procs) <= 5, `processes: ${procs}`)
          assert.equal(host, 'ctr-test')
          if (!mode.owner) {
            const tty = spawnShim('exec', { ...spec, argv: ['/bin/sh', '-c', 'tty; sleep 0.2; stty size'], tty: true })
            tty.resize(100, 40)
            let out = ''
            tty.stdout!.on('data', (b: Buffer) => { out += b })
            const ex = await tty.exited
            assert.equal(ex.exitCode, 0)
            assert.match(out, /^\/dev\/pts\/\d+\r?\n40 100/)
          }
        } finally {
          run.child.kill('SIGKILL')
          await run.done
        }
      })

      it('reports a missing command like runc, with exit code 127', async () => {
        const c = fresh()
        const r = await runShim(mode, 'run', c.spec(['no-such-command'])).done
        assert.equal(r.code, 127)
        assert.match(r.err, /exec: "no-such-command": executable file not found in \$PATH/)
        assert.deepEqual(r.status, [{ error: 'exec: "no-such-command": executable file not found in $PATH', exitCode: 127 }])
      })
    })
  }

  describe('spawnShim and runOnce', { skip: isRoot ? false : 'not root' }, () => {
    let dir: string
    before(() => { dir = mkdtempSync(join(tmpdir(), 'kl-shim-once-')) })
    after(() => rmSync(dir, { recursive: true, force: true }))

    it('starts a container quickly and resolves started with its init pid', async () => {
      const timings: number[] = []
      for (let i = 0; i < 5; i++) {
        const base = join(dir, `t${i}`)
        mkdirSync(join(base, 'upper'), { recursive: true })
        mkdirSync(join(base, 'work'))
        const t0 = performance.now()
        const p = spawnShim('run', { argv: ['true'], env: [PATH], cwd: '/', upper: join(base, 'upper'), work: join(base, 'work') }, { stdin: false })
        const pid = await p.started
        timings.push(performance.now() - t0)
        assert.ok(pid > 0)
        assert.equal((await p.exited).exitCode, 0)
      }
      timings.sort((a, b) => a - b)
      console.log(`# spawn → command running: median ${timings[2]!.toFixed(1)} ms, min ${timings[0]!.toFixed(1)} ms`)
    })

    it('rejects started with a ShimStartError when the command is missing', async () => {
      const p = spawnShim('run', { argv: ['nope-nope'], env: [PATH], cwd: '/' }, { stdin: false })
      await assert.rejects(p.started, (err: unknown) => err instanceof ShimStartError && err.exitCode === 127)
      assert.equal((await p.exited).exitCode, 127)
    })

    it('runOnce writes every change into upper, also in a new user namespace', async () => {
      for (const newUserNamespace of [false, true]) {
        const base = join(dir, `once-${newUserNamespace}`)
        mkdirSync(join(base, 'upper'), { recursive: true })
        mkdirSync(join(base, 'work'))
        mkdirSync(join(base, 'layer/srv/app'), { recursive: true })
        writeFileSync(join(base, 'layer/srv/app/base.txt'), 'base\n')
        const r = await runOnce({
          layers: [join(base, 'layer')], upper: join(base, 'upper'), work: join(base, 'work'),
          argv: ['/bin/sh', '-c', 'cat base.txt; echo built > out.txt; mkdir -p /newdir; id -u'], env: [PATH],
          workingDir: '/srv/app', newUserNamespace,
        })
        assert.equal(r.exitCode, 0, r.output)
        assert.equal(r.output, 'base\n0\n')
        assert.equal(readFileSync(join(base, 'upper/srv/app/out.txt'), 'utf8'), 'built\n')
        assert.ok(existsSync(join(base, 'upper/newdir')))
        assert.equal(existsSync(join(base, 'upper/etc')), false, 'empty mount-point dirs are pruned')
      }
    })
  })
})
