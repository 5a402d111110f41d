/**
 * @module
 * The node token: generated at first start into `<data-dir>/node-token` (mode 0600), as k3s
 * keeps one. A node agent presents it (`kubelite agent --token`) and acts in group system:nodes.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { readIfExists, writeFileAtomic } from '../../pki/index.js'
import type { UserInfo } from '../options.js'

export const NODE_TOKEN_FILE = 'node-token'
export const NODE_AGENT_USER: UserInfo = { username: 'system:node:kubelite-agent', groups: ['system:nodes'] }

export async function ensureNodeToken(dataDir: string): Promise<string> {
  const path = join(dataDir, NODE_TOKEN_FILE)
  const existing = (await readIfExists(path))?.trim()
  if (existing) return existing
  const token = randomBytes(32).toString('base64url')
  await writeFileAtomic(path, `${token}\n`, 0o600)
  return token
}
