/**
 * @module
 * The static token file: CSV rows `token,user,uid[,"group1,group2"]`, as kube-apiserver's
 * --token-auth-file reads it. Messages never include a token, only its record number.
 */
import { readFileSync } from 'node:fs'
import type { UserInfo } from '../options.js'

/** Splits CSV text into records: quoted fields may hold commas, newlines and doubled quotes;
 *  blank lines are skipped; whitespace is kept (Go's encoding/csv with default settings). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = []
  const src = text.replace(/\r\n/g, '\n')
  let line = 1
  let i = 0
  while (i < src.length) {
    if (src[i] === '\n') { i++; line++; continue } // blank line
    const record: string[] = []
    for (;;) {
      let field = ''
      if (src[i] === '"') {
        i++
        for (;;) {
          if (i >= src.length) throw new Error(`parse error on line ${line}: extraneous or missing " in quoted-field`)
          const c = src[i++]!
          if (c === '"') {
            if (src[i] === '"') { field += '"'; i++; continue }
            break
          }
          if (c === '\n') line++
          field += c
        }
        if (i < src.length && src[i] !== ',' && src[i] !== '\n') {
          throw new Error(`parse error on line ${line}: extraneous or missing " in quoted-field`)
        }
      } else {
        while (i < src.length && src[i] !== ',' && src[i] !== '\n') {
          if (src[i] === '"') throw new Error(`parse error on line ${line}: bare " in non-quoted-field`)
          field += src[i++]
        }
      }
      record.push(field)
      if (src[i] === ',') { i++; continue }
      break
    }
    if (src[i] === '\n') { i++; line++ }
    records.push(record)
  }
  return records
}

// Upstream: staging/src/k8s.io/apiserver/pkg/authentication/token/tokenfile/tokenfile.go (NewCSV).
// Same messages and rules, except that an empty group column yields no groups rather than "".
/** Token → user from the token file's text; `source` names the file in messages. */
export function parseTokenFile(text: string, source: string, warn: (message: string) => void = () => {}): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>()
  let recordNum = 0
  for (const record of parseCsv(text)) {
    if (record.length < 3) {
      throw new Error(`token file '${source}' must have at least 3 columns (token, user name, user uid), found ${record.length}`)
    }
    recordNum++
    const [token, username, uid, groups] = record as [string, string, string, string | undefined]
    if (token === '') {
      warn(`empty token has been found in token file '${source}', record number '${recordNum}'`)
      continue
    }
    if (tokens.has(token)) warn(`duplicate token has been found in token file '${source}', record number '${recordNum}'`)
    const user: UserInfo = { username, groups: groups ? groups.split(',').filter((g) => g !== '') : [] }
    if (uid !== '') user.uid = uid
    tokens.set(token, user)
  }
  return tokens
}

/** Reads and parses the token file at `path` (read once, at start, as upstream does). */
export function loadTokenFile(path: string, warn?: (message: string) => void): Map<string, UserInfo> {
  return parseTokenFile(readFileSync(path, 'utf8'), path, warn)
}
