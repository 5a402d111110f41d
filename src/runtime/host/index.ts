export {
  createHostRuntime, HOST_RUNTIME_REASON,
  type HostRuntime, type HostRuntimeOptions,
} from './runtime.js'
export { processGroupStats } from '../proc-stats.js'
