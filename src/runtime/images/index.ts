// The local image store and builder: public surface. Re-exports only.
export type { CommitRequest, ImageConfig, ImageRecord, ImageStore, RunOnce } from './types.js'
export { openImageStore, removeTree } from './store.js'
export { familiarName, normalizeImageRef, parseImageRef, type ParsedRef } from './reference.js'
export { buildImage, DEFAULT_PATH, type BuildOptions } from './builder.js'
export { parseDockerfile, type Dockerfile, type Instruction } from './dockerfile.js'
export { expandWord, expandWords, type Lookup } from './shell-words.js'
export { mergedView, isWhiteout, type MergedView } from './merged-view.js'
export { plainProgress, silentProgress, type Progress } from './progress.js'
