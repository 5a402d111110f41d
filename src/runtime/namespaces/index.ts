// The namespaces runtime's public surface: the runtime and the shim it drives. Re-exports only.
export { createNamespacesRuntime, namespacesRuntimeAvailability, type NamespacesRuntimeOptions } from './runtime.js'
export {
  runOnce, shimPath, spawnShim, ShimStartError,
  type ExecSpec, type RunSpec, type ShimExit, type ShimProcess, type ShimUser,
} from './shim.js'
