import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dockerignore, matchComponent } from './patterns.js'

describe('patterns', () => {
  it('matches one component like filepath.Match', () => {
    assert.ok(matchComponent('*.js', 'server.js'))
    assert.ok(!matchComponent('*.js', 'server.ts'))
    assert.ok(matchComponent('file?.[ab]', 'file1.a'))
    assert.ok(matchComponent('[!a]x', 'bx'))
  })

  it('applies .dockerignore rules: last match wins, directories take their contents', () => {
    const ignored = dockerignore('# comment\nnode_modules\n*.log\n!keep.log\n**/*.tmp\n/build/\n')
    assert.ok(ignored('node_modules'))
    assert.ok(ignored('node_modules/x/index.js'))
    assert.ok(ignored('npm-debug.log'))
    assert.ok(!ignored('keep.log'))
    assert.ok(!ignored('sub/npm-debug.log')) // *.log is anchored at the root
    assert.ok(ignored('a/b/c.tmp'))
    assert.ok(ignored('build/out.js'))
    assert.ok(!ignored('server.js'))
  })
})
