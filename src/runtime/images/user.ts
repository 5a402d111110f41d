/**
 * @module
 * USER and --chown values (`name`, `uid`, `name:group`, `uid:gid`) resolved against the
 * image's own /etc/passwd and /etc/group, as the container runtime would resolve them.
 */
import { readFile } from 'node:fs/promises'
import type { MergedView } from './merged-view.js'

export type ResolvedUser = { uid: number; gid: number; supplementalGroups: number[] }

async function table(view: MergedView, path: string): Promise<string[][]> {
  const entry = await view.lookup(path, { follow: true })
  if (!entry?.stat.isFile()) return []
  return (await readFile(entry.real, 'utf8')).split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'))
}

const numeric = (s: string) => /^\d+$/.test(s)

/** Resolves `user[:group]`; throws when a name is not in the image's files. */
export async function resolveUser(spec: string, view: MergedView): Promise<ResolvedUser> {
  const [userPart = '', groupPart] = spec.split(':')
  const passwd = await table(view, '/etc/passwd')
  const groups = await table(view, '/etc/group')
  const pw = passwd.find((p) => (numeric(userPart) ? p[2] === userPart : p[0] === userPart))
  if (!pw && !numeric(userPart)) throw new Error(`unable to find user ${userPart}: no matching entries in passwd file`)
  const uid = numeric(userPart) ? Number(userPart) : Number(pw![2])
  let gid = pw ? Number(pw[3]) : 0
  if (groupPart !== undefined && groupPart !== '') {
    const gr = groups.find((g) => (numeric(groupPart) ? g[2] === groupPart : g[0] === groupPart))
    if (!gr && !numeric(groupPart)) throw new Error(`unable to find group ${groupPart}: no matching entries in group file`)
    gid = numeric(groupPart) ? Number(groupPart) : Number(gr![2])
  }
  const name = pw?.[0]
  const supplementalGroups = groupPart === undefined && name
    ? groups.filter((g) => (g[3] ?? '').split(',').includes(name)).map((g) => Number(g[2])).filter((g) => g !== gid)
    : []
  return { uid, gid, supplementalGroups }
}
