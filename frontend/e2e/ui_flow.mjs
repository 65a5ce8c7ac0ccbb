// The UI's browser test, driven by modules/e2e (TestUIFlow) against the real
// built binary: log in, run a script on the built-in agent's host from Quick
// launch, read its log on the task page, find it in the history, switch to
// dark and to Chinese, see an API error in Chinese, log out. It saves a
// screenshot of every page in both themes. Any console error fails it.
//
// Environment: harness.mjs's, BKJOB_TARGET_IP and BKJOB_MARKER.
import { writeFileSync } from 'node:fs'
import { editorSelector, fillEditor } from './editor.mjs'
import { env, openBrowser } from './harness.mjs'

const h = await openBrowser()
const { page, base, step, shot, expectText } = h
const user = env('BKJOB_USER', 'admin')
const password = env('BKJOB_PASSWORD')
const targetIP = env('BKJOB_TARGET_IP')
const marker = env('BKJOB_MARKER') // a file the failing script needs; the test creates it to fix the cause

let taskURL = ''
await h.run(async () => {
  await step('an anonymous visit goes to the login page', async () => {
    await page.goto(base + '/')
    await page.waitForURL(/\/login/)
    await page.locator('input[name=username]').waitFor()
    await shot('login-light')
  })

  await step('log in', async () => {
    await page.fill('input[name=username]', user)
    await page.fill('input[name=password]', password)
    await page.click('[data-test=login-submit]')
    await page.waitForURL(/\/biz\/1\/home$/)
    await expectText('[data-test=user-menu]', user)
    // The business's time zone, in which its dates are shown, is named beside it.
    await page.locator('[data-test=business-time-zone]').waitFor()
    await page.locator('[data-test=agent-summary] .n-statistic').first().waitFor()
  })

  await step('run a script from quick launch', async () => {
    await page.click('[data-test=menu-quickScript]')
    await page.waitForURL(/\/biz\/1\/execute\/script$/)
    await fillEditor(page, 'echo "hello from the UI"\nprintf "\\033[32mgreen text\\033[0m\\n"\nfor i in 1 2 3; do sleep 1; echo "line $i"; done\n')
    await page.fill('textarea[name=targets]', `${targetIP}\nnot-a-host`)
    await expectText('[data-test=targets-summary]', 'not-a-host')
    await page.click('[data-test=run-script]')
    await page.locator('[data-test=form-problems]').waitFor()
    // Over 100 hosts the confirm wants the count typed; Esc closes it.
    await page.fill('textarea[name=targets]', Array.from({ length: 101 }, (_, i) => `10.9.${i >> 8}.${i & 255}`).join('\n'))
    await page.click('[data-test=run-script]')
    await page.locator('input[name=typed-count]').waitFor()
    await page.click('[data-test=confirm-run]')
    await page.waitForTimeout(300)
    await page.locator('input[name=typed-count]').waitFor() // still open: nothing typed
    await page.keyboard.press('Escape')
    await page.locator('input[name=typed-count]').waitFor({ state: 'detached' })
    await page.fill('textarea[name=targets]', `0:${targetIP}`)
    await expectText('[data-test=targets-summary]', 'Hosts: 1')
    await shot('quick-script-light')
    await page.click('[data-test=run-script]')
    await page.click('[data-test=confirm-run]')
    await page.waitForURL(/\/biz\/1\/execute\/task\/\d+$/)
    taskURL = page.url()
  })

  await step('the task page follows the log live, then shows the result', async () => {
    await expectText('[data-test=host-log]', 'hello from the UI')
    // The first line is there while the script still sleeps: it came over the stream.
    await page.locator('[data-test=log-live]').waitFor()
    await page.locator('[data-test=task-status][data-status="2"]').waitFor()
    await expectText('[data-test=host-log]', 'line 3')
    await expectText('[data-test=host-log] .fg2', 'green text') // ANSI colours are rendered
    await page.locator('[data-test=task-status][data-status="3"]').waitFor()
    await expectText('[data-test=host-table]', targetIP)
    await shot('task-light')
    // `/` focuses the search; the server filters the hosts by IP.
    await page.click('[data-test=task-name]')
    await page.keyboard.press('/')
    await page.keyboard.type('10.255.')
    await page.locator('[data-test=host-table] .n-data-table-empty').waitFor()
    await page.keyboard.press('Control+A')
    await page.keyboard.type(targetIP.split('.').slice(0, 3).join('.'))
    await expectText('[data-test=host-table]', targetIP)
  })

  await step('the history lists the task', async () => {
    await page.click('[data-test=menu-history]')
    await page.waitForURL(/\/biz\/1\/execute\/list/)
    await page.locator('[data-test=history-table] [data-test=task-link]').first().waitFor()
    if (!/[?&]from=\d+/.test(page.url())) throw new Error(`the filters are not in the URL: ${page.url()}`)
    await shot('history-light')
    // Run again: the quick launch form comes back filled with the task's script and hosts.
    await page.locator('[data-test=run-again]').first().click()
    await page.waitForURL(/\/execute\/script\?from_task=\d+$/)
    await page.waitForFunction(
      ([ip, sel]) =>
        document.querySelector(sel)?.textContent?.includes('hello from the UI') &&
        document.querySelector('textarea[name=targets]')?.value === `0:${ip}`,
      [targetIP, editorSelector],
    )
    await page.click('[data-test=menu-home]')
    await page.locator('[data-test=recent-tasks] [data-test=task-link]').first().waitFor()
    await shot('home-light')
  })

  await step('a failed host is in its own group; retrying it after the fix succeeds', async () => {
    await page.click('[data-test=menu-quickScript]')
    await fillEditor(page, `test -f ${marker} || { echo "marker missing"; exit 3; }\necho "marker found"\n`)
    await page.fill('textarea[name=targets]', targetIP)
    await page.click('[data-test=run-script]')
    await page.click('[data-test=confirm-run]')
    await page.waitForURL(/\/execute\/task\/\d+$/)
    await page.locator('[data-test=task-status][data-status="4"]').waitFor()
    await expectText('[data-test=result-groups]', '(1)')
    await page.locator('[data-test=host-table] [data-status="104"]').waitFor()
    await expectText('[data-test=host-log]', 'marker missing')
    await shot('task-failed-light')
    writeFileSync(marker, 'fixed\n')
    await page.click('[data-test=op-2]')
    await page.click('[data-test=confirm-operation]')
    await page.locator('[data-test=task-status][data-status="3"]').waitFor()
    await expectText('[data-test=host-log]', 'marker found')
  })

  await step('terminate a long task', async () => {
    await page.click('[data-test=menu-quickScript]')
    await fillEditor(page, 'echo "long task started"\nsleep 300\n')
    await page.fill('textarea[name=targets]', targetIP)
    await page.click('[data-test=run-script]')
    await page.click('[data-test=confirm-run]')
    await page.waitForURL(/\/execute\/task\/\d+$/)
    await expectText('[data-test=host-log]', 'long task started')
    await page.click('[data-test=terminate]')
    await page.click('[data-test=confirm-terminate]')
    await page.locator('[data-test=task-status][data-status="11"]').waitFor()
    await page.locator('[data-test=terminate]').waitFor({ state: 'detached' })
    // A force-terminated step can be retried.
    await page.locator('[data-test=op-2]').waitFor()
  })

  await step('the hosts page lists this host\'s agent', async () => {
    await page.click('[data-test=menu-hosts]')
    await page.waitForURL(/\/biz\/1\/hosts$/)
    await expectText('[data-test=agent-table]', `0:${targetIP}`)
    await expectText('[data-test=agent-table]', 'Online')
    await shot('hosts-light')
  })

  await step('the dark theme', async () => {
    await page.click('[data-test=theme-switch]')
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
    await shot('home-dark')
    await page.click('[data-test=menu-quickScript]')
    await page.locator(editorSelector).waitFor()
    await shot('quick-script-dark')
    await page.click('[data-test=menu-history]')
    await page.locator('[data-test=history-table] [data-test=task-link]').first().waitFor()
    await shot('history-dark')
    await page.click('[data-test=menu-hosts]')
    await expectText('[data-test=agent-table]', `0:${targetIP}`)
    await shot('hosts-dark')
    await page.goto(taskURL)
    await expectText('[data-test=host-log]', 'hello from the UI')
    await shot('task-dark')
  })

  await step('switch to Chinese: the page and an API error are in Chinese', async () => {
    await page.click('[data-test=language-switch]')
    await page.locator('.n-dropdown-option', { hasText: '简体中文' }).click()
    await expectText('[data-test=menu-history]', '执行历史')
    await page.reload()
    await expectText('[data-test=menu-history]', '执行历史')
    h.allowHTTPErrors = true
    await page.goto(base + '/biz/1/execute/task/987654321')
    await expectText('[data-test=error]', '作业实例不存在')
    await page.locator('[data-test=task-missing]').waitFor()
    h.allowHTTPErrors = false
    await shot('error-zh-dark')
    await page.click('[data-test=menu-home]')
    await expectText('[data-test=recent-tasks]', '执行成功')
    await shot('home-zh-dark')
  })

  await step('log out', async () => {
    await page.click('[data-test=user-menu]')
    await page.click('#logout')
    await page.waitForURL(/\/login/)
    await page.click('[data-test=theme-switch]')
    await shot('login-zh-light')
  })

  // Leaving the dark theme and Chinese on for the next run would be
  // remembered in the user-data dir; the test gives a fresh one each time.
})
