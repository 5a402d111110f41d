/**
 * @module
 * Image references, normalized as docker and the CRI do: `nginx` is
 * `docker.io/library/nginx:latest`, `user/app:1` is `docker.io/user/app:1`, and a first
 * component with a `.` or `:` (or `localhost`) is a registry host.
 */

// Upstream: github.com/distribution/reference (ParseNormalizedNamed, TagNameOnly, FamiliarString).
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const TAG = /^[\w][\w.-]{0,127}$/
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d+)?$/

export type ParsedRef = { domain: string; path: string; tag?: string; digest?: string }

/** Splits and validates a reference; throws on an invalid one (docker's wording). */
export function parseImageRef(ref: string): ParsedRef {
  let rest = ref
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) throw new Error(`invalid reference format: "${ref}"`)
  }
  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG.test(tag)) throw new Error(`invalid reference format: "${ref}"`)
  }
  const parts = rest.split('/')
  let domain = 'docker.io'
  if (parts.length > 1 && (/[.:]/.test(parts[0]!) || parts[0] === 'localhost' || parts[0] !== parts[0]!.toLowerCase())) {
    domain = parts.shift()!
    if (!DOMAIN.test(domain)) throw new Error(`invalid reference format: "${ref}"`)
  }
  if (domain === 'index.docker.io') domain = 'docker.io'
  if (domain === 'docker.io' && parts.length === 1) parts.unshift('library')
  for (const p of parts) {
    if (!COMPONENT.test(p)) {
      throw new Error(p !== p.toLowerCase()
        ? `invalid reference format: repository name (${parts.join('/')}) must be lowercase`
        : `invalid reference format: "${ref}"`)
    }
  }
  return { domain, path: parts.join('/'), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) }
}

/** The fully qualified form, with `:latest` added when neither tag nor digest is given. */
export function normalizeImageRef(ref: string): string {
  const p = parseImageRef(ref.trim())
  const tag = p.tag ?? (p.digest ? undefined : 'latest')
  return `${p.domain}/${p.path}${tag ? `:${tag}` : ''}${p.digest ? `@${p.digest}` : ''}`
}

/** Repository and tag of a normalized name, in the short form docker prints (`nginx`, `user/app`). */
export function familiarName(normalized: string): { repository: string; tag: string } {
  const p = parseImageRef(normalized)
  let repo = `${p.domain}/${p.path}`
  if (p.domain === 'docker.io') repo = p.path.startsWith('library/') && p.path.split('/').length === 2 ? p.path.slice(8) : p.path
  return { repository: repo, tag: p.tag ?? (p.digest ? `<none>` : 'latest') }
}
