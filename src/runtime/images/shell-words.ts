/**
 * @module
 * Dockerfile variable substitution: `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`,
 * `${VAR:+word}`, `${VAR+word}`, `${VAR:?msg}`, with quotes and escapes removed the way the
 * builder does for ADD, COPY, ENV, EXPOSE, FROM, LABEL, USER, WORKDIR and ARG.
 */

// Upstream: moby/buildkit frontend/dockerfile/shell/lex.go (ProcessWord, ProcessWords).
// Difference: no pattern operators (${VAR#x}, ${VAR%x}, ${VAR/x/y}).

/** Looks a variable up; undefined when it is not set. */
export type Lookup = (name: string) => string | undefined

type Piece = { text: string; quoted: boolean; split: boolean }

/** Expands one word: variables substituted, quotes and escapes removed, no splitting. */
export function expandWord(text: string, lookup: Lookup, escape = '\\'): string {
  return lex(text, lookup, escape).map((p) => p.text).join('')
}

/** Expands and splits into words on unquoted whitespace (COPY sources, EXPOSE ports ...). */
export function expandWords(text: string, lookup: Lookup, escape = '\\'): string[] {
  const words: string[] = []
  let cur: string | undefined
  for (const piece of lex(text, lookup, escape)) {
    if (!piece.split) {
      cur = (cur ?? '') + piece.text
      continue
    }
    // Unquoted text (literal or from a variable) splits on whitespace.
    const parts = piece.text.split(/[ \t\n]+/)
    parts.forEach((part, i) => {
      if (i > 0) {
        if (cur !== undefined) words.push(cur)
        cur = undefined
      }
      if (part !== '') cur = (cur ?? '') + part
    })
  }
  if (cur !== undefined) words.push(cur)
  return words
}

function lex(text: string, lookup: Lookup, escape: string): Piece[] {
  const out: Piece[] = []
  let i = 0
  const push = (t: string, quoted: boolean, split = !quoted) => {
    if (t !== '' || quoted) out.push({ text: t, quoted, split })
  }
  while (i < text.length) {
    const c = text[i]!
    if (c === escape) {
      // An escaped character is literal; a trailing escape stays as it is.
      if (i + 1 < text.length) push(text[i + 1]!, true, false)
      else push(c, false)
      i += 2
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1)
      if (end < 0) throw new Error(`unexpected end of statement while looking for matching single-quote`)
      push(text.slice(i + 1, end), true)
      i = end + 1
    } else if (c === '"') {
      let s = ''
      i++
      for (;;) {
        if (i >= text.length) throw new Error(`unexpected end of statement while looking for matching double-quote`)
        const d = text[i]!
        if (d === '"') { i++; break }
        if (d === escape && i + 1 < text.length && ['"', '$', escape].includes(text[i + 1]!)) {
          s += text[i + 1]
          i += 2
        } else if (d === '$') {
          const [value, next] = variable(text, i, lookup, escape)
          s += value
          i = next
        } else {
          s += d
          i++
        }
      }
      push(s, true)
    } else if (c === '$') {
      const [value, next] = variable(text, i, lookup, escape)
      push(value, false)
      i = next
    } else {
      let j = i
      while (j < text.length && !`'"$`.includes(text[j]!) && text[j] !== escape) j++
      push(text.slice(i, j), false)
      i = j
    }
  }
  return out
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/

function variable(text: string, i: number, lookup: Lookup, escape: string): [string, number] {
  const rest = text.slice(i + 1)
  if (rest[0] !== '{') {
    const m = NAME.exec(rest)
    if (!m) return ['$', i + 1] // a lone `$` is literal
    return [lookup(m[0]) ?? '', i + 1 + m[0].length]
  }
  const m = NAME.exec(rest.slice(1))
  if (!m) throw new Error(`bad substitution: ${text.slice(i)}`)
  const name = m[0]
  let j = i + 2 + name.length
  if (text[j] === '}') return [lookup(name) ?? '', j + 1]
  const op = text[j] === ':' ? text.slice(j, j + 2) : text[j]!
  if (![':-', '-', ':+', '+', ':?', '?'].includes(op)) throw new Error(`unsupported modifier (${op}) in substitution: ${text.slice(i)}`)
  j += op.length
  // The word runs to the matching brace; it is expanded itself (nested variables, quotes).
  let depth = 1
  let k = j
  for (; k < text.length; k++) {
    if (text[k] === escape) { k++; continue }
    if (text[k] === '{') depth++
    if (text[k] === '}' && --depth === 0) break
  }
  if (k >= text.length) throw new Error(`missing '}' in substitution: ${text.slice(i)}`)
  const word = () => expandWord(text.slice(j, k), lookup, escape)
  const value = lookup(name)
  const set = value !== undefined
  const nonEmpty = set && value !== ''
  let result: string
  switch (op) {
    case ':-': result = nonEmpty ? value : word(); break
    case '-': result = set ? value : word(); break
    case ':+': result = nonEmpty ? word() : ''; break
    case '+': result = set ? word() : ''; break
    default: {
      const ok = op === ':?' ? nonEmpty : set
      if (!ok) throw new Error(`${name}: ${word() || 'is not allowed to be unset'}`)
      result = value!
    }
  }
  return [result, k + 1]
}
