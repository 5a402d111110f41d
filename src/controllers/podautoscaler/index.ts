// The podautoscaler folder's public surface. Re-exports only.
export { horizontalPodAutoscaler, type HorizontalOptions } from './horizontal.js'
export { getScale, updateScale, scaleResourceName, type ScaleTarget } from './scale.js'
export { goLabelSelector } from './go-format.js'
