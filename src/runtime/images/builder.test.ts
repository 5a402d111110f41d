import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildImage, DEFAULT_PATH } from './builder.js'
import { openImageStore } from './store.js'
import type { ImageStore, RunOnce } from './types.js'

// ARG/ENV scoping and config instructions, with RUN recorded instead of executed.
describe('buildImage: instructions and variables', () => {
  let dir: string
  let store: ImageStore
  const runs: Array<Parameters<RunOnce>[0]> = []
  const runOnce: RunOnce = async (opts) => { runs.push(opts); return { exitCode: 0, output: '' } }
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kl-builder-'))
    store = openImageStore(join(dir, 'images'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  async function build(dockerfile: string, opts: { buildArgs?: Record<string, string>; notes?: string[] } = {}) {
    const ctx = await mkdtemp(join(dir, 'ctx-'))
    await writeFile(join(ctx, 'Dockerfile'), dockerfile)
    await writeFile(join(ctx, 'file.txt'), 'x')
    runs.length = 0
    const notes = opts.notes ?? []
    return buildImage({ contextDir: ctx, store, runOnce, buildArgs: opts.buildArgs ?? {},
      progress: { note: (l) => notes.push(l), step: () => ({ log() {}, done() {}, error() {} }) } })
  }

  it('scopes ARG and ENV as docker does', async () => {
    const notes: string[] = []
    const img = await build([
      'ARG VERSION=20',
      'ARG UNUSED_GLOBAL',
      'FROM node:${VERSION}',
      'ARG VERSION',
      'ARG MODE=dev',
      'ENV A=1',
      'ENV A=2 B=$A C=${MODE:-x}-${VERSION}',
      'ENV LEGACY value with spaces',
      'LABEL org.opencontainers.image.title="my app" version=$VERSION',
      'EXPOSE 8080 53/udp',
      'WORKDIR /srv',
      'WORKDIR app',
      'RUN echo $A',
      'CMD node server.js',
    ].join('\n'), { buildArgs: { MODE: 'prod', npm_config_cache: '/nonexistent', NOT_DECLARED: 'x' }, notes })
    assert.deepEqual(img.config.env, [`PATH=${DEFAULT_PATH}`, 'A=2', 'B=1', 'C=prod-20', 'LEGACY=value with spaces'])
    assert.deepEqual(img.config.labels, { 'org.opencontainers.image.title': 'my app', version: '20' })
    assert.deepEqual(img.config.exposedPorts, ['8080/tcp', '53/udp'])
    assert.equal(img.config.workingDir, '/srv/app')
    assert.deepEqual(img.config.cmd, ['/bin/sh', '-c', 'node server.js'])
    const [run] = runs
    assert.deepEqual(run!.argv, ['/bin/sh', '-c', 'echo $A'])
    assert.equal(run!.workingDir, '/srv/app')
    const env = new Map(run!.env)
    assert.equal(env.get('MODE'), 'prod') // declared build args reach RUN
    assert.equal(env.get('VERSION'), '20')
    assert.equal(env.get('npm_config_cache'), '/nonexistent') // predefined: no ARG needed
    assert.equal(env.get('NOT_DECLARED'), undefined)
    assert.equal(env.get('HOME'), '/root')
    assert.deepEqual(run!.mounts, []) // the cache dir does not exist
    assert.deepEqual(notes, ['[Warning] One or more build-args [NOT_DECLARED] were not consumed'])
  })

  it('uses SHELL, exec-form RUN, and resets an inherited CMD on ENTRYPOINT', async () => {
    await build('FROM x AS base\nCMD ["base"]\n')
    const img = await build([
      'FROM x AS base',
      'CMD ["base"]',
      'FROM base',
      'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
      'RUN echo hi',
      'RUN ["/bin/true", "arg"]',
      'ENTRYPOINT ["/entry"]',
    ].join('\n'))
    assert.deepEqual(runs.map((r) => r.argv), [['/bin/bash', '-o', 'pipefail', '-c', 'echo hi'], ['/bin/true', 'arg']])
    assert.deepEqual(img.config.entrypoint, ['/entry'])
    assert.equal(img.config.cmd, undefined)
    assert.equal(img.layers.length, 2, 'the final stage over the base stage')
  })

  it('rejects what it cannot build', async () => {
    await assert.rejects(build('FROM scratch\n'), /FROM scratch is not supported/)
    await assert.rejects(build('RUN x\nFROM y\n'), /RUN before FROM/)
    await assert.rejects(build('FROM x\nRUN --mount=type=cache,target=/c x\n'), /RUN --mount is not supported/)
    await assert.rejects(build('FROM x\nCOPY --from=nope-stage-or-image missing /x\n'), /"\/missing": not found/)
    await assert.rejects(build('FROM x AS a\nCOPY --from=b /x /x\nFROM x AS b\nCOPY --from=a /y /y\n'), /circular dependency/)
  })
})
