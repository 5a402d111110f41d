/**
 * @module
 * A sorted set of strings for the storage index: prefix ranges, seeks and counts stay
 * logarithmic-ish at 100,000+ keys. Keys live in chunks of bounded size (a flat B-tree of
 * height one), so an insert moves at most a chunk's worth of pointers instead of the whole
 * array, and a seek is two binary searches.
 */

const MAX_CHUNK = 512

/** First index in the sorted `arr` whose element is >= `key`. */
function lowerBound(arr: readonly string[], key: string): number {
  let lo = 0
  let hi = arr.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (arr[mid]! < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The smallest string greater than every string that starts with `prefix`; undefined when none
 *  exists (empty prefix, or one made only of U+FFFF). */
export function prefixEnd(prefix: string): string | undefined {
  let p = prefix
  while (p.length > 0 && p.charCodeAt(p.length - 1) === 0xffff) p = p.slice(0, -1)
  if (p.length === 0) return undefined
  return p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) + 1)
}

/** A sorted string set: insert, remove, ordered iteration from a key, and range counts. */
export function sortedKeys(initial: readonly string[] = []) {
  // Invariant: every chunk non-empty and sorted; chunks ordered; `firsts[i] === chunks[i][0]`.
  let chunks: string[][] = []
  let firsts: string[] = []
  let size = 0

  const sorted = [...initial].sort()
  for (let i = 0; i < sorted.length; i += MAX_CHUNK / 2) chunks.push(sorted.slice(i, i + MAX_CHUNK / 2))
  firsts = chunks.map((c) => c[0]!)
  size = sorted.length

  /** Index of the chunk that holds (or would hold) `key`. */
  function chunkOf(key: string): number {
    const i = lowerBound(firsts, key)
    // `firsts[i]` is the first chunk starting at or after key: key belongs there only on equality.
    if (i < firsts.length && firsts[i] === key) return i
    return Math.max(0, i - 1)
  }

  /** Position of the first key >= `key` as (chunk, offset), offset may equal the chunk length. */
  function seek(key: string): [number, number] {
    if (chunks.length === 0) return [0, 0]
    const c = chunkOf(key)
    return [c, lowerBound(chunks[c]!, key)]
  }

  function has(key: string): boolean {
    if (chunks.length === 0) return false
    const [c, o] = seek(key)
    return chunks[c]![o] === key
  }

  function insert(key: string): boolean {
    if (chunks.length === 0) {
      chunks = [[key]]
      firsts = [key]
      size = 1
      return true
    }
    const c = chunkOf(key)
    const chunk = chunks[c]!
    const o = lowerBound(chunk, key)
    if (chunk[o] === key) return false
    chunk.splice(o, 0, key)
    if (o === 0) firsts[c] = key
    size++
    if (chunk.length > MAX_CHUNK) {
      const tail = chunk.splice(MAX_CHUNK / 2)
      chunks.splice(c + 1, 0, tail)
      firsts.splice(c + 1, 0, tail[0]!)
    }
    return true
  }

  function remove(key: string): boolean {
    if (chunks.length === 0) return false
    const c = chunkOf(key)
    const chunk = chunks[c]!
    const o = lowerBound(chunk, key)
    if (chunk[o] !== key) return false
    chunk.splice(o, 1)
    size--
    if (chunk.length === 0) {
      chunks.splice(c, 1)
      firsts.splice(c, 1)
    } else if (o === 0) firsts[c] = chunk[0]!
    return true
  }

  /** Number of keys < `key`. Sums chunk lengths: a few hundred additions at 100,000 keys. */
  function rank(key: string): number {
    const [c, o] = seek(key)
    let n = o
    for (let i = 0; i < c; i++) n += chunks[i]!.length
    return n
  }

  /** Keys >= `from` in order, stopping before `end` when given. Do not mutate while iterating. */
  function* range(from: string, end?: string): Generator<string> {
    let [c, o] = seek(from)
    for (; c < chunks.length; c++, o = 0) {
      const chunk = chunks[c]!
      for (; o < chunk.length; o++) {
        const k = chunk[o]!
        if (end !== undefined && k >= end) return
        yield k
      }
    }
  }

  /** Count of keys in [from, end); `end` undefined means no upper bound. */
  function countRange(from: string, end?: string): number {
    const lo = rank(from)
    const hi = end === undefined ? size : rank(end)
    return Math.max(0, hi - lo)
  }

  return { has, insert, remove, rank, range, countRange, get size() { return size } }
}
export type SortedKeys = ReturnType<typeof sortedKeys>
