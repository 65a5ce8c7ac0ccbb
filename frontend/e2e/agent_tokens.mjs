// Enrolment tokens on the hosts page, driven by modules/e2e
// (TestAgentTokensPage) against the built binary: the tab starts empty and
// says what to do; a token is created (the form validates first), its
// secret shown once with a copy button and the agent command line, never in
// the list; rotated after a confirm with a grace period (a new secret shown
// once, the old one's grace shown in the list); deleted after a confirm. A
// second token's secret is written to BKJOB_TOKEN_OUT so the Go test enrols
// a real agent with what the page showed; BKJOB_ROTATED_OUT gets the first
// token's secret before its rotation (the Go test checks it is refused).
// Light and dark screenshots, English and Chinese. Any console error fails it.
import { writeFileSync } from 'node:fs'
import { env, openBrowser } from './harness.mjs'

const h = await openBrowser()
const { page, base, step, shot, expectText } = h
const tokenRE = /^bkjt_[0-9a-f]{64}$/

// secretShown reads the token in the show-once dialog, checks the warning
// and the command line, copies it with the button and closes the dialog.
async function secretShown(name) {
  const dlg = page.locator('[data-test=agent-token-secret]')
  await dlg.waitFor()
  await expectText('[data-test=agent-token-secret]', name)
  await expectText('[data-test=agent-token-once]', 'you will not see it again')
  const token = await page.locator('[data-test=agent-token-value] input').inputValue()
  if (!tokenRE.test(token)) throw new Error(`unexpected token ${token}`)
  const cmd = await page.locator('[data-test=agent-token-command] input').inputValue()
  if (cmd !== `bkjob agent --server ${base} --token-file /etc/bkjob/enrol-token`) throw new Error(`command line ${cmd}`)
  await page.click('[data-test=agent-token-copy]')
  await page.waitForFunction(async (want) => (await navigator.clipboard.readText()) === want, token)
  return token
}

async function closeSecret() {
  await page.click('[data-test=agent-token-done]')
  await page.locator('[data-test=agent-token-secret]').waitFor({ state: 'detached' })
}

async function listShowsNoSecret(...tokens) {
  const text = await page.locator('[data-test=agent-token-table]').innerText()
  for (const tok of tokens) if (text.includes(tok.slice(5, 30))) throw new Error('the list shows a secret')
}

await h.run(async () => {
  await h.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base })
  await step('log in', () => h.login())

  await step('the tokens tab starts empty and says what to do; the tab is in the URL', async () => {
    await page.click('[data-test=menu-hosts]')
    await page.waitForURL(/\/biz\/1\/hosts$/)
    await page.locator('.n-tabs-tab', { hasText: 'Enrolment tokens' }).click()
    await page.waitForURL(/tab=tokens/)
    await expectText('[data-test=agent-token-table]', 'No enrolment token yet')
    await shot('hosts-tokens-empty-light')
  })

  let first
  await step('create a token: the form validates, the secret is shown once with the command line', async () => {
    await page.click('[data-test=agent-token-new]')
    await page.locator('[data-test=agent-token-form]').waitFor()
    await page.click('[data-test=agent-token-create]')
    await expectText('[data-test=agent-token-form]', 'Give the token a name')
    await page.fill('[data-test=agent-token-name] input', 'rack 7')
    await page.fill('[data-test=agent-token-description] input', 'PXE installs')
    await page.click('[data-test=agent-token-expiry]')
    await page.locator('.n-base-select-option', { hasText: 'In 30 days' }).first().click()
    await shot('hosts-tokens-form-light')
    await page.click('[data-test=agent-token-create]')
    first = await secretShown('rack 7')
    await shot('hosts-tokens-secret-light')
    await closeSecret()
    await expectText('[data-test=agent-token-table]', 'rack 7')
    await expectText('[data-test=agent-token-table]', 'Active')
    await listShowsNoSecret(first)
  })

  let rotated
  await step('rotate it after a confirm with a 10 minute grace: a new secret, shown once', async () => {
    await page.click('[data-test=agent-token-rotate]')
    await page.locator('[data-test=agent-token-rotate-confirm]').waitFor()
    await expectText('[data-test=agent-token-rotate-confirm]', 'Agents already enrolled keep working')
    await page.locator('[data-test=agent-token-grace-choice] label', { hasText: 'For 10 minutes' }).click()
    await shot('hosts-tokens-rotate-light')
    await page.click('[data-test=agent-token-rotate-ok]')
    rotated = await secretShown('rack 7')
    if (rotated === first) throw new Error('rotation kept the secret')
    await closeSecret()
    await expectText('[data-test=agent-token-grace]', 'Old secret valid until')
    await listShowsNoSecret(first, rotated)
    await shot('hosts-tokens-light')
  })

  await step('rotate again with no grace: the earlier secrets stop', async () => {
    await page.click('[data-test=agent-token-rotate]')
    await page.click('[data-test=agent-token-rotate-ok]')
    const again = await secretShown('rack 7')
    await closeSecret()
    await page.locator('[data-test=agent-token-grace]').waitFor({ state: 'detached' })
    writeFileSync(env('BKJOB_ROTATED_OUT'), rotated + '\n', { mode: 0o600 })
    rotated = again
  })

  await step('a second token, whose secret a real agent will use', async () => {
    await page.click('[data-test=agent-token-new]')
    await page.fill('[data-test=agent-token-name] input', 'lab')
    await page.click('[data-test=agent-token-create]')
    const tok = await secretShown('lab')
    writeFileSync(env('BKJOB_TOKEN_OUT'), tok + '\n', { mode: 0o600 })
    await closeSecret()
    await expectText('[data-test=agent-token-table]', 'lab')
  })

  await step('delete the first token after a confirm', async () => {
    await page.locator('tr', { hasText: 'rack 7' }).locator('[data-test=agent-token-delete]').click()
    await expectText('.n-dialog', 'agents already enrolled keep working')
    await page.locator('.n-dialog__action button', { hasText: 'Delete' }).click()
    await page.locator('[data-test=agent-token-table] tr', { hasText: 'rack 7' }).waitFor({ state: 'detached' })
    await expectText('[data-test=agent-token-table]', 'lab')
  })

  await step('the dark theme', async () => {
    await page.click('[data-test=theme-switch]')
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
    await expectText('[data-test=agent-token-table]', 'lab')
    await shot('hosts-tokens-dark')
    await page.click('[data-test=agent-token-new]')
    await page.fill('[data-test=agent-token-name] input', 'dark')
    await shot('hosts-tokens-form-dark')
    await page.click('[data-test=agent-token-create]')
    await secretShown('dark')
    await shot('hosts-tokens-secret-dark')
    await closeSecret()
    await page.locator('tr', { hasText: 'dark' }).locator('[data-test=agent-token-rotate]').click()
    await shot('hosts-tokens-rotate-dark')
    await page.keyboard.press('Escape')
    await page.locator('[data-test=agent-token-rotate-confirm]').waitFor({ state: 'detached' })
  })

  await step('in Chinese', async () => {
    await page.click('[data-test=language-switch]')
    await page.locator('.n-dropdown-option', { hasText: '简体中文' }).click()
    await page.locator('.n-tabs-tab', { hasText: '注册令牌' }).waitFor()
    await expectText('[data-test=agent-token-table]', '有效')
    await shot('hosts-tokens-zh-dark')
  })
})
