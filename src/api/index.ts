// The api folder's public surface: shared API machinery. Re-exports only.
export * from './errors.js'
export * from './field-errors.js'
export * from './compare.js'
export * from './meta.js'
export * from './names.js'
export * from './labels.js'
export * from './fields.js'
export * from './quantity.js'
export * from './duration.js'
export * from './patch/index.js'
// export * from './schema/index.js' (being built alongside; enable once it lands)
export * from './time-zones.js'
