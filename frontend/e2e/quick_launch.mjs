// Quick launch in the browser, driven by modules/e2e (TestUIQuickLaunch)
// against the built binary and its built-in agent: a script typed in the
// editor runs (named without "API "), the rolling preview shows batches
// as the expression is typed and its error at the field, a file goes from
// the agent's host to itself, a config file is pushed. Screenshots of each
// page in light and dark.
//
// Environment: harness.mjs's, BKJOB_TARGET_IP, BKJOB_SOURCE_FILE (a file to
// send), BKJOB_FILE_DIR and BKJOB_CONFIG_DIR (where they should land).
import { existsSync, readFileSync } from 'node:fs'
import { editorSelector, editorText, fillEditor } from './editor.mjs'
import { env, openBrowser } from './harness.mjs'

const h = await openBrowser()
const { page, step, shot, expectText } = h
const ip = env('BKJOB_TARGET_IP')
const sourceFile = env('BKJOB_SOURCE_FILE')
const fileDir = env('BKJOB_FILE_DIR')
const configDir = env('BKJOB_CONFIG_DIR')
const config = '# pushed from the UI\nlisten = 0.0.0.0:8080\n'

// fullShot saves a screenshot of the whole form: a taller window for the
// picture, then back.
async function fullShot(name) {
  await page.setViewportSize({ width: 1366, height: 1500 })
  await shot(name)
  await page.setViewportSize({ width: 1366, height: 820 })
}

// waitTaskSuccess waits on the task page for the task to succeed.
async function waitTaskSuccess() {
  await page.waitForURL(/\/biz\/1\/execute\/task\/\d+$/)
  await page.locator('[data-test=task-status][data-status="3"]').waitFor()
}

// waitFile waits for a file the task writes on this host.
async function waitFile(path, want) {
  for (let i = 0; i < 100 && !(existsSync(path) && readFileSync(path, 'utf8') === want); i++) await page.waitForTimeout(100)
  if (readFileSync(path, 'utf8') !== want) throw new Error(`${path} does not hold what was sent`)
}

await h.run(async () => {
  await step('log in', () => h.login())

  await step('a script typed in the editor runs', async () => {
    await page.click('[data-test=menu-quickScript]')
    await page.waitForURL(/\/execute\/script$/)
    await fillEditor(page, 'echo "typed in the editor"\nfor i in 1 2; do echo "arg: $1"; done\n')
    const text = await page.evaluate(editorText, editorSelector)
    if (!text.startsWith('echo "typed in the editor"\nfor i in 1 2')) throw new Error(`the editor holds ${JSON.stringify(text)}`)
    // Highlighted: the string is its own span with a highlight class.
    await page.locator(`${editorSelector} .cm-line span`).first().waitFor()
    // Another language loads its own highlighting (a chunk of its own).
    const python = page.waitForResponse((r) => /\/assets\/editor-python-.*\.js$/.test(r.url()))
    await page.click('[data-test=language]')
    await page.locator('.n-base-select-option', { hasText: 'Python' }).click()
    await python
    await page.click('[data-test=language]')
    await page.locator('.n-base-select-option', { hasText: /^Shell$/ }).click()
    // The content is labelled for screen readers.
    await page.locator(`${editorSelector}[aria-label="Script"]`).waitFor()
    await page.fill('input[name=script-param]', 'first')
    await page.click('[data-test=sensitive]')
    await page.locator('input[name=script-param][type=password]').waitFor()
    await page.fill('textarea[name=targets]', `0:${ip}`)
  })

  await step('the rolling preview shows the batches as the expression is typed', async () => {
    await page.click('[data-test=rolling-switch]')
    h.allowHTTPErrors = true // the server refuses the expression: its message shows at the field
    await page.fill('input[name=rolling-expression]', 'x%')
    await expectText('.n-form-item-feedback--error', 'expression')
    h.allowHTTPErrors = false
    // Two more hosts the server does not know: the plan is by count.
    await page.fill('textarea[name=targets]', `0:${ip}\n10.9.0.1\n10.9.0.2`)
    await page.fill('input[name=rolling-expression]', '1 +1')
    await expectText('[data-test=rolling-preview]', 'Batches: 2, hosts: 3')
    await page.locator('[data-test=rolling-batch]').nth(1).waitFor()
    await fullShot('quick-script-rolling-light')
    await page.fill('textarea[name=targets]', `0:${ip}`)
    await expectText('[data-test=rolling-preview]', 'Batches: 1, hosts: 1')
    await page.click('[data-test=run-script]')
    await page.click('[data-test=confirm-run]')
    await waitTaskSuccess()
    await expectText('[data-test=host-log]', 'typed in the editor')
    const name = await page.locator('[data-test=task-name]').innerText()
    if (!name.startsWith('Quick execution script')) throw new Error(`a web-launched task is named ${name}`)
  })

  await step('transfer a file from this host to itself', async () => {
    await page.click('[data-test=menu-quickFile]')
    await page.waitForURL(/\/execute\/file$/)
    await page.fill('textarea[name=source-files-0]', 'relative/path')
    await expectText('.n-form-item-feedback--error', 'absolute path')
    await page.fill('textarea[name=source-files-0]', sourceFile)
    await page.fill('textarea[name=source-hosts-0]', `0:${ip}`)
    await page.fill('input[name=target-path]', fileDir)
    await page.fill('input[name=upload-limit]', '10')
    await page.fill('textarea[name=targets]', `0:${ip}`)
    await page.click('[data-test=macro-help]')
    await expectText('.n-popover', '[FILESRCIP]')
    await fullShot('quick-file-light')
    await page.keyboard.press('Escape')
    await page.click('[data-test=run-file]')
    await expectText('.n-dialog', '1 hosts')
    await page.click('[data-test=confirm-run]')
    await waitTaskSuccess()
    await waitFile(`${fileDir}/release-notes.txt`, 'sent from the quick launch page\n')
  })

  await step('push a config file and see it on disk', async () => {
    await page.click('[data-test=menu-pushConfig]')
    await page.waitForURL(/\/execute\/push_config$/)
    await page.fill('input[name=file-name]', '../app.conf')
    await expectText('.n-form-item-feedback--error', 'file name')
    await page.fill('input[name=file-name]', 'app.conf')
    await fillEditor(page, config)
    await page.fill('input[name=target-path]', configDir)
    await page.fill('textarea[name=targets]', `0:${ip}`)
    await fullShot('push-config-light')
    await page.click('[data-test=run-push]')
    await expectText('.n-dialog', 'app.conf')
    await page.click('[data-test=confirm-run]')
    await waitTaskSuccess()
    await waitFile(`${configDir}/app.conf`, config)
  })

  await step('each quick launch page in the dark theme', async () => {
    await page.click('[data-test=theme-switch]')
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
    await page.click('[data-test=menu-quickScript]')
    await fillEditor(page, '#!/bin/bash\n# say hello\nname="world"\necho "hello $name" && exit 0\n')
    await page.fill('textarea[name=targets]', `0:${ip}`)
    await page.click('[data-test=rolling-switch]')
    await page.fill('input[name=rolling-expression]', '50%')
    await expectText('[data-test=rolling-preview]', 'Batches: 1, hosts: 1')
    await fullShot('quick-script-rolling-dark')
    await page.click('[data-test=menu-quickFile]')
    await page.fill('textarea[name=source-files-0]', sourceFile)
    await page.fill('textarea[name=source-hosts-0]', `0:${ip}`)
    await page.fill('input[name=target-path]', 'data/in') // not absolute: the field says so
    await expectText('.n-form-item-feedback--error', 'absolute path')
    await fullShot('quick-file-dark')
    await page.click('[data-test=menu-pushConfig]')
    await page.fill('input[name=file-name]', 'app.conf')
    await fillEditor(page, config)
    await fullShot('push-config-dark')
  })
})
