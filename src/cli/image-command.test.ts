import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { UsageError } from './args.js'
import { humanAgo, humanSize, imageTable, run } from './image-command.js'

describe('kubelite image', () => {
  it('formats sizes and ages like docker', () => {
    assert.equal(humanSize(170), '170B')
    assert.equal(humanSize(2240), '2.24kB')
    assert.equal(humanSize(1_234_567_890), '1.23GB')
    const now = Date.parse('2026-01-01T12:00:00Z')
    assert.equal(humanAgo(now - 30_000, now), '30 seconds ago')
    assert.equal(humanAgo(now - 65_000, now), 'About a minute ago')
    assert.equal(humanAgo(now - 3 * 3600_000, now), '3 hours ago')
    assert.equal(humanAgo(now - 3 * 86400_000, now), '3 days ago')
  })

  it('lists one row per name, newest first, <none> for an unnamed image', () => {
    const now = Date.parse('2026-01-01T12:00:00Z')
    const table = imageTable([
      { id: `sha256:${'a'.repeat(64)}`, names: ['docker.io/library/app:v1', 'localhost:5000/app:v1'], layers: [], config: { env: [] }, created: '2026-01-01T11:00:00.000Z', size: 2240 },
      { id: `sha256:${'b'.repeat(64)}`, names: [], layers: [], config: { env: [] }, created: '2026-01-01T11:59:00.000Z', size: 5 },
    ], now)
    assert.equal(table, [
      'REPOSITORY           TAG      IMAGE ID       CREATED              SIZE',
      '<none>               <none>   bbbbbbbbbbbb   About a minute ago   5B',
      'app                  v1       aaaaaaaaaaaa   About an hour ago    2.24kB',
      'localhost:5000/app   v1       aaaaaaaaaaaa   About an hour ago    2.24kB',
      '',
    ].join('\n'))
  })

  it('reports usage errors', async () => {
    await assert.rejects(run([]), UsageError)
    await assert.rejects(run(['frob']), /unknown command "frob"/)
    await assert.rejects(run(['build', '-t', 'x']), /requires exactly 1 argument/)
    await assert.rejects(run(['build', '--bogus', '.']), UsageError)
    await assert.rejects(run(['rm']), /requires at least 1 argument/)
  })
})
