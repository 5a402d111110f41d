import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cleanupOrphanedPods } from './housekeeping.js'
import type { VolumeManager } from './types.js'

describe('cleanupOrphanedPods', () => {
  it('removes the pod and log directories of pods no longer in use, after tearing down their volumes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubelet-housekeeping-'))
    try {
      const rootDir = join(dir, 'kubelet')
      const logDir = join(dir, 'logs')
      for (const uid of ['gone', 'kept', 'stuck']) {
        await mkdir(join(rootDir, 'pods', uid, 'containers'), { recursive: true })
        await mkdir(join(logDir, `default_p-${uid}_${uid}`, 'app'), { recursive: true })
        await writeFile(join(logDir, `default_p-${uid}_${uid}`, 'app', '0.log'), 'x')
      }
      const torn: string[] = []
      const volumes = {
        async tearDownPod(uid: string) {
          torn.push(uid)
          if (uid === 'stuck') throw new Error('a mount stays')
        },
      } as unknown as VolumeManager
      const logs: string[] = []
      const removed = await cleanupOrphanedPods({ rootDir, logDir, volumes, inUse: (uid) => uid === 'kept', log: (m) => logs.push(m) })
      assert.deepEqual(removed, ['gone'])
      assert.deepEqual(torn.sort(), ['gone', 'stuck'])
      assert.deepEqual((await readdir(join(rootDir, 'pods'))).sort(), ['kept', 'stuck'])
      assert.deepEqual(await readdir(logDir), ['default_p-kept_kept'])
      assert.match(logs[0]!, /orphaned pod stuck found, but its directory could not be removed: a mount stays/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
