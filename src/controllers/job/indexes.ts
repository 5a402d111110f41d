/**
 * @module
 * Completion indexes of Indexed Jobs: the compressed interval lists that `status.completedIndexes`
 * and success policies are written in ("1,3-5,7"), and the index each pod carries.
 */
// Upstream: pkg/controller/job/indexed_job_utils.go (orderedIntervals, parseIndexesFromString,
// getCompletionIndex, firstPendingIndexes, appendDuplicatedIndexPodsForRemoval).
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { deletionOrder } from '../util/index.js'

/** Annotation (and label) naming a pod's completion index. */
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index'

/** Inclusive ranges of indexes, ascending and never touching. */
export type Intervals = ReadonlyArray<{ readonly first: number; readonly last: number }>

/** The pod's completion index, or -1 when it has none or an unusable one. */
export function completionIndex(pod: Cached<Pod>): number {
  const v = pod.metadata?.annotations?.[COMPLETION_INDEX]
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return -1
  const i = Number(v)
  return i < 0 || !Number.isSafeInteger(i) ? -1 : i
}

/** Merges two interval lists into one, joining neighbours. */
export function mergeIntervals(a: Intervals, b: Intervals): Intervals {
  const out: { first: number; last: number }[] = []
  const push = (iv: { first: number; last: number }) => {
    const last = out.at(-1)
    if (!last || iv.first > last.last + 1) out.push({ ...iv })
    else if (last.last < iv.last) last.last = iv.last
  }
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) push(a[i]!.first < b[j]!.first ? a[i++]! : b[j++]!)
  while (i < a.length) push(a[i++]!)
  while (j < b.length) push(b[j++]!)
  return out
}

/** `intervals` plus the given indexes (ascending). */
export const withIndexes = (intervals: Intervals, indexes: readonly number[]): Intervals =>
  mergeIntervals(intervals, indexes.map((i) => ({ first: i, last: i })))

export const totalIndexes = (intervals: Intervals) => intervals.reduce((n, iv) => n + iv.last - iv.first + 1, 0)

export const hasIndex = (intervals: Intervals, ix: number) => intervals.some((iv) => iv.first <= ix && ix <= iv.last)

/** "1,3-5,7": two neighbours are written with a comma, three or more as a range. */
export function formatIntervals(intervals: Intervals): string {
  return intervals.map(({ first, last }) =>
    last === first ? `${first}` : last === first + 1 ? `${first},${last}` : `${first}-${last}`).join(',')
}

/** Parses a list such as "0,2-4", dropping indexes at or beyond `completions` and corrupt parts. */
export function parseIntervals(text: string | undefined, completions: number): Intervals {
  if (!text) return []
  const out: { first: number; last: number }[] = []
  for (const part of text.split(',')) {
    const [a, b] = part.split('-')
    const first = parseIntPart(a)
    if (first === undefined) continue
    if (first >= completions) break
    let last = first
    if (b !== undefined) {
      const l = parseIntPart(b)
      if (l === undefined) continue
      last = Math.min(l, completions - 1)
    }
    const prev = out.at(-1)
    if (prev && prev.last === first - 1) prev.last = last
    else out.push({ first, last })
  }
  return out
}

const parseIntPart = (s: string | undefined) => (s !== undefined && /^[+-]?\d+$/.test(s) ? Number(s) : undefined)

/** The indexes, ascending, that the given pods carry. */
export const indexesOf = (pods: readonly Cached<Pod>[]) =>
  [...new Set(pods.map(completionIndex).filter((i) => i >= 0))].sort((a, b) => a - b)

/** The first `count` indexes below `completions` not yet succeeded nor failed for good, nor held by a pod in `busy`. */
export function firstPendingIndexes(succeeded: Intervals, busy: readonly Cached<Pod>[], count: number, completions: number,
  failed: Intervals = []): number[] {
  if (count <= 0) return []
  const nonPending = mergeIntervals(withIndexes(succeeded, indexesOf(busy)), failed)
  const out: number[] = []
  let candidate = 0
  for (const iv of nonPending) {
    for (; candidate < completions && out.length < count && candidate < iv.first; candidate++) out.push(candidate)
    if (candidate < iv.last + 1) candidate = iv.last + 1
  }
  for (; candidate < completions && out.length < count; candidate++) out.push(candidate)
  return out
}

/**
 * Active pods that must go whatever the parallelism: those without a valid index, at or beyond
 * `completions`, and all but the best-ranked pod of each repeated index.
 */
export function duplicateIndexPods(pods: readonly Cached<Pod>[], completions: number): { rm: Cached<Pod>[]; left: Cached<Pod>[] } {
  const rm: Cached<Pod>[] = []
  const left: Cached<Pod>[] = []
  const byIndex = new Map<number, Cached<Pod>[]>()
  for (const p of pods) {
    const ix = completionIndex(p)
    if (ix < 0 || ix >= completions) rm.push(p)
    else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p])
  }
  for (const ix of [...byIndex.keys()].sort((a, b) => a - b)) {
    const same = byIndex.get(ix)!.sort(deletionOrder)
    rm.push(...same.slice(0, -1))
    left.push(same.at(-1)!)
  }
  return { rm, left }
}
