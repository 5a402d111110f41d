import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openImageStore } from './store.js'
import type { ImageStore } from './types.js'

describe('image store', () => {
  let dir: string
  let store: ImageStore
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kl-store-'))
    store = openImageStore(join(dir, 'images'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  async function layer(files: Record<string, string>): Promise<string> {
    const d = await store.scratchDir('layer')
    for (const [name, text] of Object.entries(files)) {
      await mkdir(join(d, name, '..'), { recursive: true })
      await writeFile(join(d, name), text)
    }
    return store.commitLayer(d)
  }

  it('stores layers by content: the same files give one directory', async () => {
    const a = await layer({ 'app/x': '1' })
    const b = await layer({ 'app/x': '1' })
    const c = await layer({ 'app/x': '2' })
    assert.equal(a, b)
    assert.notEqual(a, c)
    assert.ok(existsSync(join(a, 'app/x')))
    assert.deepEqual(await readdir(join(dir, 'images/tmp')), []) // the duplicate was discarded
  })

  it('commits, resolves by name, id and prefix, and moves tags', async () => {
    const l1 = await layer({ 'a': 'one' })
    const one = await store.commit({ layers: [l1], config: { env: ['A=1'] }, names: ['app'] })
    assert.match(one.id, /^sha256:[0-9a-f]{64}$/)
    assert.deepEqual(one.names, ['docker.io/library/app:latest'])
    assert.equal(one.size, 3)
    assert.equal((await store.resolve('app:latest'))?.id, one.id)
    assert.equal((await store.resolve('docker.io/library/app'))?.id, one.id)
    assert.equal((await store.resolve(one.id))?.id, one.id)
    assert.equal((await store.resolve(one.id.slice(7, 19)))?.id, one.id)
    assert.equal(await store.resolve('other'), undefined)
    // The same build again is the same image, not a second one.
    assert.equal((await store.commit({ layers: [l1], config: { env: ['A=1'] }, names: ['app:v1'] })).id, one.id)
    assert.deepEqual((await store.resolve('app'))?.names, ['docker.io/library/app:latest', 'docker.io/library/app:v1'])
    // A new build of app:latest takes the tag; the old image keeps its other name.
    const l2 = await layer({ 'a': 'two' })
    const two = await store.commit({ layers: [l2], config: { env: [] }, names: ['app'] })
    assert.equal((await store.resolve('app'))?.id, two.id)
    assert.deepEqual((await store.resolve(one.id))?.names, ['docker.io/library/app:v1'])
  })

  it('removes names, then the image and the layers nothing else uses', async () => {
    const shared = await layer({ 'base': 'b' })
    const top = await layer({ 'top': 't' })
    const base = await store.commit({ layers: [shared], config: { env: [] }, names: ['base:1', 'base:2'] })
    await store.commit({ layers: [top, shared], config: { env: [] }, names: ['child:1'] })
    assert.equal(await store.remove('base:1'), true)
    assert.ok(await store.resolve('base:2'))
    assert.equal(await store.remove('base:2'), true)
    assert.equal(await store.resolve(base.id), undefined)
    assert.ok(existsSync(shared), 'still used by child:1')
    assert.equal(await store.remove('child:1'), true)
    assert.ok(!existsSync(shared) && !existsSync(top))
    assert.equal(await store.remove('child:1'), false)
  })

  it('keeps every concurrent commit (the index is updated under a lock)', async () => {
    const layers = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => layer({ f: `c${i}` })))
    await Promise.all(layers.map((l, i) => store.commit({ layers: [l], config: { env: [] }, names: [`conc:${i}`] })))
    for (let i = 0; i < 6; i++) assert.ok(await store.resolve(`conc:${i}`), `conc:${i}`)
  })
})
