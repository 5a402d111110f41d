export { startApiServer } from './server.js'
export type { ApiServerOptions, Authenticator, RunningApiServer, UserInfo } from './options.js'
export { VERSION_INFO } from './version.js'
export { inProcessTransport } from './in-process.js'
