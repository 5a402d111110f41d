// The route table alone: which location a host and path select, with ingress-nginx's precedence.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { findLocation, findServer, buildRoutes, type RouteTable } from './routes.js'
import { ingress, path, rule } from './testing.js'

const A = 'nginx.ingress.kubernetes.io/'

/** `service` (or 404) a request for host and path goes to. */
function route(t: RouteTable, host: string, uri: string): string {
  const loc = findLocation(findServer(t, host), uri)
  return loc?.backend?.service ?? '404'
}

describe('route table', () => {
  it('Prefix matches element-wise; Exact only itself; longest prefix wins; Exact beats Prefix', () => {
    const t = buildRoutes([ingress('a', { rules: [rule('h',
      path('/foo', 'foo'), path('/foo/bar', 'foobar'), path('/foo/bar', 'exact', 'Exact'), path('/', 'root'))] })])
    assert.equal(route(t, 'h', '/foo'), 'foo')
    assert.equal(route(t, 'h', '/foo/'), 'foo')
    assert.equal(route(t, 'h', '/foo/x'), 'foo')
    assert.equal(route(t, 'h', '/foobar'), 'root')
    assert.equal(route(t, 'h', '/foo/bar'), 'exact')
    assert.equal(route(t, 'h', '/foo/bar/baz'), 'foobar')
    assert.equal(route(t, 'h', '/FOO'), 'root') // prefixes are case-sensitive
  })

  it('ImplementationSpecific without regex is nginx\'s plain string prefix', () => {
    const t = buildRoutes([ingress('a', { rules: [rule('h', path('/img', 'img', 'ImplementationSpecific'))] })])
    assert.equal(route(t, 'h', '/img/a.png'), 'img')
    assert.equal(route(t, 'h', '/imgs'), 'img')
    assert.equal(route(t, 'h', '/x'), '404')
  })

  it('use-regex on one Ingress makes every path of the host a case-insensitive regex, longest first', () => {
    // The example from ingress-nginx's path-matching documentation.
    const t = buildRoutes([
      ingress('one', { rules: [rule('test.com', path('/foo/bar', 'service1'), path('/foo/bar/', 'service2'))] }),
      ingress('two', { rules: [rule('test.com', path('/foo/bar/(.+)', 'service3', 'ImplementationSpecific'))] }, { [A + 'rewrite-target']: '/$1' }),
    ])
    assert.equal(route(t, 'test.com', '/foo/bar/1'), 'service3')
    assert.equal(route(t, 'test.com', '/foo/bar/'), 'service2')
    assert.equal(route(t, 'test.com', '/foo/bar'), 'service1')
    assert.equal(route(t, 'test.com', '/FOO/BAR'), 'service1')
    // Regexes are prefixes too: this is the first-match surprise the documentation warns of.
    assert.equal(route(t, 'test.com', '/foo/barbaz'), 'service1')
    // Other hosts keep plain matching.
    const other = buildRoutes([ingress('x', { rules: [rule('other.com', path('/foo', 'plain'))] })])
    assert.equal(route(other, 'other.com', '/FOO'), '404')
  })

  it('regex order puts a longer regex first even when a literal path matches exactly', () => {
    const t = buildRoutes([ingress('w', { rules: [rule('test.com',
      path('/foo/bar/bar', 'literal'), path('/foo/bar/[A-Z0-9]{3}', 'regex', 'ImplementationSpecific'))] }, { [A + 'use-regex']: 'true' })])
    assert.equal(route(t, 'test.com', '/foo/bar/bar'), 'regex')
  })

  it('wildcard hosts match exactly one label; exact hosts win; host-less rules serve every host', () => {
    const t = buildRoutes([
      ingress('w', { rules: [rule('*.foo.com', path('/', 'wild'))] }),
      ingress('e', { rules: [rule('www.foo.com', path('/', 'www'))] }),
      ingress('any', { rules: [rule(undefined, path('/any', 'any'))] }),
    ])
    assert.equal(route(t, 'a.foo.com', '/'), 'wild')
    assert.equal(route(t, 'A.FOO.COM:8080', '/'), 'wild')
    assert.equal(route(t, 'www.foo.com', '/'), 'www')
    assert.equal(route(t, 'a.b.foo.com', '/'), '404')
    assert.equal(route(t, 'foo.com', '/'), '404')
    assert.equal(route(t, 'unknown.com', '/any/x'), 'any')
    assert.equal(route(t, '', '/any'), 'any')
  })

  it('spec.defaultBackend: the catch-all for a rule-less Ingress, the host root for one with rules', () => {
    const def = { service: { name: 'fallback', port: { number: 80 } } }
    const t = buildRoutes([
      ingress('catchall', { defaultBackend: def }),
      ingress('hosted', { defaultBackend: { service: { name: 'hostdef', port: { number: 80 } } }, rules: [rule('h.com', path('/api', 'api'))] }),
    ])
    assert.equal(route(t, 'nowhere', '/x'), 'fallback')
    assert.equal(route(t, 'h.com', '/api/v1'), 'api')
    assert.equal(route(t, 'h.com', '/other'), 'hostdef')
  })

  it('the oldest Ingress keeps a host and path; a later one adds only new paths', () => {
    const older = ingress('older', { rules: [rule('h', path('/a', 'first'))] })
    const newer = ingress('newer', { rules: [rule('h', path('/a', 'second'), path('/b', 'third'))] })
    const t = buildRoutes([newer, older])
    assert.equal(route(t, 'h', '/a'), 'first')
    assert.equal(route(t, 'h', '/b'), 'third')
  })

  it('reports paths it cannot serve', () => {
    const t = buildRoutes([ingress('bad', { rules: [rule('h', path('/a(', 'x', 'ImplementationSpecific'))] }, { [A + 'use-regex']: 'true' })])
    assert.match(t.problems.get('default/bad')?.[0] ?? '', /not a valid regular expression/)
  })

  it('TLS: a host listed under spec.tls names its Secret', () => {
    const t = buildRoutes([ingress('s', { tls: [{ hosts: ['s.com'], secretName: 'cert' }], rules: [rule('s.com', path('/', 'x')), rule('p.com', path('/', 'x'))] })])
    assert.deepEqual(findServer(t, 's.com').tls, { secret: 'default/cert' })
    assert.equal(findServer(t, 'p.com').tls, undefined)
  })
})
