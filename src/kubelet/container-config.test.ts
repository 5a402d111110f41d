import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { containerArgv, containerResources, containerUser, formatPod, mergeEnv, securityFlags } from './container-config.js'
import { ContainerConfigError } from './types.js'

const expand = (args: string[], env: Array<[string, string]>) =>
  args.map((a) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, k: string) => env.find(([n]) => n === k)?.[1] ?? m))
const pod = (sc?: NonNullable<Pod['spec']>['securityContext']): Pod =>
  ({ metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [], securityContext: sc } })

describe('container config', () => {
  it('builds argv from command/args over the image entrypoint/cmd', () => {
    const img = { env: [], entrypoint: ['/ep'], cmd: ['--x'] }
    const env: Array<[string, string]> = [['N', '3']]
    assert.deepEqual(containerArgv({ name: 'c' }, img, env, expand), ['/ep', '--x'])
    assert.deepEqual(containerArgv({ name: 'c', args: ['-n', '$(N)'] }, img, env, expand), ['/ep', '-n', '3'])
    assert.deepEqual(containerArgv({ name: 'c', command: ['sh', '-c'] }, img, env, expand), ['sh', '-c'])
    assert.deepEqual(containerArgv({ name: 'c', command: ['echo'], args: ['$(N)'] }, img, env, expand), ['echo', '3'])
    assert.throws(() => containerArgv({ name: 'c' }, { env: [] }, env, expand), ContainerConfigError)
  })
  it('merges the image env under the container env', () => {
    assert.deepEqual(mergeEnv(['PATH=/bin', 'A=img'], [['A', 'c'], ['B', '2']]), [['PATH', '/bin'], ['A', 'c'], ['B', '2']])
  })
  it('resolves the user from container, pod and image', () => {
    assert.equal(containerUser(pod(), { name: 'c' }, { env: [] }), undefined)
    assert.deepEqual(containerUser(pod({ runAsUser: 1000, fsGroup: 2000, supplementalGroups: [5] }), { name: 'c', securityContext: { runAsGroup: 3000 } }, { env: [] }),
      { uid: 1000, gid: 3000, supplementalGroups: [5, 2000] })
    assert.deepEqual(containerUser(pod(), { name: 'c' }, { env: [], user: '1001:1002' }), { uid: 1001, gid: 1002, supplementalGroups: [] })
    // A named USER runs as the image's /etc/passwd says; runAsUser still wins.
    const postgres = { uid: 999, gid: 999, supplementalGroups: [101] }
    assert.deepEqual(containerUser(pod(), { name: 'c' }, { env: [], user: 'postgres' }, postgres), postgres)
    assert.deepEqual(containerUser(pod({ runAsUser: 70 }), { name: 'c' }, { env: [], user: 'postgres' }, postgres), { uid: 70, gid: 0, supplementalGroups: [] })
  })
  it('refuses runAsNonRoot with a root user in upstream words', () => {
    assert.throws(() => containerUser(pod({ runAsNonRoot: true }), { name: 'c' }, { env: [] }),
      { reason: 'CreateContainerConfigError', message: 'container has runAsNonRoot and image will run as root (pod: "p_ns(u1)", container: c)' })
    assert.throws(() => containerUser(pod({ runAsNonRoot: true }), { name: 'c' }, { env: [], user: 'app' }), /non-numeric user \(app\)/)
    assert.throws(() => containerUser(pod(), { name: 'c', securityContext: { runAsNonRoot: true, runAsUser: 0 } }, { env: [] }), /breaks non-root policy/)
    assert.deepEqual(containerUser(pod({ runAsNonRoot: true, runAsUser: 10 }), { name: 'c' }, { env: [] }), { uid: 10, gid: 0, supplementalGroups: [] })
  })
  it('converts resources and security flags', () => {
    assert.deepEqual(containerResources({ name: 'c', resources: { limits: { memory: '64Mi', cpu: '500m' }, requests: { cpu: '100m' } } }),
      { memoryLimitBytes: 64 * 1024 * 1024, cpuLimitMillis: 500, cpuRequestMillis: 100 })
    assert.deepEqual(containerResources({ name: 'c', resources: { limits: { cpu: '1' } } }), { cpuLimitMillis: 1000, cpuRequestMillis: 1000 })
    assert.deepEqual(securityFlags({ name: 'c', securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true } }),
      { noNewPrivileges: true, readOnlyRootFilesystem: true })
    assert.equal(formatPod(pod()), 'p_ns(u1)')
  })
})
