/**
 * @module
 * The template hash that names ReplicaSets and ControllerRevisions (`pod-template-hash`,
 * `controller-revision-hash`): FNV-1a 32 over the template's JSON, with the collision count
 * mixed in, written in the "safe" alphabet without vowels so it never spells a word.
 */
// Upstream: pkg/controller/controller_utils.go (ComputeHash) and apimachinery rand.SafeEncodeString.
// Upstream hashes Go's %#v dump of the struct; we hash canonical JSON, so values differ from
// upstream's but are as stable across restarts.
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789'

function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null'
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  const o = v as Record<string, unknown>
  return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`
}

function fnv1a32(s: string, h = 0x811c9dc5): number {
  const bytes = Buffer.from(s, 'utf8')
  for (const b of bytes) {
    h ^= b
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

export function computeHash(template: unknown, collisionCount?: number): string {
  let h = fnv1a32(canonical(template))
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = Buffer.alloc(4)
    b.writeUInt32LE(collisionCount >>> 0)
    for (const x of b) {
      h ^= x
      h = Math.imul(h, 0x01000193) >>> 0
    }
  }
  const digits = String(h)
  let out = ''
  for (const ch of digits) out += ALPHANUMS[ch.charCodeAt(0) % ALPHANUMS.length]
  return out
}
