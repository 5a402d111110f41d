import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { recordsFromApiStatus } from './records.js'

describe('recordsFromApiStatus', () => {
  it('remembers the runs of the previous kubelet, gone without an exit code', () => {
    const records = recordsFromApiStatus({
      containerStatuses: [
        { name: 'app', ready: true, restartCount: 2, image: 'app:1', imageID: 'sha256:1', containerID: 'kubelite://sb1_app_2', state: { running: { startedAt: '2026-01-01T00:00:00Z' } } },
        { name: 'new', ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } },
      ],
      initContainerStatuses: [
        { name: 'setup', ready: true, restartCount: 0, image: 'x', imageID: '', containerID: 'kubelite://sb1_setup_0', state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: '2026-01-01T00:00:00Z' } } },
      ],
    }, { nowMs: 5, logPathOf: (c, n) => `/logs/${c}/${n}.log` })
    assert.deepEqual([...records.keys()], ['init/setup', 'app'])
    const app = records.get('app')!
    assert.equal(app.restartCount, 2)
    assert.equal(app.everStarted, true)
    assert.equal(app.current, undefined)
    assert.deepEqual(app.previous?.exit, { exitCode: 255, reason: 'Unknown', finishedAtMs: 5 })
    assert.equal(app.previous?.id, 'sb1_app_2')
    assert.equal(app.previous?.logPath, '/logs/app/2.log')
    assert.equal(records.get('init/setup')?.previous?.exit?.reason, 'Completed')
  })
})
