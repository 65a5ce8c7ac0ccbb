// The browser tests' shared harness: one headless Chromium with the flags
// these machines need, a console watcher (any error or warning fails the
// run), named steps with a screenshot on failure, and login. Each scenario
// script (ui_flow.mjs, …) is started by a Go test in modules/e2e, which
// passes the environment below.
//
// Environment: BKJOB_URL, BKJOB_USER, BKJOB_PASSWORD, BKJOB_SCREENSHOTS (a
// directory), BKJOB_USER_DATA_DIR (a fresh directory), CHROMIUM (default
// /usr/bin/chromium).
import { chromium } from 'playwright-core'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

export const env = (name, fallback) => {
  const v = process.env[name] ?? fallback
  if (v === undefined) throw new Error(`${name} is not set`)
  return v
}

export const timeout = 30_000

// openBrowser starts Chromium and returns the page with the helpers a
// scenario uses. Call run(fn) once with the scenario's steps.
export async function openBrowser() {
  const base = env('BKJOB_URL')
  const shots = env('BKJOB_SCREENSHOTS')
  mkdirSync(shots, { recursive: true })
  const context = await chromium.launchPersistentContext(env('BKJOB_USER_DATA_DIR'), {
    executablePath: env('CHROMIUM', '/usr/bin/chromium'),
    headless: true,
    viewport: { width: 1366, height: 820 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  const problems = []
  // allowHTTPErrors is set while a step asks for an error answer on purpose
  // (Chromium logs each non-2xx response as a console error).
  const h = { base, shots, context, problems, allowHTTPErrors: false }
  const page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(timeout)
  page.on('console', (m) => {
    if (h.allowHTTPErrors && m.text().startsWith('Failed to load resource')) return
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  h.page = page

  // step runs one named part of the flow and says how it went.
  h.step = async (name, fn) => {
    const started = Date.now()
    try {
      await fn()
      console.log(`ok   ${name} (${Date.now() - started} ms)`)
    } catch (e) {
      console.log(`FAIL ${name}: ${e instanceof Error ? e.message : String(e)}`)
      await page.screenshot({ path: join(shots, `failed-${name.replace(/\W+/g, '-')}.png`) }).catch(() => {})
      throw e
    }
  }
  // shot saves a screenshot once transitions (menus, progress bar) settled.
  h.shot = async (name) => {
    await page.waitForTimeout(400)
    await page.screenshot({ path: join(shots, `${name}.png`) })
  }
  h.expectText = async (selector, text) => {
    await page.locator(selector).filter({ hasText: text }).first().waitFor({ timeout })
  }
  // login signs in from the login page and waits for the home page.
  h.login = async () => {
    await page.goto(base + '/login')
    await page.fill('input[name=username]', env('BKJOB_USER', 'admin'))
    await page.fill('input[name=password]', env('BKJOB_PASSWORD'))
    await page.click('[data-test=login-submit]')
    await page.waitForURL(/\/biz\/1\/home$/)
  }
  // run executes the scenario, prints PASS or FAIL (the Go test looks for
  // PASS) and closes the browser.
  h.run = async (scenario) => {
    try {
      await scenario()
      if (problems.length) throw new Error(`the browser reported:\n${problems.join('\n')}`)
      console.log('PASS')
    } catch (e) {
      console.log(`FAIL: ${e instanceof Error ? e.message : String(e)}`)
      if (problems.length) console.log(problems.join('\n'))
      process.exitCode = 1
    } finally {
      await context.close()
    }
  }
  return h
}
