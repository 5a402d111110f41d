// The patch folder's public surface: JSON, merge and strategic merge patches. Re-exports only.
export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js'
export { applyMergePatch } from './merge-patch.js'
export { applyStrategicMergePatch } from './strategic-merge.js'
export { patchTypeOf, type PatchType } from './patch-type.js'
export type { PatchInput } from './errors.js'
