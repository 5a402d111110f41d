/**
 * @module
 * Packages most requests never need, loaded on first use: the server idles in less memory
 * when a YAML body or a JSON patch has never arrived (yaml alone is ~9 MB of RSS).
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

type YamlModule = typeof import('yaml')
type JsonPatchModule = typeof import('fast-json-patch')
let yamlModule: YamlModule | undefined
let jsonPatchModule: JsonPatchModule | undefined

/** The `yaml` package. */
export const yaml = (): YamlModule => (yamlModule ??= require('yaml') as YamlModule)
/** The `fast-json-patch` package. */
export const fastJsonPatch = (): JsonPatchModule => (jsonPatchModule ??= require('fast-json-patch') as JsonPatchModule)
