// The task page's extra panels, driven by modules/e2e (TestUITaskPanels)
// against the built binary: a file transfer's per-file size and progress
// and the step's summary; a rolling script's batch switcher; retry and
// terminate done here and then read in the operation records; the empty
// variables panel; the log download (a zip); copying the step's hosts.
// Full-page screenshots of both tasks in both themes.
//
// Environment: harness.mjs's, BKJOB_TARGET_IP, BKJOB_FILE_TASK,
// BKJOB_ROLLING_TASK (task ids) and BKJOB_FILE_NAME (the file's target path).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { env, openBrowser } from './harness.mjs'

const h = await openBrowser()
const { page, base, step, expectText } = h
const targetIP = env('BKJOB_TARGET_IP')
const fileTask = env('BKJOB_FILE_TASK')
const rollingTask = env('BKJOB_ROLLING_TASK')
const fileName = env('BKJOB_FILE_NAME')

const fullShot = async (name) => {
  await page.waitForTimeout(400)
  await page.screenshot({ path: join(h.shots, `${name}.png`), fullPage: true })
}
const openTask = async (id) => {
  await page.goto(`${base}/biz/1/execute/task/${id}`)
  await page.locator('[data-test=task-name]').waitFor()
}
const showTab = async (name) => {
  await page.locator('[data-test=task-records] .n-tabs-tab').filter({ hasText: name }).click()
}

await h.run(async () => {
  await step('log in', h.login)

  await step('a file step shows each file with its size, speed and progress', async () => {
    await openTask(fileTask)
    await page.locator('[data-test=task-status][data-status="3"]').waitFor()
    await expectText('[data-test=file-log-table]', 'payload.bin')
    await page.locator(`[data-test=file-log-table] [title="${fileName}"]`).first().waitFor() // the whole path on hover
    await expectText('[data-test=file-log-table]', '300.0 KB')
    await expectText('[data-test=file-log-table]', 'Target (download)')
    await expectText('[data-test=file-log-table]', 'Source (upload)')
    await expectText('[data-test=file-log-table] .n-progress', '100%')
    await expectText('[data-test=summary-files]', '1')
    await expectText('[data-test=summary-size]', '300.0 KB')
    await page.locator('[data-test=host-log]').waitFor({ state: 'detached' }) // a file step has no script log
    await fullShot('task-panels-file-light')
  })

  await step('a rolling step shows its batches and filters by one', async () => {
    await openTask(rollingTask)
    await page.locator('[data-test=task-status][data-status="4"]').waitFor()
    await expectText('[data-test=rolling-progress]', 'batch 1 of 1')
    await page.click('[data-test=batch-switcher]')
    await page.locator('.n-base-select-option').filter({ hasText: 'Batch 1' }).click()
    await expectText('[data-test=batch-switcher]', 'Batch 1')
    await expectText('[data-test=host-table]', targetIP)
    await expectText('[data-test=host-log]', 'first run fails')
  })

  await step('the logs download as a zip of the hosts\' logs', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=download-logs]')])
    const bytes = readFileSync(await download.path())
    if (bytes.subarray(0, 4).toString('latin1') !== 'PK\x03\x04') throw new Error(`the download is not a zip: ${bytes.subarray(0, 16).toString('hex')}`)
    const entry = `0_${targetIP}.log`
    if (!bytes.includes(Buffer.from(entry))) throw new Error(`the zip has no ${entry}`)
    if (!/^bkjob_step_\d+_0_logs\.zip$/.test(download.suggestedFilename())) throw new Error(`unexpected name ${download.suggestedFilename()}`)
  })

  await step('the step\'s hosts copy, one a line', async () => {
    await h.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base })
    await page.click('[data-test=copy-step-hosts]')
    await page.click('[data-test=copy-cloud_ip-all]')
    await page.waitForFunction(async (want) => (await navigator.clipboard.readText()) === want, `0:${targetIP}`)
  })

  await step('the variables panel says there are none', async () => {
    await showTab('Variables')
    await page.locator('[data-test=variables-empty]').waitFor()
    await fullShot('task-panels-variables-light')
  })

  await step('retry and terminate are in the operation records', async () => {
    await showTab('Operation records')
    await page.locator('[data-test=op-action][data-code="6"]').waitFor() // started
    await page.click('[data-test=op-2]')
    await page.click('[data-test=confirm-operation]')
    await expectText('[data-test=host-log]', 'second run')
    await page.locator('[data-test=op-action][data-code="1"]').waitFor()
    await page.click('[data-test=terminate]')
    await page.click('[data-test=confirm-terminate]')
    await page.locator('[data-test=task-status][data-status="11"]').waitFor()
    await page.locator('[data-test=op-action][data-code="4"]').waitFor()
    await expectText('[data-test=operation-log]', 'Terminated the task')
    await expectText('[data-test=operation-log]', 'Retried the failed hosts')
    await fullShot('task-panels-rolling-light')
  })

  await step('the dark theme', async () => {
    await page.click('[data-test=theme-switch]')
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
    await fullShot('task-panels-rolling-dark')
    await showTab('Variables')
    await page.locator('[data-test=variables-empty]').waitFor()
    await fullShot('task-panels-variables-dark')
    await openTask(fileTask)
    await expectText('[data-test=file-log-table]', '300.0 KB')
    await fullShot('task-panels-file-dark')
  })
})
