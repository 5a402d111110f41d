/**
 * @module
 * The autoscaling group's registry entries: HorizontalPodAutoscalers stored as v2, also served as v1.
 */
import type { ResourceType } from '../types.js'
import { horizontalPodAutoscalersV1, horizontalPodAutoscalersV2 } from './horizontalpodautoscalers.js'

export { horizontalPodAutoscalersV1, horizontalPodAutoscalersV2 }
export { defaultHPA, hpaTargets } from './horizontalpodautoscalers.js'
export { validateHPA } from './hpa-validation.js'
export {
  BEHAVIOR_ANNOTATION, CONDITIONS_ANNOTATION, DEFAULT_CPU_UTILIZATION, METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION,
  hpaV1ToV2, hpaV2ToV1,
} from './hpa-conversion.js'

/** autoscaling/v2 (preferred, stored) and autoscaling/v1. */
export const autoscaling: ResourceType[] = [horizontalPodAutoscalersV2, horizontalPodAutoscalersV1]
