/**
 * @module
 * The static token file: upstream's CSV rules and messages.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parseCsv, parseTokenFile } from './token-file.js'

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, newlines in quotes, CRLF and blank lines', () => {
    assert.deepEqual(parseCsv('a,b,"c,d"\r\n\n"x""y",,"multi\nline"\nlast'), [
      ['a', 'b', 'c,d'], ['x"y', '', 'multi\nline'], ['last'],
    ])
  })
  it('rejects stray quotes like Go encoding/csv', () => {
    assert.throws(() => parseCsv('a,b"c\n'), /line 1: bare " in non-quoted-field/)
    assert.throws(() => parseCsv('a\n"open'), /line 2: extraneous or missing " in quoted-field/)
    assert.throws(() => parseCsv('"a"b,c'), /extraneous or missing "/)
  })
})

describe('parseTokenFile', () => {
  it('maps tokens to users with uid and groups', () => {
    const tokens = parseTokenFile('tok1,alice,uid-1,"dev,ops"\ntok2,bob,uid-2\ntok3,carol,,admins\n', 'tokens.csv')
    assert.deepEqual(tokens.get('tok1'), { username: 'alice', uid: 'uid-1', groups: ['dev', 'ops'] })
    assert.deepEqual(tokens.get('tok2'), { username: 'bob', uid: 'uid-2', groups: [] })
    assert.deepEqual(tokens.get('tok3'), { username: 'carol', groups: ['admins'] })
    assert.equal(tokens.size, 3)
  })
  it('requires three columns, with upstream wording', () => {
    assert.throws(() => parseTokenFile('tok1,alice\n', '/d/tokens.csv'),
      { message: "token file '/d/tokens.csv' must have at least 3 columns (token, user name, user uid), found 2" })
  })
  it('skips empty tokens and keeps the last duplicate, warning without the token', () => {
    const warnings: string[] = []
    const tokens = parseTokenFile(',nobody,1\nsecret,a,1\nsecret,b,2\n', 'f.csv', (m) => warnings.push(m))
    assert.deepEqual(warnings, [
      "empty token has been found in token file 'f.csv', record number '1'",
      "duplicate token has been found in token file 'f.csv', record number '3'",
    ])
    assert.equal(tokens.get('secret')?.username, 'b')
    assert.equal(tokens.has(''), false)
    assert.ok(warnings.every((w) => !w.includes('secret')))
  })
})
