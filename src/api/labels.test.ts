import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { isStatusError } from './errors.js'
import {
  labelRequirement, labelSelectorFromMeta, labelSelectorFromSet, parseLabelSelector, selectEverything,
  selectNothing, validateLabelSelectorMeta,
} from './labels.js'

// Cases restate upstream's documented examples (labels/selector_test.go) and its error texts.
const badRequestWith = (message: string) => (err: unknown) =>
  isStatusError(err) && err.status.code === 400 && err.status.reason === 'BadRequest' && err.message === message

describe('parseLabelSelector: syntax', () => {
  it('round-trips good selectors (whitespace dropped)', () => {
    for (const s of ['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=', 'x= ', 'x=,z= ', 'x= ,z= ', '!x', 'x>1', 'x>1,z<5']) {
      assert.equal(parseLabelSelector(s).toString(), s.replaceAll(' ', ''))
    }
  })
  it('parses set-based requirements, sorted by key, values sorted and unique', () => {
    const reqs = (s: string) => parseLabelSelector(s).requirements.map((r) => [r.key, r.operator, r.values.join('|')])
    assert.deepEqual(reqs('x notin (abc,,def),bar,z in (),w'),
      [['bar', 'exists', ''], ['w', 'exists', ''], ['x', 'notin', '|abc|def'], ['z', 'in', '']])
    assert.deepEqual(reqs('a in (x,y,notin, z,in)'), [['a', 'in', 'in|notin|x|y|z']])
    assert.deepEqual(reqs('x  notin\t\t(abc,def)'), [['x', 'notin', 'abc|def']])
    assert.deepEqual(reqs('\rx'), [['x', 'exists', '']])
    assert.deepEqual(reqs('x notin (, a)'), [['x', 'notin', '|a']])
    assert.deepEqual(reqs('x in (abc,)'), [['x', 'in', '|abc']])
    assert.deepEqual(reqs('x in (,,)'), [['x', 'in', '']])
    assert.deepEqual(reqs('0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)'),
      [['0.1.2.domain/99', 'notin', '10.10.100.1|tick.tack.clock']])
    assert.deepEqual(reqs('x==a'), [['x', '==', 'a']])
    assert.equal(parseLabelSelector('z in (b,a),x notin (q)').toString(), 'x notin (q),z in (a,b)')
  })
  const bad: [string, string][] = [
    ['x=a||y=b', "unable to parse requirement: values[0][x]: Invalid value: \"a||y\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x<a', "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer"],
    ['x,,y', "found ',', expected: identifier after ','"],
    [',x,y', "found ',', expected: !, identifier, or 'end of string'"],
    ['x nott in (y)', "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"],
    ['a in (xyz),', "found '', expected: identifier after ','"],
    ['a in (xyz)b notin ()', "found 'b', expected: ',' or 'end of string'"],
    ['a in (xyz abc)', "unable to parse requirement: found 'abc', expected: ',' or ')'"],
    ['a notin(', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['a (', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['(', "found '(', expected: !, identifier, or 'end of string'"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a=(', "unable to parse requirement: found '(', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['a/b/c', "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"],
  ]
  for (const [s, message] of bad) {
    it(`rejects ${JSON.stringify(s)} with upstream's message`, () => {
      assert.throws(() => parseLabelSelector(s), badRequestWith(message))
    })
  }
})

describe('label selector matching', () => {
  const matches = (s: string, labels?: Record<string, string>) => parseLabelSelector(s).matches(labels)
  it('follows upstream semantics for each operator', () => {
    assert.equal(matches('', { x: 'y' }), true)
    assert.equal(matches('x=y', { x: 'y' }), true)
    assert.equal(matches('x=z', { x: 'y' }), false)
    assert.equal(matches('x!=z', { x: 'y' }), true)
    assert.equal(matches('x!=y', {}), true) // absent is "not equal"
    assert.equal(matches('notin=in', { notin: 'in' }), true)
    assert.equal(matches('x in (a,b)', { x: 'b' }), true)
    assert.equal(matches('x in (a,b)', {}), false)
    assert.equal(matches('x notin (a,b)', { x: 'c' }), true)
    assert.equal(matches('x notin (a,b)', {}), true)
    assert.equal(matches('x', { x: '' }), true)
    assert.equal(matches('!x', { x: '' }), false)
    assert.equal(matches('!x', undefined), true)
    assert.equal(matches('x=', { x: '' }), true)
    assert.equal(matches('x>1', { x: '2' }), true)
    assert.equal(matches('x>1', { x: 'two' }), false)
    assert.equal(matches('x<1', { x: '-5' }), true)
    assert.equal(matches('x=a,y=b', { x: 'a' }), false)
    assert.equal(matches('x in (a,b,c,d,e,f,g),y', { x: 'g', y: '' }), true)
  })
  it('does not see inherited object properties as labels', () => {
    assert.equal(matches('constructor', {}), false)
    assert.equal(matches('!toString', {}), true)
  })
  it('reports the exact value a selector pins', () => {
    const s = parseLabelSelector('a=1,b in (2),c in (3,4),d!=5')
    assert.deepEqual(['a', 'b', 'c', 'd', 'e'].map((k) => s.requiresExactMatch(k)), ['1', '2', undefined, undefined, undefined])
  })
  it('matches 10,000 label sets', () => {
    const s = parseLabelSelector('app=web,tier in (front,back),!canary')
    const objects = Array.from({ length: 10_000 }, (_, i) => ({ app: i % 2 ? 'web' : 'db', tier: i % 3 ? 'front' : 'mid' }))
    assert.equal(objects.filter((l) => s.matches(l)).length, objects.filter((l) => l.app === 'web' && l.tier === 'front').length)
  })
})

describe('labelSelectorFromMeta', () => {
  it('nil selects nothing, {} everything', () => {
    assert.equal(labelSelectorFromMeta(undefined), selectNothing)
    assert.equal(labelSelectorFromMeta(null).matches({}), false)
    assert.equal(labelSelectorFromMeta({}), selectEverything)
    assert.equal(labelSelectorFromMeta({ matchLabels: {}, matchExpressions: [] }).matches({ a: 'b' }), true)
    assert.equal(selectNothing.empty, false)
    assert.equal(selectEverything.empty, true)
  })
  it('combines matchLabels and matchExpressions', () => {
    const s = labelSelectorFromMeta({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'edge'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'team', operator: 'Exists' },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    })
    assert.equal(s.toString(), 'app=web,canary,env notin (dev),team,tier in (edge,front)'.replace('canary', '!canary'))
    assert.equal(s.matches({ app: 'web', tier: 'edge', team: 'a' }), true)
    assert.equal(s.matches({ app: 'web', tier: 'edge', team: 'a', env: 'dev' }), false)
    assert.equal(s.matches({ app: 'web', tier: 'edge', team: 'a', canary: 'y' }), false)
    assert.equal(s.matches({ app: 'web', tier: 'mid', team: 'a' }), false)
  })
  it('rejects what upstream rejects, with its messages', () => {
    assert.throws(() => labelSelectorFromMeta({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }),
      badRequestWith('"Gt" is not a valid label selector operator'))
    assert.throws(() => labelSelectorFromMeta({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
      badRequestWith("values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"))
    assert.throws(() => labelSelectorFromMeta({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }),
      badRequestWith('values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist'))
    assert.throws(() => labelSelectorFromMeta({ matchLabels: { 'bad key': 'v' } }), (err) =>
      isStatusError(err) && err.message.startsWith('key: Invalid value: "bad key": name part must consist of'))
    assert.throws(() => labelRequirement('-a', 'in', []), (err) => isStatusError(err) && /^\[key: Invalid value: "-a": .*, values: Invalid value: \[\]string\{\}: /.test(err.message))
  })
  it('builds a selector from a plain set', () => {
    assert.equal(labelSelectorFromSet({ b: '2', a: '1' }).toString(), 'a=1,b=2')
    assert.equal(labelSelectorFromSet(undefined).empty, true)
  })
})

describe('validateLabelSelectorMeta', () => {
  it('accepts a good selector and a missing one', () => {
    assert.deepEqual(validateLabelSelectorMeta({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'x', operator: 'Exists' }] }, 'spec.selector'), [])
    assert.deepEqual(validateLabelSelectorMeta(undefined, 'spec.selector'), [])
  })
  it('words each problem as upstream', () => {
    const errs = validateLabelSelectorMeta({
      matchLabels: { app: '-web' },
      matchExpressions: [
        { key: 'a', operator: 'In' },
        { key: 'b', operator: 'DoesNotExist', values: ['x'] },
        { key: 'c', operator: 'Gt', values: ['1'] },
        { key: 'd/e/f', operator: 'Exists' },
      ],
    }, 'spec.selector').map((e) => e.error)
    assert.deepEqual(errs, [
      "spec.selector.matchLabels: Invalid value: \"-web\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Gt": not a valid selector operator',
      "spec.selector.matchExpressions[3].key: Invalid value: \"d/e/f\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ])
  })
})
