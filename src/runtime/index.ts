// The container runtimes' public surface: the CRI-like types, the CRI log writer and the
// `namespaces` runtime. Re-exports only.
export type * from './types.js'
export { openCriLog, rfc3339NanoNow, MAX_LOG_LINE_BYTES, type CriLogWriter } from './cri-log.js'
export * from './namespaces/index.js'
