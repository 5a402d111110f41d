/**
 * @module
 * Which `kubernetes-types` declaration files feed the schema table, and the OpenAPI name prefix
 * of each (upstream's definition names: io.k8s.api.<group>.<version>.<Type> and friends).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, posix } from 'node:path'

// Stable API groups only: upstream's alpha/beta versions are not served.
const API_GROUPS = ['admissionregistration/v1', 'apps/v1', 'authentication/v1', 'authorization/v1',
  'autoscaling/v1', 'autoscaling/v2', 'batch/v1', 'certificates/v1', 'coordination/v1', 'core/v1',
  'discovery/v1', 'events/v1', 'flowcontrol/v1', 'networking/v1', 'node/v1', 'policy/v1', 'rbac/v1',
  'scheduling/v1', 'storage/v1']

/** Declaration file (relative to the package, no extension) → OpenAPI prefix of its types. */
export const SOURCES: Record<string, string> = {
  'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1.',
  'runtime': 'io.k8s.apimachinery.pkg.runtime.',
  'api/resource': 'io.k8s.apimachinery.pkg.api.resource.',
  'version': 'io.k8s.apimachinery.pkg.version.',
  'apiextensions/v1': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.',
  ...Object.fromEntries(API_GROUPS.map((f) => [f, `io.k8s.api.${f.replace('/', '.')}.`])),
}

/** Each source file's text and how its relative imports map to OpenAPI prefixes. */
export function readSources(): { file: string; text: string; prefix: string; modules: Record<string, string> }[] {
  const root = dirname(createRequire(import.meta.url).resolve('kubernetes-types/package.json'))
  return Object.entries(SOURCES).map(([file, prefix]) => {
    const modules: Record<string, string> = {}
    const text = readFileSync(join(root, `${file}.d.ts`), 'utf8')
    for (const m of text.matchAll(/^import \{[^}]+\} from "([^"]+)";/gm)) {
      const target = posix.join(posix.dirname(file), m[1])
      if (SOURCES[target]) modules[m[1]] = SOURCES[target]
    }
    return { file, text, prefix, modules }
  })
}
