/**
 * @module
 * Formatting shared by every kind's Table columns, as upstream's printers format cells:
 * ages ("5m", "2d3h"), label selectors, and the Name and Age columns themselves.
 */
import type { Column } from './types.js'

// Upstream: staging/src/k8s.io/apimachinery/pkg/util/duration/duration.go (HumanDuration).
/** "45s", "5m", "5m30s", "3h", "2d3h", "45d", "2y30d" — the Age column's format. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 60 * 2) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) {
    const s = seconds % 60
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`
  }
  if (minutes < 60 * 3) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 8) {
    const m = minutes % 60
    return m === 0 ? `${hours}h` : `${hours}h${m}m`
  }
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8) {
    const h = hours % 24
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`
  }
  return `${Math.floor(hours / 24 / 365)}y`
}

/** Age of an RFC 3339 timestamp at `now`, or "<unknown>" as upstream prints a missing one. */
export function age(timestamp: string | undefined | null, now: number): string {
  if (!timestamp) return '<unknown>'
  const t = Date.parse(timestamp)
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t)
}

/** A metav1.LabelSelector as upstream prints it: "app=web,tier in (a,b)", "<none>" when empty. */
export function formatLabelSelector(sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined | null): string {
  if (!sel) return '<none>'
  const parts: string[] = []
  for (const k of Object.keys(sel.matchLabels ?? {}).sort()) parts.push(`${k}=${sel.matchLabels![k]}`)
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',')
    switch (e.operator) {
      case 'In': parts.push(`${e.key} in (${vals})`); break
      case 'NotIn': parts.push(`${e.key} notin (${vals})`); break
      case 'Exists': parts.push(e.key); break
      case 'DoesNotExist': parts.push(`!${e.key}`); break
    }
  }
  return parts.length ? parts.join(',') : '<none>'
}

/** A plain map selector (Service, ReplicationController): "app=web", "<none>" when empty. */
export function formatMapSelector(sel: Record<string, string> | undefined | null): string {
  const keys = Object.keys(sel ?? {}).sort()
  return keys.length ? keys.map((k) => `${k}=${sel![k]}`).join(',') : '<none>'
}

const DESC_NAME = 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names'
const DESC_AGE = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata'

/** The Name column every kind starts with. */
export const nameColumn: Column = { name: 'Name', type: 'string', format: 'name', description: DESC_NAME, cell: (o) => o.metadata?.name ?? '' }
/** The Age column. */
export const ageColumn: Column = { name: 'Age', type: 'string', description: DESC_AGE, cell: (o, now) => age(o.metadata?.creationTimestamp, now) }

/** Joins a list as upstream's printers do, "<none>" when empty. */
export const listOrNone = (items: (string | undefined | null)[] | undefined): string => {
  const xs = (items ?? []).filter((x): x is string => !!x)
  return xs.length ? xs.join(',') : '<none>'
}
