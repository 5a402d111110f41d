/**
 * @module
 * Path patterns: COPY/ADD source globs (`*`, `?`, `[a-z]` within one path component) and
 * .dockerignore rules (those plus `**`, `!` exceptions, last match wins, a matched directory
 * takes its contents with it).
 */
import { posix } from 'node:path'

// Upstream: moby/patternmatcher (Matches, Pattern.compile) and Go's filepath.Match.

/** A regex source for one glob; `**` spans directories only when `deep` is set. */
function globSource(glob: string, deep: boolean): string {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!
    if (deep && glob.startsWith('**', i)) {
      const slash = glob[i + 2] === '/'
      re += slash ? '(?:.*/)?' : '.*'
      i += slash ? 2 : 1
    } else if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2)
      if (end < 0) { re += '\\['; continue }
      let body = glob.slice(i + 1, end)
      if (body.startsWith('^') || body.startsWith('!')) body = `^${body.slice(1)}`
      re += `[${body.replace(/\\/g, '\\\\')}]`
      i = end
    } else if (c === '\\' && i + 1 < glob.length) {
      re += glob[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  }
  return re
}

/** True when `name` contains glob characters. */
export const hasGlob = (name: string) => /[*?[]/.test(name)

/** Matches one path component against one glob component (filepath.Match). */
export function matchComponent(glob: string, name: string): boolean {
  return new RegExp(`^${globSource(glob, false)}$`).test(name)
}

export type IgnoreMatcher = (relPath: string) => boolean

/** Compiles .dockerignore text into a predicate over context-relative paths ("a/b.txt"). */
export function dockerignore(text: string): IgnoreMatcher {
  const rules = text.split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!')
      let p = negate ? l.slice(1).trim() : l
      p = posix.normalize(p).replace(/^\/+/, '').replace(/\/+$/, '')
      // A rule also covers everything under what it matches.
      return { negate, re: new RegExp(`^${globSource(p, true)}(?:/.*)?$`) }
    })
    .filter((r) => r.re.source !== '^(?:/.*)?$')
  return function ignored(relPath: string): boolean {
    let result = false
    for (const r of rules) if (r.re.test(relPath)) result = !r.negate
    return result
  }
}
