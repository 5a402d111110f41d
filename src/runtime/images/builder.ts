/**
 * @module
 * `image build`: runs a Dockerfile's stages into layer directories and records the image.
 * Each stage writes into one layer directory (the overlay upper dir) on top of its base's
 * layers and the host base; RUN executes there through the container shim, COPY/ADD write
 * into it directly. Stages build on demand, so `--target` builds only what it needs.
 */
import { mkdir, readFile } from 'node:fs/promises'
import { existsSync, statSync } from 'node:fs'
import { join, posix, resolve } from 'node:path'
import { keyValuePairs, parseDockerfile, splitKeepingQuotes, type Instruction } from './dockerfile.js'
import { expandWord, expandWords, type Lookup } from './shell-words.js'
import { copyIntoLayer, ensureDir } from './copy.js'
import { mergedView, type MergedView } from './merged-view.js'
import { dockerignore, type IgnoreMatcher } from './patterns.js'
import { normalizeImageRef } from './reference.js'
import { resolveUser } from './user.js'
import { removeTree } from './store.js'
import { silentProgress, type Progress } from './progress.js'
import type { ImageConfig, ImageRecord, ImageStore, RunOnce } from './types.js'

export type BuildOptions = {
  contextDir: string
  /** The Dockerfile's path (default `<contextDir>/Dockerfile`). */
  dockerfile?: string
  tags?: string[]
  buildArgs?: Record<string, string>
  /** The stage to build (default: the last). */
  target?: string
  store: ImageStore
  runOnce: RunOnce
  progress?: Progress
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

// Passed to RUN without an ARG, like docker's proxy variables. npm's settings are kubelite's
// addition: a local cache (`--build-arg npm_config_cache=DIR`) works without editing the file.
const PREDEFINED = /^(https?_proxy|ftp_proxy|no_proxy|all_proxy|npm_config_[a-z_]+)$/i

type Stage = { index: number; name?: string; from: Instruction; body: Instruction[] }
type Built = { layers: string[]; upper: string; config: ImageConfig }

const arch = () => ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch

/** Builds the image, tags it, and returns its record. */
export async function buildImage(opts: BuildOptions): Promise<ImageRecord> {
  const progress = opts.progress ?? silentProgress
  const dockerfilePath = resolve(opts.dockerfile ?? join(opts.contextDir, 'Dockerfile'))
  const buildArgs = opts.buildArgs ?? {}
  const v1 = progress.step('[internal] load build definition from ' + posix.basename(dockerfilePath))
  const source = await readFile(dockerfilePath, 'utf8')
  v1.log(`transferring dockerfile: ${Buffer.byteLength(source)}B done`)
  const { escape, instructions } = parseDockerfile(source)
  v1.done()
  const v2 = progress.step('[internal] load .dockerignore')
  const ignorePath = join(opts.contextDir, '.dockerignore')
  const ignore: IgnoreMatcher | undefined = existsSync(ignorePath) ? dockerignore(await readFile(ignorePath, 'utf8')) : undefined
  v2.done()

  // Global ARGs (before the first FROM) feed FROM lines and stages that redeclare them.
  const platform = { TARGETPLATFORM: `linux/${arch()}`, TARGETOS: 'linux', TARGETARCH: arch(), BUILDPLATFORM: `linux/${arch()}`, BUILDOS: 'linux', BUILDARCH: arch() }
  const globals = new Map<string, string | undefined>(Object.entries(platform))
  const used = new Set<string>()
  const declare = (scope: Map<string, string | undefined>, inst: Instruction, lookup: Lookup, outer?: Map<string, string | undefined>) => {
    for (const word of splitKeepingQuotes(inst.rest, escape)) {
      const eq = word.indexOf('=')
      const name = eq < 0 ? word : word.slice(0, eq)
      used.add(name)
      const given = Object.hasOwn(buildArgs, name) ? buildArgs[name] : undefined
      const dflt = eq < 0 ? outer?.get(name) : expandWord(word.slice(eq + 1), lookup, escape)
      scope.set(name, given ?? dflt)
    }
  }
  const stages: Stage[] = []
  for (const inst of instructions) {
    if (inst.keyword === 'FROM') {
      const words = inst.rest.split(/\s+/)
      const name = words.length === 3 && words[1]!.toLowerCase() === 'as' ? words[2]!.toLowerCase() : undefined
      if (words.length !== 1 && !name) throw new Error(`dockerfile parse error on line ${inst.line}: FROM requires either one or three arguments`)
      stages.push({ index: stages.length, ...(name ? { name } : {}), from: inst, body: [] })
    } else if (stages.length) stages.at(-1)!.body.push(inst)
    else if (inst.keyword === 'ARG') declare(globals, inst, (n) => globals.get(n), undefined)
    else throw new Error(`dockerfile parse error on line ${inst.line}: ${inst.keyword} before FROM (only ARG may come first)`)
  }
  if (!stages.length) throw new Error('the Dockerfile has no FROM instruction')
  const findStage = (ref: string) => stages.find((s) => s.name === ref.toLowerCase()) ?? (/^\d+$/.test(ref) ? stages[Number(ref)] : undefined)
  const target = opts.target === undefined ? stages.at(-1)! : findStage(opts.target)
  if (!target) throw new Error(`target stage "${opts.target}" could not be found`)

  const scratch = await opts.store.scratchDir('build')
  const built = new Map<Stage, Built>()
  const building = new Set<Stage>()
  const multi = stages.length > 1
  try {
    const result = await buildStage(target)
    const v = progress.step('exporting to image')
    // Each stage's upper dir becomes a stored layer; base images' layers are stored already.
    const layers: string[] = []
    for (const layer of result.layers) layers.push(layer.startsWith(scratch) ? await opts.store.commitLayer(layer) : layer)
    v.log('exporting layers done')
    const record = await opts.store.commit({ layers, config: result.config, names: opts.tags ?? [] })
    v.log(`writing image ${record.id} done`)
    for (const name of record.names.filter((n) => (opts.tags ?? []).map(normalizeImageRef).includes(n))) v.log(`naming to ${name} done`)
    v.done()
    const unused = Object.keys(buildArgs).filter((k) => !used.has(k) && !PREDEFINED.test(k))
    if (unused.length) progress.note(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed`)
    return record
  } finally {
    await removeTree(scratch)
  }

  async function buildStage(stage: Stage): Promise<Built> {
    const done = built.get(stage)
    if (done) return done
    if (building.has(stage)) throw new Error(`circular dependency detected on stage: ${stage.name ?? stage.index}`)
    building.add(stage)
    // Stages this one copies from are built first, so each vertex's output stays together.
    for (const inst of stage.body) {
      if (inst.flags.from === undefined) continue
      const dep = findStage(expandWord(inst.flags.from, (n) => globals.get(n), escape))
      if (dep && dep !== stage) await buildStage(dep)
    }
    const label = (i: number, n: number) => `[${multi ? `${stage.name ?? `stage-${stage.index}`} ` : ''}${i}/${n}]`
    const steps = 1 + stage.body.filter((i) => ['RUN', 'COPY', 'ADD', 'WORKDIR'].includes(i.keyword)).length
    let step = 1
    const fromRef = expandWord(stage.from.rest.split(/\s+/)[0]!, (n) => globals.get(n), escape)
    let layers: string[] = []
    let config: ImageConfig = { env: [`PATH=${DEFAULT_PATH}`] }
    const base = findStage(fromRef)
    if (base && base.index < stage.index) {
      const b = await buildStage(base)
      layers = b.layers
      config = structuredClone(b.config)
      progress.step(`${label(step++, steps)} FROM ${fromRef}`).done()
    } else {
      if (fromRef.toLowerCase() === 'scratch') throw new Error('FROM scratch is not supported: images run on the host base (use any base name)')
      const name = normalizeImageRef(fromRef)
      const v = progress.step(`${label(step++, steps)} FROM ${name}`)
      const local = await opts.store.resolve(name)
      if (local) {
        layers = local.layers
        config = structuredClone(local.config)
        v.log(`using local image ${local.id}`)
      } else {
        v.log(`${name} is not in the local store: building on the host base`)
      }
      v.done()
    }
    const upper = join(scratch, `stage-${stage.index}`)
    await mkdir(upper)
    const view = mergedView([upper, ...layers])
    const args = new Map<string, string | undefined>()
    let shell = ['/bin/sh', '-c']
    let cmdSet = false
    const envMap = () => new Map(config.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as const))
    const lookup: Lookup = (n) => envMap().get(n) ?? args.get(n)
    const setEnv = (k: string, v: string) => { config.env = [...config.env.filter((e) => !e.startsWith(`${k}=`)), `${k}=${v}`] }

    for (const inst of stage.body) {
      const title = `${inst.keyword}${inst.text.slice(inst.text.search(/\s|$/))}`.replace(/\s+/g, ' ')
      switch (inst.keyword) {
        case 'ARG': declare(args, inst, lookup, globals); break
        case 'ENV': {
          // Every pair is expanded before any is set: `ENV a=1 b=$a` gives b the old a, as docker does.
          const pairs = keyValuePairs(inst, escape).map(([k, v]) => [expandWord(k, lookup, escape), expandWord(v, lookup, escape)] as const)
          for (const [k, v] of pairs) setEnv(k, v)
          break
        }
        case 'LABEL':
          for (const [k, v] of keyValuePairs(inst, escape)) config.labels = { ...config.labels, [expandWord(k, lookup, escape)]: expandWord(v, lookup, escape) }
          break
        case 'USER': config.user = expandWord(inst.rest, lookup, escape); break
        case 'EXPOSE':
          for (const p of expandWords(inst.rest, lookup, escape)) {
            const port = p.includes('/') ? p.toLowerCase() : `${p}/tcp`
            if (!/^\d+(-\d+)?\/(tcp|udp|sctp)$/.test(port)) throw new Error(`line ${inst.line}: invalid containerPort: ${p}`)
            config.exposedPorts = [...new Set([...(config.exposedPorts ?? []), port])]
          }
          break
        case 'CMD':
          config.cmd = inst.json ?? [...shell, inst.rest]
          cmdSet = true
          break
        case 'ENTRYPOINT':
          config.entrypoint = inst.json ?? [...shell, inst.rest]
          if (!cmdSet) delete config.cmd // an inherited CMD is reset by a new ENTRYPOINT, as docker does
          break
        case 'SHELL':
          if (!inst.json?.length) throw new Error(`line ${inst.line}: SHELL requires the arguments to be in JSON form`)
          shell = inst.json
          break
        case 'WORKDIR': {
          const dir = posix.resolve(config.workingDir ?? '/', expandWord(inst.rest, lookup, escape))
          const v = progress.step(`${label(step++, steps)} WORKDIR ${dir}`)
          await ensureDir({ upper, view }, dir)
          config.workingDir = dir
          v.done()
          break
        }
        case 'COPY': case 'ADD': {
          const v = progress.step(`${label(step++, steps)} ${title}`)
          try {
            await copy(inst, { upper, view, config, lookup, progress: v })
          } catch (err) {
            v.error((err as Error).message)
            throw new Error(`${inst.keyword} failed (line ${inst.line}): ${(err as Error).message}`, { cause: err })
          }
          v.done()
          break
        }
        case 'RUN': {
          const v = progress.step(`${label(step++, steps)} ${title}`)
          if (inst.flags.mount) throw new Error(`line ${inst.line}: RUN --mount is not supported`)
          const env = envMap()
          for (const [k, val] of args) if (val !== undefined && !env.has(k)) env.set(k, val)
          for (const [k, val] of Object.entries(buildArgs)) if (PREDEFINED.test(k) && !env.has(k)) env.set(k, val)
          const argv = inst.json ?? [...shell, inst.rest]
          const workingDir = config.workingDir ?? '/'
          await ensureDir({ upper, view }, workingDir)
          const user = config.user ? await resolveUser(config.user, view) : undefined
          const cache = env.get('npm_config_cache') ?? env.get('NPM_CONFIG_CACHE')
          // A host npm cache is mounted, not copied: the image gets node_modules, not the cache.
          const mounts = cache && cache.startsWith('/') && existsSync(cache) && statSync(cache).isDirectory()
            ? [{ hostPath: cache, containerPath: cache }] : []
          if (!env.has('HOME')) env.set('HOME', user && user.uid !== 0 ? '/' : '/root')
          const work = join(scratch, `work-${stage.index}-${step}`)
          await mkdir(work)
          let res: Awaited<ReturnType<RunOnce>>
          try {
            res = await opts.runOnce({ layers, upper, work, argv, env: [...env], workingDir, ...(user ? { user } : {}),
              newUserNamespace: process.getuid?.() !== 0, mounts, stdio: 'pipe' })
          } finally {
            await removeTree(work)
          }
          if (res.output) v.log(res.output)
          if (res.exitCode !== 0 || res.signal) {
            const why = res.signal ? `signal: ${res.signal}` : `exit code: ${res.exitCode}`
            const msg = `process "${argv.join(' ')}" did not complete successfully: ${why}`
            v.error(msg)
            throw new Error(msg)
          }
          v.done()
          break
        }
        default:
          progress.note(`[Warning] line ${inst.line}: ${inst.keyword} is ignored by kubelite image build`)
      }
    }
    const result = { layers: [upper, ...layers], upper, config }
    built.set(stage, result)
    return result
  }

  async function copy(inst: Instruction, s: { upper: string; view: MergedView; config: ImageConfig; lookup: Lookup; progress: { log(l: string): void } }) {
    const words = inst.json?.map((w) => expandWord(w, s.lookup, escape)) ?? expandWords(inst.rest, s.lookup, escape)
    if (words.length < 2) throw new Error(`${inst.keyword} requires at least two arguments`)
    const sources = words.slice(0, -1)
    let dest = words.at(-1)!
    if (!dest.startsWith('/')) dest = posix.join(s.config.workingDir ?? '/', dest) + (dest.endsWith('/') || dest === '.' ? '/' : '')
    for (const src of sources) {
      if (/^(https?:\/\/|git@|git:\/\/)/.test(src)) throw new Error(`${inst.keyword} from a URL is not supported offline: ${src}`)
    }
    const fromRef = inst.flags.from === undefined ? undefined : expandWord(inst.flags.from, s.lookup, escape)
    let from: MergedView
    if (fromRef === undefined) from = mergedView([opts.contextDir], { hostBase: false })
    else {
      const st = findStage(fromRef)
      if (st) {
        const b = await buildStage(st)
        from = mergedView(b.layers)
      } else {
        const img = await opts.store.resolve(normalizeImageRef(fromRef))
        if (!img) s.progress.log(`${normalizeImageRef(fromRef)} is not in the local store: copying from the host base`)
        from = mergedView(img?.layers ?? [])
      }
    }
    const chown = inst.flags.chown === undefined ? undefined : expandWord(inst.flags.chown, s.lookup, escape)
    const owner = chown !== undefined ? await resolveUser(chown, s.view) : fromRef === undefined ? { uid: 0, gid: 0 } : 'preserve' as const
    const chmodFlag = inst.flags.chmod
    if (chmodFlag !== undefined && !/^[0-7]{3,4}$/.test(chmodFlag)) throw new Error(`invalid --chmod=${chmodFlag}: want an octal mode`)
    await copyIntoLayer({
      from, sources, dest, upper: s.upper, view: s.view,
      owner: owner === 'preserve' ? owner : { uid: owner.uid, gid: owner.gid },
      ...(chmodFlag ? { chmod: parseInt(chmodFlag, 8) } : {}),
      ...(fromRef === undefined && ignore ? { ignore } : {}),
      extractArchives: inst.keyword === 'ADD',
      warn: (m) => s.progress.log(`WARN: ${m}`),
    })
  }
}
