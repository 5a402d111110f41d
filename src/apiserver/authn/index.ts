/**
 * @module
 * Request authentication: client certificates and bearer tokens. Re-exports only.
 */
export { createAuthenticator, certificateSubject, type AuthenticatorOptions } from './authenticator.js'
export { parseTokenFile, loadTokenFile, parseCsv } from './token-file.js'
export { ensureAdminToken, ADMIN_TOKEN_FILE, ADMIN_USER } from './admin-token.js'
export { ensureNodeToken, NODE_TOKEN_FILE, NODE_AGENT_USER } from './node-token.js'
