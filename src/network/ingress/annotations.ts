/**
 * @module
 * The `nginx.ingress.kubernetes.io/*` annotations kubelite's ingress controller honours, parsed
 * into one per-Ingress config with ingress-nginx's defaults, plus the list of those it does not
 * support (the controller reports them in a Warning event instead of ignoring them silently).
 */
// Upstream: ingress-nginx internal/ingress/annotations/{rewrite,cors,proxy,sessionaffinity,
// backendprotocol,upstreamvhost,xforwardedprefix}/main.go and internal/ingress/defaults.
// Invalid values fall back to the defaults, as upstream's parsers do.

export const ANNOTATION_PREFIX = 'nginx.ingress.kubernetes.io/'

export type CorsConfig = {
  /** `['*']`, or origins where one `*` stands for a single DNS label. */
  allowOrigin: string[]
  /** Matches an allowed Origin header (case-insensitive); undefined for `*`. */
  originRe?: RegExp
  allowMethods: string
  allowHeaders: string
  allowCredentials: boolean
  exposeHeaders: string
  maxAge: number
}

export type AffinityConfig = {
  cookieName: string
  /** Defaults to the location's path. */
  path?: string
  maxAge?: string
  expires?: string
  domain?: string
  secure?: boolean
  sameSite?: string
  changeOnFailure: boolean
}

/** Everything an Ingress's annotations configure on its locations. */
export type IngressConfig = {
  useRegex: boolean
  rewriteTarget?: string
  appRoot?: string
  sslRedirect: boolean
  forceSslRedirect: boolean
  preserveTrailingSlash: boolean
  xForwardedPrefix?: string
  cors?: CorsConfig
  /** 0 means unlimited. */
  bodySizeBytes: number
  connectTimeoutMs: number
  readTimeoutMs: number
  sendTimeoutMs: number
  nextUpstreamTries: number
  backendProtocol: 'HTTP' | 'HTTPS'
  upstreamVhost?: string
  affinity?: AffinityConfig
}

export type ParsedAnnotations = {
  config: IngressConfig
  /** Annotation names (without prefix) this controller does not implement. */
  unsupported: string[]
  /** Supported annotations whose value cannot be honoured, as `name: why`. */
  invalid: string[]
}

const DEFAULT_CORS_METHODS = 'GET, PUT, POST, DELETE, PATCH, OPTIONS'
const DEFAULT_CORS_HEADERS = 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization'
const DEFAULT_CORS_MAX_AGE = 1_728_000
const DEFAULT_BODY_SIZE = 1024 * 1024 // nginx's client_max_body_size 1m

const CORS_ORIGIN = /^([a-z]+:\/\/(\*\.)?[A-Za-z0-9\-.]*(:\d+)?|\*|null)?$/
const CORS_METHODS = /^([A-Za-z]+,?\s?)+$/
const CORS_HEADERS = /^([A-Za-z0-9\-_]+,?\s?)+$/
const CORS_EXPOSE = /^(([A-Za-z0-9\-_]+|\*),?\s?)+$/

// Everything this module reads; the rest under the prefix is reported as unsupported.
const SUPPORTED = new Set([
  'rewrite-target', 'use-regex', 'app-root', 'ssl-redirect', 'force-ssl-redirect', 'preserve-trailing-slash',
  'x-forwarded-prefix', 'enable-cors', 'cors-allow-origin', 'cors-allow-methods', 'cors-allow-headers',
  'cors-allow-credentials', 'cors-expose-headers', 'cors-max-age', 'proxy-body-size', 'proxy-connect-timeout',
  'proxy-read-timeout', 'proxy-send-timeout', 'proxy-next-upstream-tries', 'backend-protocol', 'upstream-vhost',
  'affinity', 'affinity-mode', 'session-cookie-name', 'session-cookie-path', 'session-cookie-max-age',
  'session-cookie-expires', 'session-cookie-domain', 'session-cookie-secure', 'session-cookie-samesite',
  'session-cookie-change-on-failure',
])

/** Go's strconv.ParseBool, which upstream uses for boolean annotations. */
export function parseBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false
  return undefined
}

/** An nginx size (`1m`, `512k`, `2g`, `100`): bytes, or undefined when malformed. */
export function parseSize(v: string | undefined): number | undefined {
  const m = v === undefined ? null : /^\s*(\d+)\s*([kKmMgG]?)\s*$/.exec(v)
  if (!m) return undefined
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g']
  return Number(m[1]) * unit
}

/** Seconds (`60`, or nginx's `60s`, `1m`) to milliseconds. */
function parseSeconds(v: string | undefined): number | undefined {
  const m = v === undefined ? null : /^\s*(\d+)\s*(s|m|h)?\s*$/.exec(v)
  if (!m) return undefined
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 's' | 'm' | 'h']
}

/** `https://*.foo.com` → a regex: `*` is one label; the whole list is one anchored alternation. */
function originRegex(origins: string[]): RegExp {
  const alts = origins.map((o) => o.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&').replace('\\*', '[A-Za-z0-9-]+'))
  return new RegExp(`^(${alts.join('|')})$`, 'i')
}

function parseCors(get: (n: string) => string | undefined): CorsConfig | undefined {
  if (parseBool(get('enable-cors')) !== true) return undefined
  let allowOrigin: string[] = []
  const raw = get('cors-allow-origin')
  if (raw === undefined) allowOrigin = ['*']
  else {
    for (const o of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
      if (o === '*') { allowOrigin = ['*']; break }
      if (CORS_ORIGIN.test(o)) allowOrigin.push(o)
    }
  }
  const str = (name: string, re: RegExp, def: string) => {
    const v = get(name)
    return v !== undefined && re.test(v) ? v : def
  }
  const maxAge = Number.parseInt(get('cors-max-age') ?? '', 10)
  const isStar = allowOrigin.length === 1 && allowOrigin[0] === '*'
  return {
    allowOrigin,
    ...(!isStar ? { originRe: originRegex(allowOrigin) } : {}),
    allowMethods: str('cors-allow-methods', CORS_METHODS, DEFAULT_CORS_METHODS),
    allowHeaders: str('cors-allow-headers', CORS_HEADERS, DEFAULT_CORS_HEADERS),
    allowCredentials: parseBool(get('cors-allow-credentials')) ?? true,
    exposeHeaders: str('cors-expose-headers', CORS_EXPOSE, ''),
    maxAge: Number.isFinite(maxAge) ? maxAge : DEFAULT_CORS_MAX_AGE,
  }
}

function parseAffinity(get: (n: string) => string | undefined): AffinityConfig | undefined {
  if (get('affinity') !== 'cookie') return undefined
  const opt = <K extends string>(key: K, v: string | undefined) => (v ? { [key]: v } as Record<K, string> : {})
  const secure = parseBool(get('session-cookie-secure'))
  return {
    cookieName: get('session-cookie-name') || 'INGRESSCOOKIE',
    ...opt('path', get('session-cookie-path')),
    ...opt('maxAge', get('session-cookie-max-age')),
    ...opt('expires', get('session-cookie-expires')),
    ...opt('domain', get('session-cookie-domain')),
    ...opt('sameSite', get('session-cookie-samesite')),
    ...(secure !== undefined ? { secure } : {}),
    changeOnFailure: parseBool(get('session-cookie-change-on-failure')) ?? false,
  }
}

/** An Ingress's annotations as config, with ingress-nginx's defaults for anything absent or invalid. */
export function parseAnnotations(annotations: Readonly<Record<string, string>> | undefined): ParsedAnnotations {
  const anns = annotations ?? {}
  const get = (name: string): string | undefined => anns[ANNOTATION_PREFIX + name]
  const unsupported: string[] = []
  const invalid: string[] = []
  for (const key of Object.keys(anns)) {
    if (!key.startsWith(ANNOTATION_PREFIX)) continue
    const name = key.slice(ANNOTATION_PREFIX.length)
    if (!SUPPORTED.has(name)) unsupported.push(name)
  }
  const seconds = (name: string, def: number) => {
    const v = get(name)
    const ms = parseSeconds(v)
    if (v !== undefined && ms === undefined) invalid.push(`${name}: "${v}" is not a number of seconds`)
    return ms ?? def
  }
  const bodySize = get('proxy-body-size')
  const bodySizeBytes = parseSize(bodySize)
  if (bodySize !== undefined && bodySizeBytes === undefined) invalid.push(`proxy-body-size: "${bodySize}" is not a size`)
  const protocol = (get('backend-protocol') ?? 'HTTP').toUpperCase()
  if (protocol !== 'HTTP' && protocol !== 'HTTPS') invalid.push(`backend-protocol: ${protocol} (only HTTP and HTTPS are supported; using HTTP)`)
  if (get('affinity') !== undefined && get('affinity') !== 'cookie') invalid.push(`affinity: "${get('affinity')}" (only cookie is supported)`)
  const tries = Number.parseInt(get('proxy-next-upstream-tries') ?? '', 10)
  const rewriteTarget = get('rewrite-target')
  const appRoot = get('app-root')
  const xForwardedPrefix = get('x-forwarded-prefix')
  const upstreamVhost = get('upstream-vhost')
  const cors = parseCors(get)
  const affinity = parseAffinity(get)
  return {
    config: {
      useRegex: parseBool(get('use-regex')) ?? false,
      ...(rewriteTarget ? { rewriteTarget } : {}),
      // Upstream accepts only an absolute path for app-root.
      ...(appRoot?.startsWith('/') ? { appRoot } : {}),
      sslRedirect: parseBool(get('ssl-redirect')) ?? true,
      forceSslRedirect: parseBool(get('force-ssl-redirect')) ?? false,
      preserveTrailingSlash: parseBool(get('preserve-trailing-slash')) ?? false,
      ...(xForwardedPrefix ? { xForwardedPrefix } : {}),
      ...(cors ? { cors } : {}),
      bodySizeBytes: bodySizeBytes ?? DEFAULT_BODY_SIZE,
      connectTimeoutMs: seconds('proxy-connect-timeout', 5_000),
      readTimeoutMs: seconds('proxy-read-timeout', 60_000),
      sendTimeoutMs: seconds('proxy-send-timeout', 60_000),
      nextUpstreamTries: Number.isFinite(tries) && tries > 0 ? tries : 3,
      backendProtocol: protocol === 'HTTPS' ? 'HTTPS' : 'HTTP',
      ...(upstreamVhost ? { upstreamVhost } : {}),
      ...(affinity ? { affinity } : {}),
    },
    unsupported,
    invalid,
  }
}
