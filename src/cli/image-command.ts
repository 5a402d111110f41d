/**
 * @module
 * `kubelite image build|ls|rm`: the local image store from the command line. Build progress
 * goes to stderr in BuildKit's plain format; the image id and name end it.
 */
import { parseArgs } from 'node:util'
import { join, resolve } from 'node:path'
import { buildImage, familiarName, openImageStore, plainProgress, type ImageRecord } from '../runtime/images/index.js'
import { helpText, UsageError } from './args.js'
import { defaultDataDir } from './defaults.js'

export const help = [
  'Usage: kubelite image <build|ls|rm> [flags]',
  '',
  'Builds images from Dockerfiles into the local store, lists and removes them. Images run on',
  "the host's root filesystem (read-only) with their own files on top.",
  '',
  helpText('kubelite image build -t NAME:TAG [flags] DIR', 'Builds DIR with its Dockerfile.', [
    ['-t, --tag NAME:TAG', 'Name the image (repeatable)'],
    ['-f, --file PATH', 'The Dockerfile (default DIR/Dockerfile)'],
    ['--build-arg K=V', 'Set a build argument (repeatable)'],
    ['--target STAGE', 'Build this stage (default: the last)'],
    ['-q, --quiet', 'Print only the image id'],
    ['--data-dir DIR', `Where the store lives (default ${defaultDataDir()})`],
  ]).replace(/^Usage: /, '  '),
  helpText('kubelite image ls [flags]', 'Lists images: REPOSITORY TAG IMAGE ID CREATED SIZE.', [
    ['-q, --quiet', 'Print only image ids'],
    ['--no-trunc', 'Print full image ids'],
    ['--data-dir DIR', 'Where the store lives'],
  ]).replace(/^Usage: /, '  '),
  helpText('kubelite image rm NAME|ID...', 'Untags images; an image with no name left is deleted.', [
    ['--data-dir DIR', 'Where the store lives'],
  ]).replace(/^Usage: /, '  '),
].join('\n')

type Flags = NonNullable<Parameters<typeof parseArgs>[0]>['options']

function parse<F extends Flags>(sub: string, args: string[], options: F) {
  try {
    return parseArgs({ args, options: { ...options, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true })
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify.*$/s, ''), `image ${sub}`)
  }
}

const storeOf = (dataDir: unknown) => openImageStore(join(typeof dataDir === 'string' ? resolve(dataDir) : defaultDataDir(), 'images'))

/** Runs `kubelite image ...` with the words after "image". */
export async function run(args: string[]): Promise<void> {
  const [sub, ...rest] = args
  if (sub === 'build') return build(rest)
  if (sub === 'ls' || sub === 'list') return list(rest)
  if (sub === 'rm' || sub === 'remove') return remove(rest)
  throw new UsageError(sub ? `unknown command "${sub}"` : 'missing command: build, ls or rm', 'image')
}

async function build(args: string[]): Promise<void> {
  const { values, positionals } = parse('build', args, {
    tag: { type: 'string', short: 't', multiple: true },
    file: { type: 'string', short: 'f' },
    'build-arg': { type: 'string', multiple: true },
    target: { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
  })
  if (positionals.length !== 1) throw new UsageError('"image build" requires exactly 1 argument: the build context directory', 'image build')
  const buildArgs: Record<string, string> = {}
  for (const kv of (values['build-arg'] as string[] | undefined) ?? []) {
    const eq = kv.indexOf('=')
    // `--build-arg NAME` takes the value from the environment, as docker does.
    if (eq < 0) { if (process.env[kv] !== undefined) buildArgs[kv] = process.env[kv]! } else buildArgs[kv.slice(0, eq)] = kv.slice(eq + 1)
  }
  const contextDir = resolve(positionals[0]!)
  const { runOnce } = await import('../runtime/namespaces/shim.js')
  const quiet = values.quiet === true
  const record = await buildImage({
    contextDir,
    ...(typeof values.file === 'string' ? { dockerfile: resolve(values.file) } : {}),
    tags: (values.tag as string[] | undefined) ?? [],
    buildArgs,
    ...(typeof values.target === 'string' ? { target: values.target } : {}),
    store: storeOf(values['data-dir']),
    runOnce,
    progress: plainProgress((t) => { if (!quiet) process.stderr.write(t) }),
  })
  process.stdout.write(quiet ? `${record.id}\n` : `Successfully built ${shortId(record.id)}\n${record.names.map((n) => `Successfully tagged ${n}\n`).join('')}`)
}

const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12)

/** Docker's human sizes: decimal units, three significant digits (e.g. "1.23MB"). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let i = 0
  let n = bytes
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++ }
  return `${Number(n.toPrecision(3))}${units[i]}`
}

/** Docker's "CREATED" column: "About a minute ago", "3 hours ago" ... */
export function humanAgo(fromMs: number, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - fromMs) / 1000))
  const h = s / 3600
  let text: string
  if (s < 1) text = 'Less than a second'
  else if (s === 1) text = '1 second'
  else if (s < 60) text = `${s} seconds`
  else if (Math.round(s / 60) === 1) text = 'About a minute'
  else if (s < 3600) text = `${Math.round(s / 60)} minutes`
  else if (Math.round(h) === 1) text = 'About an hour'
  else if (h < 48) text = `${Math.round(h)} hours`
  else if (h < 24 * 7 * 2) text = `${Math.round(h / 24)} days`
  else if (h < 24 * 30 * 2) text = `${Math.round(h / 24 / 7)} weeks`
  else if (h < 24 * 365 * 2) text = `${Math.round(h / 24 / 30)} months`
  else text = `${Math.round(h / 24 / 365)} years`
  return `${text} ago`
}

/** The rows of `image ls`, one per name (an unnamed image shows as <none>), newest first. */
export function imageTable(images: ImageRecord[], nowMs: number, { noTrunc = false } = {}): string {
  const rows = [['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE']]
  const sorted = [...images].sort((a, b) => b.created.localeCompare(a.created))
  for (const img of sorted) {
    const id = noTrunc ? img.id : shortId(img.id)
    const tail = [id, humanAgo(Date.parse(img.created), nowMs), humanSize(img.size)]
    if (!img.names.length) rows.push(['<none>', '<none>', ...tail])
    for (const name of img.names) {
      const { repository, tag } = familiarName(name)
      rows.push([repository, tag, ...tail])
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 3))).join('')).join('\n') + '\n'
}

async function list(args: string[]): Promise<void> {
  const { values, positionals } = parse('ls', args, { quiet: { type: 'boolean', short: 'q' }, 'no-trunc': { type: 'boolean' } })
  if (positionals.length) throw new UsageError(`unexpected argument: ${positionals[0]}`, 'image ls')
  const images = await storeOf(values['data-dir']).list()
  if (values.quiet) process.stdout.write(images.map((i) => `${values['no-trunc'] ? i.id : shortId(i.id)}\n`).join(''))
  else process.stdout.write(imageTable(images, Date.now(), { noTrunc: values['no-trunc'] === true }))
}

async function remove(args: string[]): Promise<void> {
  const { values, positionals } = parse('rm', args, {})
  if (!positionals.length) throw new UsageError('"image rm" requires at least 1 argument', 'image rm')
  const store = storeOf(values['data-dir'])
  const missing: string[] = []
  for (const ref of positionals) {
    const img = await store.resolve(ref)
    if (!img || !(await store.remove(ref))) { missing.push(ref); continue }
    const after = await store.resolve(img.id)
    process.stdout.write(after ? `Untagged: ${ref}\n` : `Untagged: ${ref}\nDeleted: ${img.id}\n`)
  }
  if (missing.length) throw new Error(missing.map((r) => `No such image: ${r}`).join('\n'))
}
