// The host selector's browser test, driven by modules/e2e
// (TestUIHostSelector) against the built binary, its built-in agent, a
// host whose agent the test killed and 250 agentless hosts 10.30.0.1-250
// it registered: on Quick launch → script, paste the agent's host, the
// offline one and an unknown IP, see the unknown and the offline one
// flagged and remove them; open the business's hosts, scroll past the
// first page, search, add one with Enter and one with its checkbox, see
// the count change. Screenshots of both in light and dark. Any console
// error fails it.
//
// Environment: harness.mjs's, BKJOB_TARGET_IP and BKJOB_OFFLINE_IP.
import { fillEditor } from './editor.mjs'
import { env, openBrowser } from './harness.mjs'

const h = await openBrowser()
const { page, step, shot, expectText } = h
const targetIP = env('BKJOB_TARGET_IP')
const offlineIP = env('BKJOB_OFFLINE_IP')
const unknownIP = '10.99.0.1'

const targets = () => page.locator('textarea[name=targets]')
const waitTargets = (want) =>
  page.waitForFunction((w) => document.querySelector('textarea[name=targets]')?.value === w, want)

await h.run(async () => {
  await step('log in and open quick launch', async () => {
    await h.login()
    await page.click('[data-test=menu-quickScript]')
    await page.waitForURL(/\/biz\/1\/execute\/script$/)
    await fillEditor(page, 'hostname\n')
  })

  await step('a pasted unknown host and an offline one are flagged, an invalid entry named', async () => {
    await targets().fill(`${targetIP}\n${offlineIP}\n${unknownIP}\nnot-a-host`)
    await expectText('[data-test=targets-summary]', 'Hosts: 3')
    await expectText('[data-test=targets-summary]', 'not-a-host')
    await expectText('[data-test=targets-unknown]', `1 not in this business: ${unknownIP}`)
    await expectText('[data-test=targets-offline]', `1 with the agent offline: 0:${offlineIP}`)
    const flagged = await page.locator('[data-test=targets-unknown]').innerText()
    if (flagged.includes(targetIP)) throw new Error(`the built-in host is flagged unknown: ${flagged}`)
    await page.locator('[data-test=run-script]').scrollIntoViewIfNeeded()
    await shot('host-selector-check-light')
  })

  await step('"remove unknown" and "remove offline" take only those hosts out of the text', async () => {
    await page.click('[data-test=remove-unknown]')
    await waitTargets(`${targetIP}\n${offlineIP}\nnot-a-host`)
    await page.locator('[data-test=targets-unknown]').waitFor({ state: 'detached' })
    await page.click('[data-test=remove-offline]')
    await waitTargets(`${targetIP}\nnot-a-host`)
    await page.locator('[data-test=targets-offline]').waitFor({ state: 'detached' })
    await expectText('[data-test=targets-summary]', 'Hosts: 1')
    await page.locator('[data-test=targets-ok]').waitFor()
    await targets().fill('')
    await expectText('[data-test=targets-summary]', 'Hosts: 0')
  })

  await step('the picker lists the business hosts and searches them on the server', async () => {
    await page.click('[data-test=open-host-picker]')
    await page.locator('[data-test=host-picker]').waitFor()
    // The search has the focus when the picker opens.
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'host-search')
    await expectText('[data-test=host-picker-count]', 'Matching: 252')
    await expectText('[data-test=host-picker-table]', 'Agentless (SSH)')
    await expectText('[data-test=host-picker-table]', 'Online')
    await expectText('[data-test=host-picker-table]', 'Offline')
    // The first page holds 200 hosts; scrolling to the end loads the rest.
    const list = page.locator('[data-test=host-picker-table] .v-vl')
    const last = page.locator('[data-test=host-picker-table] td', { hasText: /^0:10\.30\.0\.250$/ })
    for (let i = 0; i < 20 && !(await last.count()); i++) {
      await list.evaluate((el) => el.scrollTo(0, el.scrollHeight))
      await page.waitForTimeout(200)
    }
    await last.waitFor()
    await list.evaluate((el) => el.scrollTo(0, 0))
    await page.locator('input[name=host-search]').focus()
    await page.keyboard.type('10.30.0.1')
    await expectText('[data-test=host-picker-count]', 'Matching: 111') // .1, .10–.19, .100–.199
  })

  await step('Enter adds the only match; a checkbox adds a host', async () => {
    await page.fill('input[name=host-search]', targetIP)
    await expectText('[data-test=host-picker-count]', 'Matching: 1 ·')
    await page.keyboard.press('Enter')
    await waitTargets(`0:${targetIP}`)
    await expectText('[data-test=host-picker-count]', 'In the list: 1')
    await page.fill('input[name=host-search]', '10.30.0.2')
    await expectText('[data-test=host-picker-count]', 'Matching: 62') // .2, .20–.29, .200–.250
    await expectText('[data-test=host-picker-count]', 'In the list: 0')
    await page.locator('[data-test=host-picker-table] .n-data-table-tbody .n-checkbox').first().click()
    await waitTargets(`0:${targetIP}\n0:10.30.0.2`)
    await expectText('[data-test=host-picker-count]', 'In the list: 1')
    await page.fill('input[name=host-search]', '')
    await expectText('[data-test=host-picker-count]', 'Matching: 252')
    await expectText('[data-test=host-picker-count]', 'In the list: 2')
    await shot('host-selector-light')
  })

  await step('Esc closes the picker; the count and the check follow the text', async () => {
    await page.keyboard.press('Escape')
    await page.locator('[data-test=host-picker]').waitFor({ state: 'detached' })
    await expectText('[data-test=targets-summary]', 'Hosts: 2')
    await page.locator('[data-test=targets-ok]').waitFor()
  })

  await step('the dark theme', async () => {
    await page.click('[data-test=theme-switch]')
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
    await targets().fill(`${targetIP}\n${offlineIP}\n${unknownIP}\nnot-a-host`)
    await expectText('[data-test=targets-unknown]', unknownIP)
    await expectText('[data-test=targets-offline]', offlineIP)
    await page.locator('[data-test=run-script]').scrollIntoViewIfNeeded()
    await shot('host-selector-check-dark')
    await page.click('[data-test=open-host-picker]')
    await expectText('[data-test=host-picker-count]', 'In the list: 2')
    await shot('host-selector-dark')
    await page.keyboard.press('Escape')
    await page.locator('[data-test=host-picker]').waitFor({ state: 'detached' })
  })

  await step('in Chinese', async () => {
    await page.click('[data-test=language-switch]')
    await page.locator('.n-dropdown-option', { hasText: '简体中文' }).click()
    await expectText('[data-test=targets-unknown]', '1 台不在本业务')
    await expectText('[data-test=targets-offline]', '1 台 Agent 离线')
    await page.click('[data-test=open-host-picker]')
    await expectText('[data-test=host-picker-table]', '免 Agent（SSH）')
    await shot('host-selector-zh-dark')
    await page.keyboard.press('Escape')
    await page.locator('[data-test=host-picker]').waitFor({ state: 'detached' })
    await page.locator('[data-test=run-script]').scrollIntoViewIfNeeded()
    await shot('host-selector-check-zh-dark')
  })
})
