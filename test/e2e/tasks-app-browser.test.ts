/**
 * End-to-end: the tasks demo in a real browser. Headless Chromium (Debian's /usr/bin/chromium,
 * driven by playwright-core) opens the frontend's LoadBalancer address, signs up, logs out,
 * signs in through the page, creates a task and sees it listed; a screenshot is saved to
 * $KUBELITE_TEST_ARTIFACTS (default <repo>/test-results)/tasks-app.png.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { repo, startTasksApp, tasksAppSkip, type TasksApp } from './tasks-app-helpers.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const skip = tasksAppSkip() ?? (existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install chromium)`)
const artifacts = process.env.KUBELITE_TEST_ARTIFACTS || join(repo, 'test-results')
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

describe('tasks-app in headless Chromium', { skip, timeout: 600_000 }, () => {
  let app: TasksApp | undefined
  let browser: Browser | undefined
  before(async () => {
    // A LoadBalancer pool of its own (the zero-downtime suite has 127.0.4.128/25): suites may run at once.
    app = await startTasksApp({ pool: '127.0.4.0/25' })
    // As root Chromium refuses to start with its sandbox.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] })
  })
  after(async () => {
    await browser?.close()
    await app?.stop()
  })

  it('signs up, signs in, creates a task and lists it through the page', async () => {
    const page = await browser!.newPage({ viewport: { width: 900, height: 700 } })
    const pageErrors: string[] = []
    page.on('pageerror', (e) => pageErrors.push(e.message))
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()) })
    try {
      await page.goto(`${app!.frontendUrl}/`)
      assert.equal(await page.title(), 'Tasks')
      const email = `browser${Date.now()}@example.com`
      const password = 's3cret-pw'

      // Sign up: the page creates the user, then logs in with the same credentials.
      await page.fill('#email', email)
      await page.fill('#password', password)
      await page.click('#signup')
      await page.waitForSelector('#tasks', { state: 'visible', timeout: 15_000 })
      assert.equal(await page.isHidden('#signin'), true)

      // Log out, then a wrong password is refused on the page, and the right one signs in.
      await page.click('#logout')
      await page.waitForSelector('#signin', { state: 'visible' })
      await page.fill('#email', email)
      await page.fill('#password', 'wrong-password')
      await page.click('#login')
      await page.locator('#status', { hasText: 'Invalid credentials' }).waitFor({ timeout: 15_000 })
      assert.equal(await page.isVisible('#tasks'), false)
      await page.fill('#password', password)
      await page.click('#login')
      await page.waitForSelector('#tasks', { state: 'visible', timeout: 15_000 })

      const title = `Learn Kubernetes ${process.pid}`
      await page.fill('#title', title)
      await page.fill('#text', 'in a real browser')
      await page.click('#add-task')
      const item = page.locator('#task-list li', { hasText: title })
      await item.waitFor({ timeout: 15_000 })
      assert.match(await item.innerText(), /in a real browser/)
      // The form was cleared after the task was stored.
      assert.equal(await page.inputValue('#title'), '')

      mkdirSync(artifacts, { recursive: true })
      const shot = join(artifacts, 'tasks-app.png')
      await page.screenshot({ path: shot, fullPage: true })
      const png = readFileSync(shot)
      assert.ok(png.length > 1000, `screenshot is only ${png.length} bytes`)
      assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE, 'the screenshot is not a PNG')
      console.log(`screenshot: ${shot} (${png.length} bytes)`)
      // The 401 from the wrong password is logged by Chromium as a failed resource; nothing else may fail.
      assert.deepEqual(pageErrors.filter((e) => !/status of 401/.test(e)), [])
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${await app!.diagnostics()}`)
    } finally {
      await page.close()
    }
  })
})
