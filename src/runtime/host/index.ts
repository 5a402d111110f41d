export {
  createHostRuntime, HOST_RUNTIME_REASON,
  type CriLogWriter, type HostRuntime, type HostRuntimeOptions,
} from './runtime.js'
export { processGroupStats, processGroupMembers } from './proc-stats.js'
