// The global settings page in the browser, driven by modules/e2e
// (TestUIGlobalSettings): an administrator sets the platform title, footer
// and help link and the shell shows them at once; a bad help link is named
// before saving; an upload deny list makes push config refuse a .sh file
// with the server's message; a Linux naming rule is tried live and saved
// (the API test has it refuse an account); a shell template set here is
// what a new script in the library starts with. The platform info is put
// back at the end.
import { editorSelector, editorText, fillEditor } from './editor.mjs'
import { openBrowser } from './harness.mjs'

const h = await openBrowser()
const { page, step, shot, expectText } = h

// save clicks a tab's save button and waits for the server's answer (the
// "saved" messages of earlier saves may still be on screen).
async function save(button) {
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/web/update_global_settings'))
  await page.click(button)
  const r = await answered
  if (r.status() !== 200) throw new Error(`update_global_settings answered ${r.status()}: ${await r.text()}`)
}

async function openTab(name) {
  await page.locator('.n-tabs-tab', { hasText: name }).click()
}

await h.run(async () => {
  await step('log in', () => h.login())

  await step('the platform info shows in the shell at once', async () => {
    await page.click('[data-test=menu-globalSettings]')
    await page.waitForURL(/\/global_settings$/)
    await page.locator('[data-test=settings-title]').waitFor()
    await page.fill('[data-test=settings-help-link] input', 'javascript:alert(1)')
    await expectText('[data-test=settings-platform]', 'An http:// or https:// address')
    await page.fill('[data-test=settings-help-link] input', 'https://wiki.example/jobs')
    await page.fill('[data-test=settings-title] input', 'Ops Jobs')
    await page.fill('[data-test=settings-footer] input', 'Ops team · ext. 42')
    await save('[data-test=settings-save-platform]')
    await expectText('[data-test=brand]', 'Ops Jobs')
    await page.waitForFunction(() => document.title === 'Ops Jobs')
    await expectText('[data-test=platform-footer]', 'Ops team · ext. 42')
    await expectText('[data-test=settings-modified]', 'admin')
    await shot('settings-platform')
    await page.click('[data-test=user-menu]')
    await page.locator('[data-test=help-link]').waitFor()
    await page.keyboard.press('Escape')
  })

  await step('an upload deny list refuses a .sh file in push config', async () => {
    await openTab('File upload')
    await page.locator('[data-test=settings-extension-mode] label', { hasText: 'All but these' }).click()
    await page.locator('[data-test=settings-extension-list] button').click()
    await page.keyboard.type('sh')
    await page.keyboard.press('Enter')
    await save('[data-test=settings-save-upload]')
    await shot('settings-upload')
    await page.click('[data-test=menu-pushConfig]')
    await page.waitForURL(/\/execute\/push_config$/)
    await page.fill('input[name=file-name]', 'run.sh')
    await fillEditor(page, 'echo never\n')
    await page.fill('input[name=target-path]', '/tmp/bkjob-ui-never/')
    await page.fill('textarea[name=targets]', '0:127.0.0.1')
    h.allowHTTPErrors = true // the refusal is a 400, which Chromium logs
    await page.click('[data-test=run-push]')
    await page.click('[data-test=confirm-run]')
    await page.getByText('the platform refuses files ending in .sh').first().waitFor()
    h.allowHTTPErrors = false
    await shot('settings-upload-refused')
    await page.click('[data-test=menu-globalSettings]')
    await page.locator('[data-test=settings-title]').waitFor()
  })

  await step('a naming rule is tried live and saved', async () => {
    await openTab('Account naming')
    const linux = page.locator('[data-test=rule-1]')
    await linux.locator('[data-test=rule-expression] input').fill('ops_[a-z]+')
    await linux.locator('[data-test=rule-description] input').fill('Linux accounts start with ops_')
    await linux.locator('[data-test=rule-try] input').fill('deploy')
    await expectText('[data-test=rule-1] [data-test=rule-verdict]', 'refused')
    await linux.locator('[data-test=rule-try] input').fill('ops_deploy')
    await expectText('[data-test=rule-1] [data-test=rule-verdict]', 'accepted')
    await shot('settings-rules')
    await save('[data-test=settings-save-rules]')
  })

  await step('a new script starts from the shell template set here', async () => {
    await openTab('Script templates')
    await page.locator(`[data-test=settings-templates] ${editorSelector}`).waitFor()
    await fillEditor(page, '#!/bin/bash\n# ops template\njob_start\n', `[data-test=settings-templates] ${editorSelector}`)
    await save('[data-test=settings-save-templates]')
    await shot('settings-templates')
    await page.goto(page.url().replace(/\/global_settings$/, '/biz/1/script_manage'))
    await page.locator('[data-test=script-new]').click()
    const form = `[data-test=script-form] ${editorSelector}`
    await page.locator(form).waitFor()
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('# ops template'), form)
    const text = await page.evaluate(editorText, '[data-test=script-form]')
    if (!text.includes('job_start')) throw new Error(`the new script did not start from the template: ${text}`)
    await page.keyboard.press('Escape')
  })

  await step('put everything back', async () => {
    await page.goto(page.url().replace(/\/biz\/1\/script_manage.*$/, '/global_settings'))
    await page.locator('[data-test=settings-title]').waitFor()
    await page.fill('[data-test=settings-title] input', '')
    await page.fill('[data-test=settings-footer] input', '')
    await page.fill('[data-test=settings-help-link] input', '')
    await save('[data-test=settings-save-platform]')
    await expectText('[data-test=brand]', 'bkjob')
    await page.locator('[data-test=platform-footer]').waitFor({ state: 'detached' })
  })
})
