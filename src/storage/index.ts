// The storage layer's public surface: the contract, the backends and their helpers. Re-exports only.
export * from './types.js'
export { openStorage } from './open.js'
export { openMemory, type MemoryOptions } from './memory.js'
export { openSqlite, type SqliteOptions } from './sqlite.js'
export { startCompactor, type CompactorOptions } from './compactor.js'
// The conformance suite (conformance.ts) is imported by tests directly: it loads node:test.
