/**
 * @module
 * Name and label syntax checks with upstream's messages, shared by every registry entry.
 * Each returns a list of problems (empty when fine), as upstream's IsDNS1123Label does.
 */
import { invalidValue, required, type FieldError } from './field-errors.js'
// Upstream: staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go.

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
const DNS1123_LABEL = new RegExp(`^${DNS1123_LABEL_FMT}$`)
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*$`)
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/

const maxLen = (n: number) => `must be no more than ${n} characters`
// Upstream's RegexError puts "', " after every example and " or " between them, hence the
// "'my-name',  or '123-abc', regex used ..." that kubectl users know.
const regexError = (msg: string, fmt: string, ...examples: string[]) =>
  `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = []
  if (value.length > 63) errs.push(maxLen(63))
  if (!DNS1123_LABEL.test(value)) {
    errs.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", DNS1123_LABEL_FMT, 'my-name', '123-abc'))
  }
  return errs
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = []
  if (value.length > 253) errs.push(maxLen(253))
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errs.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`, 'example.com'))
  }
  return errs
}

export function isDNS1035Label(value: string): string[] {
  const errs: string[] = []
  if (value.length > 63) errs.push(maxLen(63))
  if (!DNS1035_LABEL.test(value)) {
    errs.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", '[a-z]([-a-z0-9]*[a-z0-9])?', 'my-name', 'abc-123'))
  }
  return errs
}

/** Label and annotation keys: an optional DNS subdomain prefix, a slash, a name. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = []
  const parts = value.split('/')
  let name = value
  if (parts.length === 2) {
    const [prefix, n] = parts as [string, string]
    name = n
    if (prefix.length === 0) errs.push('prefix part must be non-empty')
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`))
  } else if (parts.length > 2) {
    return [regexError("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]', 'MyName', 'my.name', '123-abc') + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
  }
  if (name.length === 0) errs.push('name part must be non-empty')
  else if (name.length > 63) errs.push(`name part ${maxLen(63)}`)
  if (name.length && !QUALIFIED_NAME_PART.test(name)) {
    errs.push('name part ' + regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]', 'MyName', 'my.name', '123-abc'))
  }
  return errs
}

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = []
  if (value.length > 63) errs.push(maxLen(63))
  if (!LABEL_VALUE.test(value)) {
    errs.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?', 'MyValue', 'my_value', '12345'))
  }
  return errs
}

export function isCIdentifier(value: string): string[] {
  return C_IDENTIFIER.test(value) ? [] : [regexError("a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'", '[A-Za-z_][A-Za-z0-9_]*', 'my_name', 'MY_NAME', 'MyName')]
}

export function isEnvVarName(value: string): string[] {
  const errs: string[] = []
  if (!ENV_VAR_NAME.test(value)) errs.push(regexError("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit", '[-._a-zA-Z][-._a-zA-Z0-9]*', 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1'))
  if (value === '.') errs.push("must not be '.'")
  else if (value === '..') errs.push("must not be '..'")
  else if (value.startsWith('..')) errs.push("must not start with '..'")
  return errs
}

export function isConfigMapKey(value: string): string[] {
  const errs: string[] = []
  if (value.length > 253) errs.push(maxLen(253))
  if (!CONFIG_MAP_KEY.test(value)) errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", '[-._a-zA-Z0-9]+', 'key.name', 'KEY_NAME', 'key-name'))
  if (value === '.') errs.push("must not be '.'")
  else if (value === '..') errs.push("must not be '..'")
  else if (value.startsWith('..')) errs.push("must not start with '..'")
  return errs
}

export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive']
}

/** IANA service names (named ports): at most 15 characters, lower case, a letter among them. */
export function isValidPortName(name: string): string[] {
  const errs: string[] = []
  if (name.length > 15) errs.push(maxLen(15))
  if (!/^[-a-z0-9]+$/.test(name)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)')
  if (name.includes('--')) errs.push('must not contain consecutive hyphens')
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)')
  if (name.startsWith('-') || name.endsWith('-')) errs.push('must not begin or end with a hyphen')
  return errs
}

const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+"
const HTTP_PATH = new RegExp(`^${HTTP_PATH_FMT}$`)

// Upstream: staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go (IsDomainPrefixedPath).
/** "example.com/some-path": a DNS subdomain, a slash, then an HTTP path (IngressClass controllers, Job managedBy). */
export function domainPrefixedPathErrors(at: string, value: string): FieldError[] {
  if (!value) return [required(at)]
  const slash = value.indexOf('/')
  if (slash <= 0 || slash === value.length - 1) return [invalidValue(at, value, 'must be a domain-prefixed path (such as "acme.io/foo")')]
  const host = value.slice(0, slash)
  const rest = value.slice(slash + 1)
  const errs = isDNS1123Subdomain(host).map((m) => invalidValue(at, host, m))
  if (!HTTP_PATH.test(rest)) errs.push(invalidValue(at, rest, `Invalid path (regex used for validation is '${HTTP_PATH_FMT}')`))
  return errs
}
