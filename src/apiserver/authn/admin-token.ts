/**
 * @module
 * The admin bearer token: generated at first start into `<data-dir>/admin.token` (mode 0600),
 * read back on later starts. It maps to the same identity as the admin client certificate.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { readIfExists, writeFileAtomic } from '../../pki/index.js'
import type { UserInfo } from '../options.js'

export const ADMIN_TOKEN_FILE = 'admin.token'
/** Who the admin token authenticates as. */
export const ADMIN_USER: UserInfo = { username: 'kubelite-admin', groups: ['system:masters'] }

/** The admin token, created (256 random bits, base64url) when absent or empty. */
export async function ensureAdminToken(dataDir: string): Promise<string> {
  return ensureTokenFile(join(dataDir, ADMIN_TOKEN_FILE))
}

/** A secret token kept in `path` (mode 0600): read back, or created when absent or empty. */
export async function ensureTokenFile(path: string): Promise<string> {
  const existing = (await readIfExists(path))?.trim()
  if (existing) return existing
  const token = randomBytes(32).toString('base64url')
  await writeFileAtomic(path, `${token}\n`, 0o600)
  return token
}
