/**
 * @module
 * The local image store's shapes. An image is one or more layer directories (top first) that
 * the runtime lays over the host's read-only root filesystem (the "host base"), plus a config.
 */

/** What a container started from the image gets by default (the OCI image config, trimmed). */
export type ImageConfig = {
  env: string[]
  entrypoint?: string[]
  cmd?: string[]
  workingDir?: string
  user?: string
  exposedPorts?: string[]
  labels?: Record<string, string>
}

/** One stored image. `layers` are absolute directories, highest first; the host base is implied. */
export type ImageRecord = {
  id: string // sha256:<hex>
  names: string[]
  layers: string[]
  config: ImageConfig
  created: string
  size: number
}

/** A finished build to record: its layers (already committed) and config. */
export type CommitRequest = {
  layers: string[]
  config: ImageConfig
  /** Names to tag the new image with (normalized by the store). */
  names?: string[]
  /** Clock, for tests. */
  now?: () => Date
}

export interface ImageStore {
  /** The store's directory (`<data-dir>/images`). */
  readonly dir: string
  /** By name (normalized), full id, or unique id prefix. */
  resolve(ref: string): Promise<ImageRecord | undefined>
  list(): Promise<ImageRecord[]>
  /** Untags a name; a full id or id prefix removes the image. Unused layers are deleted. */
  remove(ref: string): Promise<boolean>
  tag(id: string, name: string): Promise<void>
  /** A fresh scratch directory on the store's filesystem, for building a layer. */
  scratchDir(prefix: string): Promise<string>
  /** Moves a finished layer directory into the store (content-addressed); returns its new path. */
  commitLayer(dir: string): Promise<string>
  /** Records an image over committed layers; returns the record (existing one if identical). */
  commit(req: CommitRequest): Promise<ImageRecord>
}

/** How RUN executes a command in the stage's namespaces: the container shim's runOnce. */
export type RunOnce = (opts: {
  layers: string[]
  upper: string
  work: string
  argv: string[]
  env: Array<[string, string]>
  workingDir: string
  user?: { uid: number; gid: number; supplementalGroups: number[] }
  newUserNamespace: boolean
  mounts?: Array<{ hostPath: string; containerPath: string; readOnly?: boolean }>
  stdio?: 'inherit' | 'pipe'
}) => Promise<{ exitCode: number; signal?: NodeJS.Signals; output?: string }>
