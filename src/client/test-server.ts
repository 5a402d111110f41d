/**
 * @module
 * A real API server on memory storage, plain HTTP on 127.0.0.1, for tests of API clients
 * (the client layer, controllers run for real, the scheduler). Not part of the public surface.
 */
import { startApiServer } from '../apiserver/index.js'
import { createAuthenticator } from '../apiserver/authn/index.js'
import { openStorage } from '../storage/index.js'
import { createClient } from './client.js'
import { httpTransport } from './http-transport.js'
import type { Client } from './types.js'

export const TEST_TOKEN = 'test-admin-token'

export async function startTestServer() {
  const storage = await openStorage('memory:')
  const server = await startApiServer({
    bind: '127.0.0.1', port: 0, storage,
    authenticator: createAuthenticator({ tokens: new Map([[TEST_TOKEN, { username: 'admin', groups: ['system:masters'] }]]) }),
  })
  const user = { username: 'system:kube-controller-manager', groups: ['system:authenticated'] }
  const client: Client = createClient(server.inProcess(user))
  const http: Client = createClient(httpTransport({ server: server.url, token: TEST_TOKEN }))
  return {
    server, storage, client, http,
    async close() {
      await server.close()
      await storage.close()
    },
  }
}
