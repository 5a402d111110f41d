/**
 * @module
 * URI handling as nginx does it: the normalized, decoded path that locations match against,
 * ingress paths turned into JavaScript regexes, and `rewrite-target` applied to a URI.
 */
// Upstream: nginx ngx_http_parse_complex_uri (merge_slashes, dot segments, %XX decoding) and
// ngx_http_rewrite_module; ingress-nginx template.go buildLocation/buildProxyPass.

const NEEDS_WORK = /%|\/\/|\/\.|\\/

/**
 * The request path as nginx's `$uri`: no query, %XX decoded, `//` merged, `.`/`..` resolved.
 * Undefined when it climbs above the root or is not a path (nginx answers 400).
 */
export function normalizeUri(path: string): string | undefined {
  if (path.charCodeAt(0) !== 47 /* / */) return undefined
  if (!NEEDS_WORK.test(path)) return path // the common case costs one regex test
  let decoded = path
  if (path.includes('%')) {
    try {
      decoded = decodeURIComponent(path)
    } catch {
      decoded = path.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
    }
  }
  const out: string[] = []
  const parts = decoded.split('/')
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]!
    const last = i === parts.length - 1
    if (p === '' && !last) continue // merge_slashes
    if (p === '.') { if (last) out.push(''); continue }
    if (p === '..') {
      if (!out.length) return undefined
      out.pop()
      if (last) out.push('')
      continue
    }
    out.push(p)
  }
  return '/' + out.join('/')
}

/**
 * An ingress path (RE2/PCRE syntax) as a JavaScript regex, anchored at the start as
 * ingress-nginx's `~* "^path"` locations are. Undefined when JavaScript cannot compile it.
 */
export function locationRegex(path: string): RegExp | undefined {
  return compile(`^(?:${jsSyntax(path)})`)
}

/** The regex of nginx's `rewrite "(?i)path" target`: unanchored, case-insensitive. */
export function rewriteRegex(path: string): RegExp | undefined {
  return compile(jsSyntax(path))
}

function compile(source: string): RegExp | undefined {
  try {
    return new RegExp(source, 'i')
  } catch {
    return undefined
  }
}

// PCRE/RE2 spellings JavaScript lacks: named groups `(?P<n>` and a leading `(?i)` (we are
// case-insensitive anyway).
const jsSyntax = (p: string) => p.replace(/^\(\?i\)/, '').replace(/\(\?P</g, '(?<')

// Bytes nginx leaves unescaped in a URI it sends upstream (ngx_escape_uri, NGX_ESCAPE_URI):
// unreserved and sub-delims plus ':' '@' '/' '%' is escaped unless it starts a valid %XX.
const SAFE_URI = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/

/** A decoded path re-escaped for the request line. */
export function escapeUri(path: string): string {
  if (SAFE_URI.test(path)) return path
  let out = ''
  for (const ch of path) out += /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/.test(ch) ? ch : encodeURIComponent(ch)
  return out
}

export type RewriteResult = { kind: 'path'; path: string } | { kind: 'redirect'; location: string }

/**
 * Applies `rewrite "(?i)re" target break` to `uri` (nginx's decoded `$uri`): the whole URI
 * becomes `target` with `$1`…`$9` and `$name` captures substituted; the query string is kept
 * unless the target has its own. A target starting with a scheme is a 302 redirect, as in nginx.
 */
export function applyRewrite(re: RegExp, target: string, uri: string, query: string,
  vars: (name: string) => string | undefined): RewriteResult | undefined {
  const m = re.exec(uri)
  if (!m) return undefined
  const replaced = target.replace(/\$(\d|\{\w+\}|[A-Za-z_]\w*)/g, (whole, ref: string) => {
    const name = ref.startsWith('{') ? ref.slice(1, -1) : ref
    if (/^\d$/.test(name)) return m[Number(name)] ?? ''
    return m.groups?.[name] ?? vars(name) ?? whole
  })
  const q = replaced.indexOf('?')
  const base = q < 0 ? replaced : replaced.slice(0, q)
  let args = query
  if (q >= 0) {
    // nginx: a target with its own arguments gets the original ones appended after '&',
    // unless it ends with '?'.
    const own = replaced.endsWith('?') ? replaced.slice(q + 1, -1) : replaced.slice(q + 1)
    args = replaced.endsWith('?') || !query ? own : own ? `${own}&${query}` : query
  }
  const withArgs = (p: string) => (args ? `${p}?${args}` : p)
  if (/^https?:\/\//i.test(base)) return { kind: 'redirect', location: withArgs(base) }
  return { kind: 'path', path: withArgs(escapeUri(base.startsWith('/') ? base : `/${base}`)) }
}
