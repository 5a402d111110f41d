import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync } from 'node:fs'
import { lstat, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runOnce, shimPath } from '../namespaces/shim.js'
import { buildImage } from './builder.js'
import { mergedView } from './merged-view.js'
import { openImageStore, removeTree } from './store.js'
import type { ImageRecord, ImageStore } from './types.js'

// dist/src/runtime/images → the repository's examples; else the working directory's (a build
// into another directory, run from the repository).
const examples = [fileURLToPath(new URL('../../../../examples/images', import.meta.url)), join(process.cwd(), 'examples/images')]
  .find((p) => existsSync(join(p, 'node-app')))
const root = process.getuid?.() === 0
const why = !shimPath() ? 'kubelite-shim is not built (node scripts/build-native.mjs)' : !examples ? 'examples/images not found' : undefined

/** Runs the image's entrypoint + cmd (+ extra args) in a throwaway container over its layers. */
async function runImage(store: ImageStore, img: ImageRecord, env: Record<string, string> = {}, argv?: string[]) {
  const scratch = await store.scratchDir('run')
  try {
    await mkdir(join(scratch, 'upper'))
    await mkdir(join(scratch, 'work'))
    const baseEnv = img.config.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as [string, string])
    return await runOnce({
      layers: img.layers, upper: join(scratch, 'upper'), work: join(scratch, 'work'),
      argv: argv ?? [...(img.config.entrypoint ?? []), ...(img.config.cmd ?? [])],
      env: [...baseEnv, ...Object.entries(env)], workingDir: img.config.workingDir ?? '/',
      newUserNamespace: !root, stdio: 'pipe',
    })
  } finally {
    await removeTree(scratch)
  }
}

describe('image build (as root)', { skip: !root ? 'needs root (the rootless case is below)' : why }, () => {
  let dir: string
  let store: ImageStore
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kl-build-'))
    store = openImageStore(join(dir, 'images'))
  })
  after(() => removeTree(dir))

  it('builds the node app (COPY, RUN npm install) and runs its CMD', async () => {
    const lines: string[] = []
    const progress = { note: (l: string) => lines.push(l), step: (t: string) => (lines.push(t), { log: (l: string) => lines.push(l), done() {}, error() {} }) }
    const cache = join(dir, 'npm-cache')
    await mkdir(cache)
    const img = await buildImage({ contextDir: join(examples!, 'node-app'), tags: ['node-app:test'], store, runOnce, progress,
      buildArgs: { npm_config_cache: cache } })
    assert.ok(lines.includes('[1/4] FROM docker.io/library/node:20'), lines.join('\n'))
    assert.ok(lines.includes('[4/4] RUN npm install --offline --no-audit --no-fund'))
    assert.deepEqual(img.names, ['docker.io/library/node-app:test'])
    assert.deepEqual(img.config.cmd, ['node', 'server.js'])
    assert.equal(img.config.workingDir, '/app')
    assert.deepEqual(img.config.exposedPorts, ['8080/tcp'])
    assert.ok(img.config.env.includes('APP_NAME=node-app'))
    const [layer] = img.layers
    assert.deepEqual((await readdir(join(layer!, 'app'))).sort(), ['package-lock.json', 'package.json', 'server.js'])
    assert.ok(!existsSync(join(layer!, 'root/.npm')), 'the npm cache was mounted, not written into the image')
    assert.ok((await readdir(cache)).length > 0, 'npm used the mounted cache')
    const run = await runImage(store, img, { PORT: '0', SELF_TEST: '1' })
    assert.equal(run.exitCode, 0, run.output)
    assert.match(run.output ?? '', /hello from node-app/)
  })

  it('builds a multi-stage image with COPY --from; its deletes stay deleted as a lower layer', async () => {
    const img = await buildImage({ contextDir: join(examples!, 'multi-stage'), tags: ['multi:test'], store, runOnce, buildArgs: { GREETING: 'hi' } })
    assert.equal(img.layers.length, 1, 'one layer: the final stage on the host base')
    const run = await runImage(store, img)
    assert.equal(run.exitCode, 0, run.output)
    assert.equal(run.output?.trim(), 'hi from the build stage')
    // `RUN rm /etc/motd` left an overlay whiteout (char 0/0) in the layer ...
    const wh = await lstat(join(img.layers[0]!, 'etc/motd'))
    assert.ok(wh.isCharacterDevice() && wh.rdev === 0)
    assert.equal(await mergedView(img.layers).lookup('/etc/motd'), undefined)
    // ... which still hides the host's file when the layer is a container's lower layer.
    assert.equal((await runImage(store, img, {}, ['/bin/sh', '-c', 'test ! -e /etc/motd && ls /app'])).output?.trim(), 'generated.json\nmain.js')
    // --target builds only the named stage.
    const build = await buildImage({ contextDir: join(examples!, 'multi-stage'), tags: ['multi:build'], store, runOnce, target: 'build' })
    assert.ok(existsSync(join(build.layers[0]!, 'out/generated.json')))
    assert.ok(!existsSync(join(build.layers[0]!, 'app')))
  })

  it('builds FROM a locally built image, with USER, ENTRYPOINT and ADD', async () => {
    const ctx = join(dir, 'ctx-child')
    await mkdir(join(ctx, 'pkg'), { recursive: true })
    await writeFile(join(ctx, 'pkg/data.txt'), 'data')
    execFileSync('tar', ['-cf', join(ctx, 'pkg.tar'), '-C', ctx, 'pkg'])
    await writeFile(join(ctx, 'Dockerfile'), [
      'FROM node-app:test',
      'ADD pkg.tar /opt/',
      'COPY --chown=nobody:nogroup --chmod=600 pkg/data.txt /home/data.txt',
      'USER nobody',
      'RUN id -u > /tmp/ignored; cat /opt/pkg/data.txt > /dev/null',
      'ENTRYPOINT ["node"]',
    ].join('\n'))
    const child = await buildImage({ contextDir: ctx, tags: ['child'], store, runOnce })
    const parent = await store.resolve('node-app:test')
    assert.deepEqual(child.layers.slice(1), parent!.layers)
    assert.equal(child.config.cmd, undefined, 'a new ENTRYPOINT resets the inherited CMD')
    assert.equal(child.config.user, 'nobody')
    const st = await lstat(join(child.layers[0]!, 'home/data.txt'))
    assert.deepEqual([st.uid, st.mode & 0o777], [65534, 0o600])
    const run = await runImage(store, child, {}, ['node', '-e', 'console.log(require("fs").readFileSync("/opt/pkg/data.txt", "utf8"), process.cwd())'])
    assert.equal(run.output?.trim(), 'data /app')
  })

  it('fails like BuildKit when RUN fails, and rejects ADD of a URL', async () => {
    const ctx = join(dir, 'ctx-fail')
    await mkdir(ctx)
    await writeFile(join(ctx, 'Dockerfile'), 'FROM debian\nRUN exit 3\n')
    await assert.rejects(buildImage({ contextDir: ctx, store, runOnce }), /process "\/bin\/sh -c exit 3" did not complete successfully: exit code: 3/)
    await writeFile(join(ctx, 'Dockerfile'), 'FROM debian\nADD https://example.com/x.tgz /x\n')
    await assert.rejects(buildImage({ contextDir: ctx, store, runOnce }), /not supported offline/)
    assert.deepEqual(await readdir(join(dir, 'images/tmp')), [], 'scratch dirs are removed on failure')
  })
})

describe('image build (rootless, uid 65534)', { skip: !root ? 'needs root to switch to uid 65534' : why ?? false }, () => {
  it('builds the node app and the multi-stage image and runs them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kl-build-rootless-'))
    try {
      chownSync(dir, 65534, 65534)
      // The child builds and runs as an ordinary user with a data dir it owns.
      const script = join(dir, 'rootless.mjs')
      const here = new URL('.', import.meta.url).href
      await writeFile(script, `
        const { buildImage, openImageStore } = await import(${JSON.stringify(`${here}index.js`)})
        const { runOnce } = await import(${JSON.stringify(`${here}../namespaces/shim.js`)})
        const { mkdir } = await import('node:fs/promises')
        const store = openImageStore(${JSON.stringify(join(dir, 'data/images'))})
        const out = {}
        for (const [name, ctx, env] of [['app', 'node-app', [['PORT', '0'], ['SELF_TEST', '1']]], ['multi', 'multi-stage', []]]) {
          const img = await buildImage({ contextDir: ${JSON.stringify(examples)} + '/' + ctx, tags: [name], store, runOnce })
          const s = await store.scratchDir('run')
          await mkdir(s + '/u'); await mkdir(s + '/w')
          const r = await runOnce({ layers: img.layers, upper: s + '/u', work: s + '/w', argv: img.config.cmd,
            env: [...img.config.env.map((e) => [e.split('=')[0], e.slice(e.indexOf('=') + 1)]), ...env],
            workingDir: img.config.workingDir, newUserNamespace: true, stdio: 'pipe' })
          out[name] = r.output
        }
        console.log(JSON.stringify(out))
      `)
      const res = spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', process.execPath, script],
        { encoding: 'utf8', cwd: dir, timeout: 60_000 })
      assert.equal(res.status, 0, res.stderr)
      const out = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, string>
      assert.match(out.app!, /hello from node-app/)
      assert.equal(out.multi!.trim(), 'hello from the build stage')
      const index = JSON.parse(await readFile(join(dir, 'data/images/index.json'), 'utf8')) as { images: unknown[] }
      assert.equal(index.images.length, 2)
    } finally {
      await removeTree(dir)
    }
  })
})
