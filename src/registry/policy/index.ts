/**
 * @module
 * The policy/v1 group's registry entries: PodDisruptionBudgets (evictions are the API server's).
 */
import type { ResourceType } from '../types.js'
import { podDisruptionBudgets } from './poddisruptionbudgets.js'

export { podDisruptionBudgets }
export { validatePodDisruptionBudget } from './poddisruptionbudgets.js'

/** policy/v1. */
export const policyV1: ResourceType[] = [podDisruptionBudgets]
