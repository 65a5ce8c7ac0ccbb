// The accounts page and the quick-launch account selector in the browser,
// driven by modules/e2e (TestUIAccounts) against the built binary and its
// built-in agent: the built-in root marked and not deletable; a Linux
// account created (the form says what is wrong as one types) and a MySQL
// account that runs as it (its password never shown); the filters in the
// URL; a delete refused with the server's reason; the new account chosen
// in quick launch and a script run as it; both deleted. Screenshots in
// light and dark.
//
// Environment: harness.mjs's, BKJOB_TARGET_IP, BKJOB_RUN_USER (the OS user
// the agent runs as: the account created runs as it).
import { editorSelector, fillEditor } from './editor.mjs'
import { env, openBrowser } from './harness.mjs'

const h = await openBrowser()
const { page, step, shot, expectText } = h
const ip = env('BKJOB_TARGET_IP')
const runUser = env('BKJOB_RUN_USER')
const dbSecret = 'ui-Db-Secret-42'

// pick chooses an option of the Naive UI select marked data-test=name.
async function pick(name, option) {
  await page.click(`[data-test=${name}]`)
  await page.locator('.n-base-select-option', { hasText: option }).first().click()
}
// row is the accounts table's row of an alias.
const row = (alias) => page.locator(`[data-test=account-table] tr:has([data-test=account-alias]:text-is("${alias}"))`)

async function removeAccount(alias) {
  await row(alias).locator('[data-test=account-delete]').click()
  await expectText('.n-dialog', alias)
  await page.locator('.n-dialog__action button', { hasText: 'Delete' }).click()
}

await h.run(async () => {
  await step('log in', () => h.login())

  await step('the accounts page lists the built-in root, which cannot be deleted', async () => {
    await page.click('[data-test=menu-accountManage]')
    await page.waitForURL(/\/biz\/1\/account_manage$/)
    await expectText('[data-test=account-table]', 'built-in')
    if (!(await row('root').locator('[data-test=account-delete]').isDisabled())) throw new Error("root's delete is enabled")
  })

  await step('create a Linux account: the form names what to fix as one types', async () => {
    await page.click('[data-test=account-new]')
    await page.locator('[data-test=account-form]').waitFor()
    await page.click('[data-test=account-save]')
    await expectText('[data-test=account-form]', 'Enter the account name')
    await page.fill('input[name=account-name]', 'Bad Name')
    await expectText('.n-form-item-feedback--error', 'A Linux user name')
    await page.fill('input[name=account-name]', runUser)
    await page.fill('input[name=account-alias]', 'ui-runner')
    await page.locator('.n-form-item-feedback--error').waitFor({ state: 'detached' })
    await page.click('[data-test=account-save]')
    await page.locator('[data-test=account-form]').waitFor({ state: 'detached' })
    await row('ui-runner').waitFor()
  })

  await step('create a MySQL account that runs as it; its password is never shown', async () => {
    await page.click('[data-test=account-new]')
    await page.click('[data-test=account-category-db]')
    await expectText('[data-test=account-type]', 'MySQL')
    const port = await page.locator('input[name=account-db-port]').inputValue()
    if (port !== '3306') throw new Error(`MySQL's port defaults to ${port}`)
    await page.fill('input[name=account-name]', 'app_ro')
    await page.fill('input[name=account-alias]', 'mysql-ui')
    await pick('account-db-system', 'ui-runner')
    await page.fill('input[name=account-db-password]', dbSecret)
    await expectText('[data-test=account-note]', 'never shown again')
    await shot('accounts-form-light')
    await page.click('[data-test=account-save]')
    await page.locator('[data-test=account-form]').waitFor({ state: 'detached' })
    await row('mysql-ui').waitFor()
    await expectText('[data-test=account-table]', 'port 3306')
    if ((await page.content()).includes(dbSecret)) throw new Error('the password shows on the page')
    await row('mysql-ui').locator('[data-test=account-edit]').click()
    if ((await page.locator('input[name=account-db-password]').inputValue()) !== '') throw new Error('the edit form shows the password')
    await page.keyboard.press('Escape')
    await page.locator('[data-test=account-form]').waitFor({ state: 'detached' })
    await shot('accounts-light')
  })

  await step('filters go to the server and into the URL', async () => {
    await pick('account-filter-category', 'Database account')
    await page.waitForURL(/category=2/)
    await row('mysql-ui').waitFor()
    await row('root').waitFor({ state: 'detached' })
    await page.reload()
    await row('mysql-ui').waitFor()
    await row('root').waitFor({ state: 'detached' })
    await page.goto(h.base + '/biz/1/account_manage')
    await row('root').waitFor() // mounted: `/` is listened for
    await page.keyboard.press('/')
    await page.keyboard.type('runner')
    await page.waitForURL(/keyword=runner/)
    await row('ui-runner').waitFor()
    await row('root').waitFor({ state: 'detached' })
    await page.goto(h.base + '/biz/1/account_manage')
    await row('root').waitFor()
  })

  await step('a system account a database account runs as cannot be deleted: the server says why', async () => {
    h.allowHTTPErrors = true
    await removeAccount('ui-runner')
    await expectText('[data-test=error]', 'mysql-ui')
    await expectText('[data-test=error]', '1243014')
    h.allowHTTPErrors = false
    await page.locator('[data-test=error] .n-alert__close').click()
    await row('ui-runner').waitFor()
  })

  await step('quick launch offers the account and runs the script as it', async () => {
    await page.click('[data-test=menu-quickScript]')
    await page.waitForURL(/\/execute\/script$/)
    await page.click('[data-test=account-select]')
    await page.locator('[data-test=account-option]', { hasText: 'ui-runner' }).waitFor()
    const options = await page.locator('.n-base-select-option').allInnerTexts()
    if (options.some((o) => o.includes('mysql-ui'))) throw new Error(`a database account is offered for a shell script: ${options}`)
    await page.locator('.n-base-select-option', { hasText: 'ui-runner' }).click()
    await expectText('[data-test=account-select]', 'ui-runner')
    await fillEditor(page, 'echo "ran-as=$(id -un)"\n')
    await page.fill('textarea[name=targets]', `0:${ip}`)
    await shot('quick-script-account-light')
    await page.click('[data-test=run-script]')
    await page.click('[data-test=confirm-run]')
    await page.waitForURL(/\/biz\/1\/execute\/task\/\d+$/)
    await page.locator('[data-test=task-status][data-status="3"]').waitFor()
    await expectText('[data-test=host-log]', `ran-as=${runUser}`)
  })

  await step('the file pages choose their accounts too', async () => {
    await page.click('[data-test=menu-quickFile]')
    await page.waitForURL(/\/execute\/file$/)
    // The source's and the target's selectors; the page renders them after its chunk loads.
    const selects = page.locator('[data-test=account-select]')
    await page.locator('[data-test=source-0] [data-test=account-select]').waitFor()
    await selects.nth(1).waitFor()
    if ((await selects.count()) !== 2) throw new Error('the file page has no account selector for its source and its target')
    await page.click('[data-test=menu-pushConfig]')
    await page.waitForURL(/\/execute\/push_config$/)
    // The file page stays until the push-config chunk has loaded: wait for it to go.
    await page.locator('[data-test=source-0]').waitFor({ state: 'detached' })
    await page.locator('[data-test=account-select]').waitFor()
  })

  await step('the accounts page in the dark theme', async () => {
    await page.click('[data-test=theme-switch]')
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
    await page.click('[data-test=menu-accountManage]')
    await row('mysql-ui').waitFor()
    await shot('accounts-dark')
    await row('mysql-ui').locator('[data-test=account-edit]').click()
    await page.locator('[data-test=account-form]').waitFor()
    await shot('accounts-form-dark')
    await page.keyboard.press('Escape')
    await page.locator('[data-test=account-form]').waitFor({ state: 'detached' })
    await page.click('[data-test=menu-quickScript]')
    await page.click('[data-test=account-select]')
    await page.locator('[data-test=account-option]', { hasText: 'ui-runner' }).waitFor()
    await shot('quick-script-account-dark')
    await page.keyboard.press('Escape')
  })

  await step('delete both accounts', async () => {
    await page.click('[data-test=menu-accountManage]')
    await removeAccount('mysql-ui')
    await row('mysql-ui').waitFor({ state: 'detached' })
    await removeAccount('ui-runner')
    await row('ui-runner').waitFor({ state: 'detached' })
    await row('root').waitFor()
  })
})
