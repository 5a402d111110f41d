// The disruption folder's public surface. Re-exports only.
export { disruptionController, DELETION_TIMEOUT_MS } from './disruption.js'
