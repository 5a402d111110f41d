/**
 * @module
 * String order as Go's `<` has it (by UTF-16 code unit, which agrees with Go's byte order for
 * the ASCII that names, IPs and timestamps are made of). Upstream sorts with `<`, not by
 * locale; and `localeCompare` would load ICU's collation tables (~3 MB of RSS) for nothing.
 */

/** -1, 0 or 1: `a` before, equal to, or after `b`. */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
