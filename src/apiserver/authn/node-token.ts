/**
 * @module
 * The node token: generated at first start into `<data-dir>/node-token` (mode 0600), as k3s
 * keeps one. A node agent presents it (`kubelite agent --token`) and acts in group system:nodes.
 */
import { join } from 'node:path'
import type { UserInfo } from '../options.js'
import { ensureTokenFile } from './admin-token.js'

export const NODE_TOKEN_FILE = 'node-token'
export const NODE_AGENT_USER: UserInfo = { username: 'system:node:kubelite-agent', groups: ['system:nodes'] }

export const ensureNodeToken = (dataDir: string): Promise<string> => ensureTokenFile(join(dataDir, NODE_TOKEN_FILE))
