// The kubelet API server (logs, exec, attach, port-forward, stats). Re-exports only.
export { startKubeletServer, PORT_FORWARD_WEBSOCKET_PROTOCOL, type KubeletServer, type KubeletServerOptions } from './server.js'
export { readContainerLog, parseCriLine, type LogOptions, type LogFollowControl, type CriLogRecord } from './log-reader.js'
export { procNodeUsage, summaryProvider, type NodeUsage, type Summary } from './stats.js'
export { exitStatus, successStatus, type ExecStatus } from './remote-command.js'
