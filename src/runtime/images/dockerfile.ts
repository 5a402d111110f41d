/**
 * @module
 * Dockerfile parsing: parser directives, comments, line continuations, flags (`--from=x`),
 * and JSON (exec) versus shell form. Variable substitution happens later, in the builder,
 * because it depends on the ARG and ENV values in force at each instruction.
 */

// Upstream: moby/buildkit frontend/dockerfile/parser/parser.go (Parse, directives, continuations).

/** One instruction, with `line` the 1-based line it starts on. */
export type Instruction = {
  keyword: string // upper case: FROM, RUN, COPY ...
  flags: Record<string, string> // `--name=value` before the arguments; `--name` alone is "true"
  /** The arguments after the flags, continuation lines joined, unexpanded. */
  rest: string
  /** The exec form's words when the arguments are a JSON array of strings. */
  json?: string[]
  line: number
  /** The instruction as written on one line, for progress output. */
  text: string
}

export type Dockerfile = { escape: string; instructions: Instruction[] }

/** Parses a Dockerfile's text; throws with the line number on a malformed instruction. */
export function parseDockerfile(source: string): Dockerfile {
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/)
  let escape = '\\'
  // Parser directives (`# syntax=`, `# escape=`) only count before anything else.
  let i = 0
  for (; i < lines.length; i++) {
    const m = /^\s*#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/.exec(lines[i]!)
    if (!m) break
    const name = m[1]!.toLowerCase()
    if (name === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw new Error(`invalid escape token '${m[2]}' does not match ` + '` or \\')
      escape = m[2]!
    }
    // `syntax` and `check` are ignored: there is one built-in frontend.
  }
  const instructions: Instruction[] = []
  const continued = new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*$`)
  while (i < lines.length) {
    const raw = lines[i]!
    const start = i + 1
    i++
    if (/^\s*(#|$)/.test(raw)) continue
    let text = raw
    while (continued.test(text)) {
      text = text.replace(continued, '')
      // Comment and empty lines inside a continued instruction are dropped, as docker does.
      while (i < lines.length && /^\s*(#|$)/.test(lines[i]!)) i++
      if (i >= lines.length) break
      text += lines[i]!
      i++
    }
    instructions.push(parseInstruction(text.trim(), start))
  }
  return { escape, instructions }
}

function parseInstruction(text: string, line: number): Instruction {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(text)!
  const keyword = m[1]!.toUpperCase()
  let rest = m[2]!
  const flags: Record<string, string> = {}
  if (FLAGGED.has(keyword)) {
    for (;;) {
      const f = /^--([a-zA-Z][a-zA-Z0-9-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest)
      if (!f) break
      flags[f[1]!] = f[2] ?? 'true'
      rest = rest.slice(f[0].length)
    }
  }
  rest = rest.trim()
  const inst: Instruction = { keyword, flags, rest, line, text }
  if (rest.startsWith('[')) {
    try {
      const parsed = JSON.parse(rest) as unknown
      if (Array.isArray(parsed) && parsed.every((w) => typeof w === 'string')) inst.json = parsed
    } catch {
      // Not JSON: docker falls back to the shell form.
    }
  }
  if (!KNOWN.has(keyword)) throw new Error(`dockerfile parse error on line ${line}: unknown instruction: ${m[1]}`)
  if (rest === '' && NEEDS_ARGS.has(keyword)) throw new Error(`dockerfile parse error on line ${line}: ${keyword} requires at least one argument`)
  return inst
}

const KNOWN = new Set(['FROM', 'ARG', 'ENV', 'LABEL', 'WORKDIR', 'COPY', 'ADD', 'RUN', 'USER', 'EXPOSE', 'CMD',
  'ENTRYPOINT', 'SHELL', 'VOLUME', 'STOPSIGNAL', 'HEALTHCHECK', 'ONBUILD', 'MAINTAINER'])
const FLAGGED = new Set(['FROM', 'COPY', 'ADD', 'RUN', 'HEALTHCHECK'])
const NEEDS_ARGS = new Set(['FROM', 'ARG', 'ENV', 'LABEL', 'WORKDIR', 'COPY', 'ADD', 'RUN', 'USER', 'EXPOSE', 'SHELL'])

/** Splits ENV/LABEL/ARG arguments into words, keeping quotes (expansion removes them later). */
export function splitKeepingQuotes(text: string, escape = '\\'): string[] {
  const words: string[] = []
  let cur = ''
  let quote = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === escape && i + 1 < text.length) {
      cur += c + text[i + 1]
      i++
    } else if (quote) {
      cur += c
      if (c === quote) quote = ''
    } else if (c === '"' || c === "'") {
      cur += c
      quote = c
    } else if (/\s/.test(c)) {
      if (cur) words.push(cur)
      cur = ''
    } else {
      cur += c
    }
  }
  if (quote) throw new Error(`unmatched ${quote} in: ${text}`)
  if (cur) words.push(cur)
  return words
}

/**
 * The key/value pairs of ENV or LABEL: `k=v k2="v 2"`, or the legacy `ENV k the rest`.
 * Values come back unexpanded.
 */
export function keyValuePairs(inst: Instruction, escape = '\\'): Array<[string, string]> {
  const words = splitKeepingQuotes(inst.rest, escape)
  if (!words[0]?.includes('=')) {
    // Legacy form: the first word is the key, the rest of the line the value.
    const key = words[0] ?? ''
    const value = inst.rest.slice(inst.rest.indexOf(key) + key.length).trim()
    if (inst.keyword === 'ENV' && value === '') throw new Error(`dockerfile parse error on line ${inst.line}: ENV names can not be blank`)
    return [[key, value]]
  }
  return words.map((w) => {
    const eq = w.indexOf('=')
    if (eq <= 0) throw new Error(`dockerfile parse error on line ${inst.line}: ${inst.keyword} names can not be blank`)
    return [w.slice(0, eq), w.slice(eq + 1)]
  })
}
