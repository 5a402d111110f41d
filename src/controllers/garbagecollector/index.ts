// The garbage collector's public surface. Re-exports only.
export { garbageCollector, garbageCollectorKey, OWNER_INDEX, type GarbageCollectorOptions } from './garbage-collector.js'
export { GC_KINDS, FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from './kinds.js'
