/**
 * @module
 * Label selectors: the `?labelSelector=` string syntax, `metav1.LabelSelector` objects, and
 * matching. Matching runs once per object in lists of thousands, so each requirement is
 * compiled to a closure when the selector is built, and `matches` only calls them.
 */
// Upstream: staging/src/k8s.io/apimachinery/pkg/labels/selector.go (Parse, NewRequirement,
// Requirement.Matches, Requirement.String); pkg/apis/meta/v1/helpers.go (LabelSelectorAsSelector);
// pkg/apis/meta/v1/validation/validation.go (ValidateLabelSelector). Parsing of "(,,)" follows the
// later upstream fix (accepted as the empty value) rather than v1.32's error.
import type { LabelSelector as MetaLabelSelector } from 'kubernetes-types/meta/v1.js'
import { badRequest } from './errors.js'
import { type FieldError, forbiddenField, invalidValue, path as joinPath, required } from './field-errors.js'
import { isQualifiedName, isValidLabelValue } from './names.js'

/** Upstream's selection.Operator values. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt'
export type LabelRequirement = { readonly key: string; readonly operator: LabelOperator; readonly values: readonly string[] }
export type Labels = Readonly<Record<string, string>>

export type LabelSelector = {
  /** AND of these, sorted by key. Empty for both "everything" and "nothing". */
  readonly requirements: readonly LabelRequirement[]
  /** True when the selector restricts nothing (matches every object). */
  readonly empty: boolean
  /** True only for the selector that matches no object (a nil `metav1.LabelSelector`). */
  readonly matchesNothing: boolean
  matches(labels?: Labels): boolean
  /** The value `key` must equal for any match (`key=v`, `key==v`, `key in (v)`), if there is one. */
  requiresExactMatch(key: string): string | undefined
  toString(): string
}

const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt']
const VALID_OPERATORS = [...BINARY_OPERATORS, 'exists', '!']

type Matcher = (labels: Labels | undefined) => boolean
// Labels come from JSON, so a missing key can still hit Object.prototype ("constructor"):
// only a string counts as present.
const lookup = (labels: Labels | undefined, key: string): string | undefined => {
  const v = labels?.[key]
  return typeof v === 'string' ? v : undefined
}
const INT64 = /^[+-]?[0-9]+$/
function parseInt64(s: string): bigint | undefined {
  if (!INT64.test(s)) return undefined
  const n = BigInt(s)
  return n > 9223372036854775807n || n < -9223372036854775808n ? undefined : n
}

function compile(r: LabelRequirement): Matcher {
  const { key, operator, values } = r
  const one = values[0]
  const has: (v: string) => boolean = values.length === 1 ? (v) => v === one
    : values.length < 6 ? (v) => values.includes(v) : ((set) => (v: string) => set.has(v))(new Set(values))
  switch (operator) {
    case 'in': case '=': case '==':
      return (l) => { const v = lookup(l, key); return v !== undefined && has(v) }
    case 'notin': case '!=':
      return (l) => { const v = lookup(l, key); return v === undefined || !has(v) }
    case 'exists': return (l) => lookup(l, key) !== undefined
    case '!': return (l) => lookup(l, key) === undefined
    case 'gt': case 'lt': {
      const bound = values.length === 1 ? parseInt64(one ?? '') : undefined
      if (bound === undefined) return () => false
      return (l) => {
        const v = lookup(l, key)
        const n = v === undefined ? undefined : parseInt64(v)
        return n !== undefined && (operator === 'gt' ? n > bound : n < bound)
      }
    }
  }
}

function requirementString({ key, operator, values }: LabelRequirement): string {
  if (operator === '!') return `!${key}`
  if (operator === 'exists') return key
  const vals = values.length === 1 ? values[0] : [...values].sort().join(',')
  switch (operator) {
    case 'in': return `${key} in (${vals})`
    case 'notin': return `${key} notin (${vals})`
    case 'gt': return `${key}>${vals}`
    case 'lt': return `${key}<${vals}`
    default: return `${key}${operator}${vals}`
  }
}

/** A selector from already-validated requirements (sorted by key, as upstream does). */
export function labelSelectorOf(reqs: readonly LabelRequirement[]): LabelSelector {
  const requirements = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  const matchers = requirements.map(compile)
  const n = matchers.length
  const text = requirements.map(requirementString).join(',')
  return {
    requirements, empty: n === 0, matchesNothing: false,
    matches: n === 0 ? () => true
      : n === 1 ? matchers[0]!
      : (labels) => { for (let i = 0; i < n; i++) if (!matchers[i]!(labels)) return false; return true },
    requiresExactMatch(key) {
      const r = requirements.find((x) => x.key === key)
      if (!r || !(r.operator === '=' || r.operator === '==' || r.operator === 'in') || r.values.length !== 1) return undefined
      return r.values[0]
    },
    toString: () => text,
  }
}

/** Matches every object. */
export const selectEverything: LabelSelector = labelSelectorOf([])
/** Matches no object. */
export const selectNothing: LabelSelector = {
  requirements: [], empty: false, matchesNothing: true,
  matches: () => false, requiresExactMatch: () => undefined, toString: () => '',
}

/** Selects objects carrying every label of `set` (nothing checked: for trusted sets). */
export function labelSelectorFromSet(set: Labels | undefined): LabelSelector {
  return labelSelectorOf(Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: '=', values: [v] })))
}

const keyProblem = (key: string, field: string): string | undefined => {
  const errs = isQualifiedName(key)
  return errs.length ? invalidValue(field, key, errs.join('; ')).error : undefined
}

// Upstream's NewRequirement checks, with its field paths ("key", "values[0][app]").
function requirementProblems(key: string, operator: string, values: readonly string[]): string[] {
  const errs: string[] = []
  const k = keyProblem(key, 'key')
  if (k) errs.push(k)
  switch (operator) {
    case 'in': case 'notin':
      if (values.length === 0) errs.push(invalidValue('values', values, "for 'in', 'notin' operators, values set can't be empty").error)
      break
    case '=': case '==': case '!=':
      if (values.length !== 1) errs.push(invalidValue('values', values, 'exact-match compatibility requires one single value').error)
      break
    case 'exists': case '!':
      if (values.length !== 0) errs.push(invalidValue('values', values, 'values set must be empty for exists and does not exist').error)
      break
    case 'gt': case 'lt':
      if (values.length !== 1) errs.push(invalidValue('values', values, "for 'Gt', 'Lt' operators, exactly one value is required").error)
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalidValue(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer").error)
      })
      break
    default:
      errs.push(`operator: Unsupported value: ${JSON.stringify(operator)}: supported values: ${VALID_OPERATORS.map((o) => JSON.stringify(o)).join(', ')}`)
  }
  values.forEach((v, i) => {
    const verrs = isValidLabelValue(v)
    if (verrs.length) errs.push(invalidValue(`values[${i}][${key}]`, v, verrs.join('; ')).error)
  })
  return errs
}

// Upstream's aggregate error text: one message bare, several as "[a, b]" without repeats.
const aggregate = (errs: string[]) => {
  const unique = [...new Set(errs)]
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`
}

/** A validated requirement; throws upstream's NewRequirement error text as a 400. */
export function labelRequirement(key: string, operator: LabelOperator, values: readonly string[]): LabelRequirement {
  const errs = requirementProblems(key, operator, values)
  if (errs.length) throw badRequest(aggregate(errs))
  return { key, operator, values: [...values] }
}

/**
 * A `metav1.LabelSelector` as a selector: undefined/null selects nothing, `{}` everything.
 * Throws a 400 StatusError with upstream's text for bad operators, keys or values.
 */
export function labelSelectorFromMeta(sel?: MetaLabelSelector | null): LabelSelector {
  if (sel === undefined || sel === null) return selectNothing
  const labels = Object.entries(sel.matchLabels ?? {})
  const exprs = sel.matchExpressions ?? []
  if (labels.length + exprs.length === 0) return selectEverything
  const reqs = labels.map(([k, v]) => labelRequirement(k, '=', [v]))
  for (const e of exprs) {
    const op = META_OPERATORS[e.operator]
    if (!op) throw badRequest(`${JSON.stringify(e.operator)} is not a valid label selector operator`)
    reqs.push(labelRequirement(e.key, op, e.values ?? []))
  }
  return labelSelectorOf(reqs)
}
const META_OPERATORS: Record<string, LabelOperator | undefined> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' }

/** Upstream's ValidateLabelSelector: field errors under `fieldPath` (e.g. `spec.selector`). */
export function validateLabelSelectorMeta(sel: MetaLabelSelector | null | undefined, fieldPath: string): FieldError[] {
  const errs: FieldError[] = []
  if (!sel) return errs
  const labelsPath = joinPath(fieldPath, 'matchLabels')
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(invalidValue(labelsPath, k, m))
    for (const m of isValidLabelValue(v)) errs.push(invalidValue(labelsPath, v, m))
  }
  ;(sel.matchExpressions ?? []).forEach((e, i) => {
    const p = joinPath(fieldPath, 'matchExpressions', i)
    const values = e.values ?? []
    switch (e.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) errs.push(required(joinPath(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"))
        break
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) errs.push(forbiddenField(joinPath(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        break
      default:
        errs.push(invalidValue(joinPath(p, 'operator'), e.operator, 'not a valid selector operator'))
    }
    for (const m of isQualifiedName(e.key)) errs.push(invalidValue(joinPath(p, 'key'), e.key, m))
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(v)) errs.push(invalidValue(joinPath(p, 'values', j), v, m))
    })
  })
  return errs
}

// ---- The string syntax: a lexer into tokens, then a recursive-descent parser. ----

type TokenKind = 'end' | 'id' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | 'in' | 'notin' | '>' | '<'
type Token = { kind: TokenKind; text: string }
const SYMBOLS = new Set(['(', ')', ',', '!', '=', '==', '!=', '>', '<'])
const isSpecial = (c: string) => c === '=' || c === '!' || c === '(' || c === ')' || c === ',' || c === '>' || c === '<'
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n'

function lex(s: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (true) {
    while (i < s.length && isSpace(s[i]!)) i++
    if (i >= s.length) { out.push({ kind: 'end', text: '' }); return out }
    if (isSpecial(s[i]!)) {
      // Longest run of symbol characters that is still an operator ("!=" but "!" "(" apart).
      let text = s[i++]!
      while (i < s.length && isSpecial(s[i]!) && SYMBOLS.has(text + s[i])) text += s[i++]
      out.push({ kind: text as TokenKind, text })
    } else {
      const start = i
      while (i < s.length && !isSpecial(s[i]!) && !isSpace(s[i]!)) i++
      const text = s.slice(start, i)
      out.push({ kind: text === 'in' || text === 'notin' ? text : 'id', text })
    }
  }
}

// A parse failure; parseLabelSelector turns it into a 400 with upstream's message.
class SyntaxFailure extends Error {}
const fail = (msg: string): never => { throw new SyntaxFailure(msg) }

function parseTokens(tokens: Token[]): LabelRequirement[] {
  let pos = 0
  // Where a value is expected, "in" and "notin" are ordinary identifiers (`x in (in)`).
  const peek = () => asValue(tokens[pos]!)
  const next = () => asValue(tokens[pos++]!)
  const asValue = (t: Token): Token => (t.kind === 'in' || t.kind === 'notin' ? { kind: 'id', text: t.text } : t)

  function requirement(): LabelRequirement {
    let t = next()
    let negated = false
    if (t.kind === '!') { negated = true; t = next() }
    if (t.kind !== 'id') fail(`found '${t.text}', expected: identifier`)
    const key = t.text
    const bad = keyProblem(key, '<nil>')
    if (bad) fail(bad)
    const after = peek().kind
    if (negated || after === 'end' || after === ',') return checked(key, negated ? '!' : 'exists', [])
    const opTok = tokens[pos++]!
    const op = OPERATOR_TOKENS[opTok.kind]
    if (!op) return fail(`found '${opTok.text}', expected: ${BINARY_OPERATORS.join(', ')}`)
    return checked(key, op, op === 'in' || op === 'notin' ? valueSet() : exactValue())
  }
  function checked(key: string, op: LabelOperator, values: string[]): LabelRequirement {
    const errs = requirementProblems(key, op, values)
    if (errs.length) fail(aggregate(errs))
    return { key, operator: op, values }
  }
  function exactValue(): string[] {
    const ahead = peek().kind
    if (ahead === 'end' || ahead === ',') return ['']
    const t = next()
    return t.kind === 'id' ? [t.text] : fail(`found '${t.text}', expected: identifier`)
  }
  function valueSet(): string[] {
    const open = next()
    if (open.kind !== '(') fail(`found '${open.text}' expected: '('`)
    const ahead = peek()
    if (ahead.kind === ')') { pos++; return [''] }
    if (ahead.kind !== 'id' && ahead.kind !== ',') fail(`found '${ahead.text}', expected: ',', ')' or identifier`)
    const values = new Set<string>()
    while (true) {
      const t = next()
      if (t.kind === 'id') {
        values.add(t.text)
        const after = peek()
        if (after.kind === ')') break
        if (after.kind !== ',') fail(`found '${after.text}', expected: ',' or ')'`)
      } else if (t.kind === ',') {
        // Empty members: "(,a)", "(a,,b)" and "(a,)" all include the empty value.
        if (values.size === 0) values.add('')
        const after = peek().kind
        if (after === ')') { values.add(''); break }
        if (after === ',') values.add('')
      } else {
        fail(`found '${t.text}', expected: ',', or identifier`)
      }
    }
    pos++ // the ')'
    return [...values].sort()
  }

  const reqs: LabelRequirement[] = []
  while (true) {
    const t = peek()
    if (t.kind === 'end') return reqs
    if (t.kind !== 'id' && t.kind !== '!') fail(`found '${t.text}', expected: !, identifier, or 'end of string'`)
    try {
      reqs.push(requirement())
    } catch (err) {
      throw err instanceof SyntaxFailure ? new SyntaxFailure(`unable to parse requirement: ${err.message}`) : err
    }
    const sep = next()
    if (sep.kind === 'end') return reqs
    if (sep.kind !== ',') fail(`found '${sep.text}', expected: ',' or 'end of string'`)
    const ahead = peek()
    if (ahead.kind !== 'id' && ahead.kind !== '!') fail(`found '${ahead.text}', expected: identifier after ','`)
  }
}
const OPERATOR_TOKENS: Partial<Record<TokenKind, LabelOperator>> = {
  in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt',
}

/**
 * Parses the `?labelSelector=` syntax (`a=b,c!=d,e in (f,g),!h,i`).
 * Throws a 400 StatusError whose message is upstream's parser error.
 */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return labelSelectorOf(parseTokens(lex(s)))
  } catch (err) {
    if (err instanceof SyntaxFailure) throw badRequest(err.message)
    throw err
  }
}
