import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { keyValuePairs, parseDockerfile } from './dockerfile.js'
import { expandWord, expandWords } from './shell-words.js'

describe('parseDockerfile', () => {
  it('joins continuations, drops comments (also inside continuations) and ignores # syntax', () => {
    const df = parseDockerfile([
      '# syntax=docker/dockerfile:1',
      '# a comment',
      'ARG BASE=node:20',
      'FROM ${BASE} AS build',
      'RUN echo one \\',
      '  # a comment inside',
      '',
      '  && echo two',
      'copy --from=build --chown=1:2 a b /dst/',
      'CMD ["node", "server.js"]',
      'ENTRYPOINT node [not json',
    ].join('\n'))
    assert.equal(df.escape, '\\')
    assert.deepEqual(df.instructions.map((i) => i.keyword), ['ARG', 'FROM', 'RUN', 'COPY', 'CMD', 'ENTRYPOINT'])
    assert.equal(df.instructions[2]!.rest, 'echo one   && echo two')
    assert.equal(df.instructions[2]!.line, 5)
    assert.deepEqual(df.instructions[3]!.flags, { from: 'build', chown: '1:2' })
    assert.equal(df.instructions[3]!.rest, 'a b /dst/')
    assert.deepEqual(df.instructions[4]!.json, ['node', 'server.js'])
    assert.equal(df.instructions[5]!.json, undefined) // not JSON: shell form
  })

  it('honours the escape directive', () => {
    const df = parseDockerfile('# escape=`\nFROM x\nRUN dir c:\\ `\n  && echo hi\n')
    assert.equal(df.escape, '`')
    assert.equal(df.instructions[1]!.rest, 'dir c:\\   && echo hi')
  })

  it('rejects unknown instructions with the line number', () => {
    assert.throws(() => parseDockerfile('FROM x\nFROBNICATE y\n'), /line 2: unknown instruction: FROBNICATE/)
  })

  it('reads ENV and LABEL pairs in both forms', () => {
    const df = parseDockerfile('ENV A=1 B="two words" C=three\\ words\nENV LEGACY the rest of it\nLABEL "com.x"="y z"\n')
    assert.deepEqual(keyValuePairs(df.instructions[0]!), [['A', '1'], ['B', '"two words"'], ['C', 'three\\ words']])
    assert.deepEqual(keyValuePairs(df.instructions[1]!), [['LEGACY', 'the rest of it']])
    const [[k, v]] = keyValuePairs(df.instructions[2]!) as [[string, string]]
    assert.deepEqual([expandWord(k, () => undefined), expandWord(v, () => undefined)], ['com.x', 'y z'])
  })
})

describe('variable substitution', () => {
  const vars: Record<string, string> = { NAME: 'app', EMPTY: '', DIR: '/srv/my app' }
  const lookup = (n: string) => vars[n]
  const cases: Array<[string, string]> = [
    ['$NAME', 'app'],
    ['${NAME}-x', 'app-x'],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${NAME:+set}', 'set'],
    ['${MISSING:+set}', ''],
    ['${EMPTY+set}', 'set'],
    ['${MISSING:-${NAME}2}', 'app2'],
    ["'$NAME'", '$NAME'],
    ['"$NAME and ${NAME}"', 'app and app'],
    ['\\$NAME', '$NAME'],
    ['"a \\"q\\" b"', 'a "q" b'],
    ['cost: $ 5', 'cost: $ 5'],
    ['$MISSING', ''],
  ]
  for (const [input, want] of cases) it(`${input} → ${JSON.stringify(want)}`, () => assert.equal(expandWord(input, lookup), want))

  it('${VAR:?msg} fails when unset or empty', () => {
    assert.throws(() => expandWord('${EMPTY:?must be set}', lookup), /EMPTY: must be set/)
    assert.equal(expandWord('${NAME:?x}', lookup), 'app')
  })

  it('splits words on unquoted whitespace, keeping quoted spaces', () => {
    assert.deepEqual(expandWords('a "b c" $DIR d\\ e', lookup), ['a', 'b c', '/srv/my', 'app', 'd e'])
    assert.deepEqual(expandWords('"$DIR" x', lookup), ['/srv/my app', 'x'])
    assert.deepEqual(expandWords('"" x', lookup), ['', 'x'])
  })
})
