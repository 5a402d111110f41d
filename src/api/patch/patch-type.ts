/**
 * @module
 * Which patch a PATCH request carries, from its Content-Type.
 */
// Upstream: staging/src/k8s.io/apimachinery/pkg/types/patch.go (PatchType constants).

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply'

const BY_MEDIA_TYPE: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
}

/** The patch type for a Content-Type header (parameters ignored), or undefined if none. */
export function patchTypeOf(contentType: string | null | undefined): PatchType | undefined {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  return BY_MEDIA_TYPE[media]
}
