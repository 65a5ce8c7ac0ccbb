// Business administration, driven by modules/e2e (TestUIBusiness) against
// the built binary: an administrator creates a business (searching the time
// zone, maintainers as tags) and a business set over it and business 1,
// switches to the new business in the switcher and sees its time zone
// named and used for dates; a user who is no administrator has no menu item
// and gets the server's refusal at /business_manage. Light and dark
// screenshots. Any console error fails it (but the refusals asked for).
//
// Environment: harness.mjs's, BKJOB_OTHER_USER / BKJOB_OTHER_PASSWORD (a
// user who is not an administrator).
import { env, openBrowser } from './harness.mjs'

const h = await openBrowser()
const { page, base, step, shot, expectText } = h
const zone = 'Asia/Tokyo'

// pick chooses an option of the Naive UI select marked data-test=name,
// typing filter first when given.
async function pick(name, option, filter) {
  await page.click(`[data-test=${name}]`)
  if (filter) await page.keyboard.type(filter)
  await page.locator('.n-base-select-option', { hasText: option }).first().click()
}

// shown is how the page writes a Unix millisecond time (lib/format.ts's
// formatTime in English, as Chromium writes it: 00 at midnight, where
// Node's hour12: false would write 24) in a zone.
const shown = (ms, timeZone) =>
  new Intl.DateTimeFormat('en', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone,
  }).format(new Date(ms))

let created
await h.run(async () => {
  await step('log in', () => h.login())

  await step('the businesses page lists business 1', async () => {
    await page.click('[data-test=menu-businessManage]')
    await page.waitForURL(/\/business_manage$/)
    await expectText('[data-test=scope-name-1]', 'Default')
  })

  await step('create a business: the time zone searched, maintainers as tags', async () => {
    await page.click('[data-test=biz-new]')
    await page.locator('[data-test=business-form]').waitFor()
    await page.click('[data-test=business-save]')
    await expectText('[data-test=business-form]', 'Give a positive number')
    await page.fill('[data-test=business-id] input', '2')
    await page.fill('[data-test=business-name] input', 'Tokyo Ops')
    await pick('business-time-zone-select', zone, 'Tokyo')
    for (const name of ['alice', 'bob']) {
      await page.locator('[data-test=business-maintainers] button').last().click()
      await page.keyboard.type(name)
      await page.keyboard.press('Enter')
    }
    await shot('business-form-light')
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/web/create_biz'))
    await page.click('[data-test=business-save]')
    created = await (await answer).json()
    await page.locator('[data-test=business-form]').waitFor({ state: 'detached' })
    await expectText('[data-test=scope-name-2]', 'Tokyo Ops')
    await expectText('[data-test=scope-maintainers-2]', 'bob')
  })

  await step('the same id again is refused with the server\'s words', async () => {
    await page.click('[data-test=biz-new]')
    await page.fill('[data-test=business-id] input', '2')
    await page.fill('[data-test=business-name] input', 'Again')
    h.allowHTTPErrors = true
    await page.click('[data-test=business-save]')
    await expectText('[data-test=error]', 'id 2 is taken')
    h.allowHTTPErrors = false
    await page.locator('[data-test=error] .n-base-close').click()
    await page.locator('[data-test=error]').waitFor({ state: 'detached' })
    await page.keyboard.press('Escape')
    await page.locator('[data-test=business-form]').waitFor({ state: 'detached' })
  })

  await step('a business set over businesses 1 and 2', async () => {
    await page.click('[data-test=biz-set-new]')
    await page.fill('[data-test=business-id] input', '8000001')
    await page.fill('[data-test=business-name] input', 'All shops')
    await pick('business-members', 'Default (1)')
    await pick('business-members', 'Tokyo Ops (2)')
    await page.keyboard.press('Escape') // closes the member menu, not the dialog
    await shot('business-set-form-light')
    await page.click('[data-test=business-save]')
    await page.locator('[data-test=business-form]').waitFor({ state: 'detached' })
    await expectText('[data-test=scope-members-8000001]', '2')
    await shot('business-manage-light')
  })

  await step('switch to the new business: its time zone is named and used for dates', async () => {
    await pick('business-switcher', 'Tokyo Ops (2)', 'Tokyo')
    await page.waitForURL(/\/biz\/2\/home$/)
    await expectText('[data-test=business-time-zone]', zone)
    await shot('business-switcher-light')
    await page.click('[data-test=menu-businessManage]')
    await expectText('[data-test=business-table]', shown(created.last_modify_time, zone))
    if (shown(created.last_modify_time, zone) === shown(created.last_modify_time, 'UTC')) throw new Error('the zones do not differ')
    await page.click('[data-test=business-switcher]')
    await expectText('.n-base-select-menu', 'All shops (8000001)')
    await page.keyboard.press('Escape')
  })

  await step('the dark theme', async () => {
    await page.click('[data-test=theme-switch]')
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
    await expectText('[data-test=scope-name-2]', 'Tokyo Ops')
    await shot('business-manage-dark')
    await page.click('[data-test=scope-edit-8000001]')
    await page.locator('[data-test=business-form]').waitFor()
    await shot('business-set-form-dark')
    await page.keyboard.press('Escape')
    await page.click('[data-test=scope-edit-2]')
    await expectText('[data-test=business-maintainers]', 'alice')
    await shot('business-form-dark')
    await page.keyboard.press('Escape')
  })

  await step('someone who is no administrator sees no menu item and is refused', async () => {
    await page.click('[data-test=user-menu]')
    await page.click('#logout')
    await page.waitForURL(/\/login/)
    h.allowHTTPErrors = true // they may use no business at all: its pages are refused too
    await page.fill('input[name=username]', env('BKJOB_OTHER_USER'))
    await page.fill('input[name=password]', env('BKJOB_OTHER_PASSWORD'))
    await page.click('[data-test=login-submit]')
    await page.waitForURL(/\/home$/)
    await page.locator('[data-test=menu-home]').waitFor()
    if (await page.locator('[data-test=menu-businessManage]').count()) throw new Error('the menu offers the businesses page')
    await page.goto(base + '/business_manage')
    await expectText('[data-test=error]', 'administrator')
    await page.locator('[data-test=business-refused]').waitFor()
    if (await page.locator('[data-test=biz-new]').count()) throw new Error('the refused page offers to create')
    await shot('business-manage-refused-dark')
    h.allowHTTPErrors = false
  })
})
