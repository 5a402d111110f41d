/**
 * @module
 * Upstream's "path segment name" rule: names that appear as one segment of a URL path
 * (RBAC objects, ingress parameter references) may not be '.' or '..' nor hold '/' or '%'.
 */
// Upstream: staging/src/k8s.io/apimachinery/pkg/api/validation/path/name.go (IsValidPathSegmentName).

/** Problems with `name` as a path segment; empty when fine. */
export function isValidPathSegmentName(name: string): string[] {
  const errs: string[] = []
  for (const bad of ['.', '..']) if (name === bad) errs.push(`may not be '${bad}'`)
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`)
  return errs
}
