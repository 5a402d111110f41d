// Annotation parsing and IngressClass selection.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Ingress } from 'kubernetes-types/networking/v1.js'
import { parseAnnotations, parseSize } from './annotations.js'
import { createIngressClasses, ingressClassFilter } from './classes.js'

const A = 'nginx.ingress.kubernetes.io/'

describe('parseAnnotations', () => {
  it('has ingress-nginx defaults', () => {
    const { config, unsupported } = parseAnnotations({})
    assert.equal(config.bodySizeBytes, 1024 * 1024)
    assert.equal(config.connectTimeoutMs, 5000)
    assert.equal(config.readTimeoutMs, 60_000)
    assert.equal(config.sendTimeoutMs, 60_000)
    assert.equal(config.sslRedirect, true)
    assert.equal(config.forceSslRedirect, false)
    assert.equal(config.backendProtocol, 'HTTP')
    assert.equal(config.cors, undefined)
    assert.deepEqual(unsupported, [])
  })
  it('parses sizes, timeouts, affinity, and lists unsupported annotations', () => {
    const p = parseAnnotations({
      [A + 'proxy-body-size']: '8m', [A + 'proxy-read-timeout']: '120', [A + 'affinity']: 'cookie', [A + 'session-cookie-name']: 'route',
      [A + 'configuration-snippet']: 'x', 'other.io/x': 'y', [A + 'backend-protocol']: 'https', [A + 'proxy-connect-timeout']: 'soon',
    })
    assert.equal(p.config.bodySizeBytes, 8 * 1024 * 1024)
    assert.equal(p.config.readTimeoutMs, 120_000)
    assert.equal(p.config.connectTimeoutMs, 5000)
    assert.equal(p.config.affinity?.cookieName, 'route')
    assert.equal(p.config.backendProtocol, 'HTTPS')
    assert.deepEqual(p.unsupported, ['configuration-snippet'])
    assert.equal(p.invalid.length, 1)
    assert.equal(parseSize('0'), 0)
    assert.equal(parseSize('10k'), 10_240)
    assert.equal(parseSize('ten'), undefined)
  })
  it('CORS: a * in the origin list wins; invalid origins are dropped', () => {
    assert.deepEqual(parseAnnotations({ [A + 'enable-cors']: 'true', [A + 'cors-allow-origin']: 'https://a.com, *' }).config.cors?.allowOrigin, ['*'])
    const c = parseAnnotations({ [A + 'enable-cors']: 'true', [A + 'cors-allow-origin']: 'https://a.com, not an origin' }).config.cors!
    assert.deepEqual(c.allowOrigin, ['https://a.com'])
    assert.equal(c.originRe?.test('https://A.com'), true)
    assert.equal(c.originRe?.test('https://a.com.evil'), false)
  })
})

describe('ingress classes', () => {
  const ing = (spec: Ingress['spec'], annotations?: Record<string, string>): Ingress =>
    ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'x', annotations }, spec })
  it('serves nginx and kubelite (the default), not other classes', () => {
    const classes = [...createIngressClasses(), { metadata: { name: 'traefik' }, spec: { controller: 'traefik.io/ingress-controller' } }]
    const ours = ingressClassFilter(classes)
    assert.equal(ours(ing({ ingressClassName: 'nginx' })), true)
    assert.equal(ours(ing({ ingressClassName: 'kubelite' })), true)
    assert.equal(ours(ing({ ingressClassName: 'traefik' })), false)
    assert.equal(ours(ing({})), true)
    assert.equal(ours(ing({}, { 'kubernetes.io/ingress.class': 'nginx' })), true)
    assert.equal(ours(ing({}, { 'kubernetes.io/ingress.class': 'traefik' })), false)
  })
  it('leaves class-less Ingresses to another controller\'s default class', () => {
    const classes = [createIngressClasses().find((c) => c.metadata?.name === 'nginx')!, { metadata: { name: 't', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: 'traefik.io/ingress-controller' } }]
    assert.equal(ingressClassFilter(classes)(ing({})), false)
  })
})
