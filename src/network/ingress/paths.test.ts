// nginx's URI normalization and rewrite semantics.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { applyRewrite, normalizeUri, rewriteRegex } from './paths.js'

describe('normalizeUri', () => {
  it('decodes, merges slashes and resolves dot segments as nginx does', () => {
    assert.equal(normalizeUri('/a/b'), '/a/b')
    assert.equal(normalizeUri('/a//b///c'), '/a/b/c')
    assert.equal(normalizeUri('/a/./b/../c/'), '/a/c/')
    assert.equal(normalizeUri('/a/%62%20c'), '/a/b c')
    assert.equal(normalizeUri('/a/..'), '/')
    assert.equal(normalizeUri('/..'), undefined)
    assert.equal(normalizeUri('a'), undefined)
  })
})

describe('applyRewrite', () => {
  const vars = (n: string) => (n === 'scheme' ? 'https' : undefined)
  const re = rewriteRegex('/member(/|$)(.*)')!
  it('replaces the whole URI with the target, captures substituted, query kept', () => {
    assert.deepEqual(applyRewrite(re, '/$2', '/member/api/auth/login', 'a=1', vars), { kind: 'path', path: '/api/auth/login?a=1' })
    assert.deepEqual(applyRewrite(re, '/$2', '/member', '', vars), { kind: 'path', path: '/' })
  })
  it('appends the original query after the target\'s own, unless the target ends with ?', () => {
    assert.deepEqual(applyRewrite(re, '/x?y=2', '/member/z', 'a=1', vars), { kind: 'path', path: '/x?y=2&a=1' })
    assert.deepEqual(applyRewrite(re, '/x?', '/member/z', 'a=1', vars), { kind: 'path', path: '/x' })
  })
  it('re-escapes what the decoded path cannot carry, and redirects for absolute targets', () => {
    assert.deepEqual(applyRewrite(re, '/$2', '/member/a b', '', vars), { kind: 'path', path: '/a%20b' })
    assert.deepEqual(applyRewrite(re, '$scheme://other.com/$2', '/member/q', '', vars), { kind: 'redirect', location: 'https://other.com/q' })
  })
  it('returns undefined when the regex does not match', () => {
    assert.equal(applyRewrite(re, '/$2', '/other', '', vars), undefined)
  })
})
