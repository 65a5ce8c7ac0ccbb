// The script library's pages, driven by modules/e2e (TestUIScripts)
// against the built binary and its built-in agent: a script created on
// script_manage, a second version made from the first in the editor, the
// second published (the first stays a draft), the two compared, the
// published version run from its row (quick launch filled by reference)
// and its output seen in the task's log; the list searched by content;
// the public scripts page. Light and dark screenshots. Any console error
// fails it.
//
// Environment: harness.mjs's, BKJOB_TARGET_IP (the built-in agent's IP).
import { editorSelector, fillEditor } from './editor.mjs'
import { env, openBrowser } from './harness.mjs'

const h = await openBrowser()
const { page, step, shot, expectText } = h
const ip = env('BKJOB_TARGET_IP')

// confirmDialog clicks the confirm dialog's button named label.
async function confirmDialog(label) {
  await page.locator('.n-dialog__action button', { hasText: label }).click()
  await page.locator('.n-dialog').waitFor({ state: 'detached' })
}

// row is the version table's row of a version.
const row = (version) => page.locator('[data-test=version-table] tbody tr', { hasText: version })

await h.run(async () => {
  await step('log in', () => h.login())

  await step('the scripts page starts empty and says what to do', async () => {
    await page.click('[data-test=menu-scriptManage]')
    await page.waitForURL(/\/biz\/1\/script_manage$/)
    await expectText('[data-test=script-table]', 'No scripts yet')
  })

  await step('create a script: name, tags, first version in the editor', async () => {
    await page.click('[data-test=script-new]')
    await page.locator('[data-test=script-form]').waitFor()
    await page.fill('input[name=script-name]', 'hello-e2e')
    await page.fill('input[name=script-tags]', 'ops, e2e')
    await page.fill('input[name=script-version]', '1.0.0')
    await fillEditor(page, 'echo "from version one"\n', `[data-test=script-form] ${editorSelector}`)
    await shot('scripts-create-light')
    await page.click('[data-test=script-save]')
    await page.waitForURL(/\/biz\/1\/script_manage\/[0-9a-f]{32}$/)
    await expectText('[data-test=version-table]', '1.0.0')
    await expectText('[data-test=version-status]', 'Draft')
  })

  await step('a new version from the first, edited in the editor', async () => {
    await row('1.0.0').locator('[data-test=version-new-from]').click()
    await page.locator('[data-test=script-form]').waitFor()
    const proposed = await page.inputValue('input[name=script-version]')
    if (proposed !== '1.0.1') throw new Error(`the next version proposed is ${proposed}`)
    await fillEditor(page, 'echo "from version two"\necho "second line"\n', `[data-test=script-form] ${editorSelector}`)
    await page.fill('input[name=script-version-desc]', 'prints two lines')
    await page.click('[data-test=script-save]')
    await page.locator('[data-test=script-form]').waitFor({ state: 'detached' })
    await row('1.0.1').waitFor()
  })

  await step('publish the second version after a confirm', async () => {
    await row('1.0.1').locator('[data-test=version-publish]').click()
    await expectText('.n-dialog', 'goes offline')
    await confirmDialog('Publish')
    await row('1.0.1').locator('[data-test=version-status]', { hasText: 'Online' }).waitFor()
    await row('1.0.0').locator('[data-test=version-status]', { hasText: 'Draft' }).waitFor()
    // An online version cannot be edited or deleted: no such buttons.
    if (await row('1.0.1').locator('[data-test=version-delete]').count()) throw new Error('an online version offers delete')
    await shot('scripts-detail-light')
  })

  await step('compare the two versions', async () => {
    await row('1.0.0').locator('.n-checkbox').click()
    await row('1.0.1').locator('.n-checkbox').click()
    await page.click('[data-test=version-compare]')
    await expectText('[data-test=script-diff-stats]', '2 added, 1 removed')
    await page.locator('[data-test=script-diff] [data-op=del]', { hasText: 'from version one' }).waitFor()
    await page.locator('[data-test=script-diff] [data-op=add]', { hasText: 'second line' }).waitFor()
    await shot('scripts-diff-light')
    await page.keyboard.press('Escape')
    await page.locator('[data-test=script-diff]').waitFor({ state: 'detached' })
  })

  await step('run the published version from its row and see its log', async () => {
    await row('1.0.1').locator('[data-test=version-run]').click()
    await page.waitForURL(/\/biz\/1\/execute\/script\?script_version_id=\d+$/)
    await expectText('[data-test=script-by-reference]', 'version 1.0.1 of "hello-e2e"')
    await page.locator(editorSelector, { hasText: 'second line' }).waitFor()
    await page.fill('textarea[name=targets]', `0:${ip}`)
    await shot('scripts-run-light')
    await page.click('[data-test=run-script]')
    await page.click('[data-test=confirm-run]')
    await page.waitForURL(/\/biz\/1\/execute\/task\/\d+$/)
    await page.locator('[data-test=task-status][data-status="3"]').waitFor()
    await expectText('[data-test=host-log]', 'second line')
  })

  await step('search the list by content, with the filter in the URL', async () => {
    await page.click('[data-test=menu-scriptManage]')
    await page.waitForURL(/\/biz\/1\/script_manage$/)
    await page.click('[data-test=script-search-content]')
    await page.fill('[data-test=script-search] input', 'second line')
    await page.waitForURL(/q=second/)
    await expectText('[data-test=script-table]', 'hello-e2e')
    await page.fill('[data-test=script-search] input', 'no such text anywhere')
    await expectText('[data-test=script-table]', 'No script matches')
    await page.fill('[data-test=script-search] input', '')
    await expectText('[data-test=script-table]', 'hello-e2e')
    await expectText('[data-test=script-table]', 'Online')
    await shot('scripts-list-light')
  })

  await step('the public scripts page', async () => {
    await page.click('[data-test=menu-publicScriptManage]')
    await page.waitForURL(/\/public_script_manage$/)
    await expectText('[data-test=script-table]', 'No scripts yet')
    await page.locator('[data-test=script-new]').waitFor()
    await shot('public-scripts-light')
  })

  await step('the dark theme', async () => {
    await page.click('[data-test=theme-switch]')
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
    await shot('public-scripts-dark')
    await page.click('[data-test=menu-scriptManage]')
    await expectText('[data-test=script-table]', 'hello-e2e')
    await shot('scripts-list-dark')
    await page.click('[data-test=script-link]')
    await row('1.0.1').waitFor()
    await shot('scripts-detail-dark')
    await row('1.0.0').locator('.n-checkbox').click()
    await row('1.0.1').locator('.n-checkbox').click()
    await page.click('[data-test=version-compare]')
    await expectText('[data-test=script-diff-stats]', '2 added')
    await shot('scripts-diff-dark')
  })
})
