/**
 * @module
 * A real API server on memory storage, plain HTTP on 127.0.0.1, for tests of API clients
 * (the client layer, controllers run for real, the scheduler). Not part of the public surface.
 */
import { createClient } from './client.js'
import { httpTransport } from './http-transport.js'
import { eventBroadcaster } from './event-recorder.js'
import { createInformers } from './informers.js'
import { runController } from './run-controller.js'
import type { Client, Controller, ControllerContext } from './types.js'

export const TEST_TOKEN = 'test-admin-token'

export async function startTestServer() {
  // Loaded here, not at the top: the client's index re-exports this module, and a process that
  // only uses the client (a node agent) must not load the whole API server and sqlite with it.
  const [{ startApiServer }, { createAuthenticator }, { openStorage }] = await Promise.all([
    import('../apiserver/index.js'), import('../apiserver/authn/index.js'), import('../storage/index.js'),
  ])
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

/** Polls `probe` every 20 ms until it returns a value (not undefined); fails after `timeoutMs`. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * A test server with real informers and the loops `make` returns running on it, as the
 * controller manager runs them. `wrap` may stand in front of the client (to stage failures).
 */
export async function startControllersOnTestServer(make: (ctx: ControllerContext) => Controller | Controller[],
  opts: { workers?: number; wrap?: (client: Client) => Client } = {}) {
  const t = await startTestServer()
  const ac = new AbortController()
  const client = opts.wrap ? opts.wrap(t.client) : t.client
  const informers = createInformers(client)
  const ctx: ControllerContext = { client, informers, recorder: eventBroadcaster(client), now: Date.now }
  const made = make(ctx)
  informers.start(ac.signal)
  for (const c of Array.isArray(made) ? made : [made]) {
    void runController(c, { workers: opts.workers ?? 2, signal: ac.signal, informers, onError: () => {} })
  }
  return {
    ...t, ctx,
    async close() {
      ac.abort()
      await t.close()
    },
  }
}
