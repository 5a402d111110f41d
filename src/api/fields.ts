/**
 * @module
 * Field selectors (`?fieldSelector=metadata.name=web,status.phase!=Running`): parsing with
 * upstream's escaping rules and fast matching against a resource's selectable fields.
 */
// Upstream: staging/src/k8s.io/apimachinery/pkg/fields/selector.go (ParseSelector,
// UnescapeValue, EscapeValue, hasTerm/notHasTerm/andTerm).
import { badRequest } from './errors.js'

export type FieldOperator = '=' | '==' | '!='
export type FieldRequirement = { readonly field: string; readonly op: FieldOperator; readonly value: string }
export type Fields = Readonly<Record<string, string>>

export type FieldSelector = {
  /** AND of these, in the sorted order of their source terms. */
  readonly requirements: readonly FieldRequirement[]
  /** True when the selector restricts nothing. */
  readonly empty: boolean
  /** A missing field reads as "", as upstream's fields.Set does. */
  matches(fields: Fields): boolean
  /** The value `field` must equal for any match, if the selector pins one. */
  requiresExactMatch(field: string): string | undefined
  toString(): string
}

/** Escapes `\`, `,` and `=` so a value survives a round trip through the selector syntax. */
export const escapeFieldValue = (s: string) => s.replace(/[\\,=]/g, (c) => `\\${c}`)

function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s
  let out = ''
  let slash = false
  for (const c of s) {
    if (slash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`)
      out += c
      slash = false
    } else if (c === '\\') {
      slash = true
    } else if (c === ',' || c === '=') {
      // Upstream prints the rune with %v, i.e. its code point number.
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`)
    } else {
      out += c
    }
  }
  if (slash) throw badRequest('invalid field selector: invalid escape sequence: \\')
  return out
}

// Splits on commas that are not escaped by a backslash.
function splitTerms(s: string): string[] {
  if (s === '') return []
  const terms: string[] = []
  let start = 0
  let slash = false
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (slash) slash = false
    else if (c === '\\') slash = true
    else if (c === ',') { terms.push(s.slice(start, i)); start = i + 1 }
  }
  terms.push(s.slice(start))
  return terms
}

// The first position where an operator starts wins; at one position "!=" and "==" beat "=".
function splitTerm(term: string): [string, FieldOperator, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)]
    }
  }
  return undefined
}

/** A selector from requirements, in the given order. */
export function fieldSelectorOf(reqs: readonly FieldRequirement[]): FieldSelector {
  const requirements = [...reqs]
  const n = requirements.length
  const fieldsOf = requirements.map((r) => r.field)
  const valuesOf = requirements.map((r) => r.value)
  const negated = requirements.map((r) => r.op === '!=')
  const text = requirements.map((r) => `${r.field}${r.op === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`).join(',')
  return {
    requirements, empty: n === 0,
    matches(fields) {
      for (let i = 0; i < n; i++) {
        const v = fields[fieldsOf[i]!]
        const equal = (typeof v === 'string' ? v : '') === valuesOf[i]
        if (equal === negated[i]) return false
      }
      return true
    },
    requiresExactMatch(field) {
      return requirements.find((r) => r.field === field && r.op !== '!=')?.value
    },
    toString: () => text,
  }
}

/** Matches every object. */
export const everyField: FieldSelector = fieldSelectorOf([])

/**
 * Parses the `?fieldSelector=` syntax. Throws a 400 StatusError with upstream's message.
 */
export function parseFieldSelector(s: string): FieldSelector {
  const reqs: FieldRequirement[] = []
  for (const part of splitTerms(s).sort()) {
    if (part === '') continue
    const split = splitTerm(part)
    if (!split) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`)
    const [field, op, raw] = split
    reqs.push({ field, op, value: unescapeValue(raw) })
  }
  return fieldSelectorOf(reqs)
}

/** Selects objects whose fields equal every entry of `set`. */
export const fieldSelectorFromSet = (set: Fields): FieldSelector =>
  fieldSelectorOf(Object.entries(set).map(([field, value]) => ({ field, op: '=', value })))
