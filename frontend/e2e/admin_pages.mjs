// The administrators' pages, driven by modules/e2e (TestAdminPages) against
// the built binary and a test sshd: a credential created on the credentials
// page, its value never shown again; an agentless host whose SSH login is
// tested for real (a closed port first: the reason is shown) and then
// registered with it; deleting that credential refused; the agents searched
// by IP with the filter in the URL; the service status page. Light and dark
// screenshots of each. Any console error fails it.
//
// Environment: harness.mjs's, BKJOB_TARGET_IP (the built-in agent's IP),
// BKJOB_SSH_IP, BKJOB_SSH_PORT, BKJOB_SSH_USER, BKJOB_SSH_KEY_FILE.
import { readFileSync } from 'node:fs'
import { env, openBrowser } from './harness.mjs'

const h = await openBrowser()
const { page, base, step, shot, expectText } = h
const targetIP = env('BKJOB_TARGET_IP')
const sshIP = env('BKJOB_SSH_IP')
const sshPort = env('BKJOB_SSH_PORT')
const sshUser = env('BKJOB_SSH_USER')
const sshKey = readFileSync(env('BKJOB_SSH_KEY_FILE'), 'utf8')
const credName = 'sshd key'

// pick chooses an option of the Naive UI select marked data-test=name.
async function pick(name, option) {
  await page.click(`[data-test=${name}]`)
  await page.locator('.n-base-select-option', { hasText: option }).first().click()
}

await h.run(async () => {
  await step('log in', () => h.login())

  await step('the credentials page starts empty and says what to do', async () => {
    await page.click('[data-test=menu-ticketManage]')
    await page.waitForURL(/\/biz\/1\/ticket_manage$/)
    await expectText('[data-test=credential-table]', 'No credential yet')
  })

  await step('create an SSH key credential: the form validates and says values are never shown again', async () => {
    await page.click('[data-test=credential-new]')
    await page.locator('[data-test=credential-form]').waitFor()
    await expectText('[data-test=credential-note]', 'never shown again')
    await page.click('[data-test=credential-save]')
    await expectText('[data-test=credential-form]', 'Enter a name')
    await page.fill('[data-test=credential-name] input', credName)
    await pick('credential-type', 'Secret key (SSH private key)')
    await page.fill('[data-test=credential-credential_secret_key] textarea', sshKey)
    await page.fill('[data-test=credential-description] input', 'the test sshd')
    await shot('credentials-form-light')
    await page.click('[data-test=credential-save]')
    await page.locator('[data-test=credential-form]').waitFor({ state: 'detached' })
    await expectText('[data-test=credential-table]', credName)
    await expectText('[data-test=credential-masked]', 'hidden')
    const table = await page.locator('[data-test=credential-table]').innerText()
    if (table.includes('PRIVATE KEY') || table.includes(sshKey.slice(40, 80))) throw new Error('the key shows in the list')
    await shot('credentials-light')
  })

  await step('editing shows no stored value and says how to replace them', async () => {
    await page.click('[data-test=credential-edit]')
    await expectText('[data-test=credential-note]', 'Leave these fields empty to keep them')
    const value = await page.locator('[data-test=credential-credential_secret_key] textarea').inputValue()
    if (value !== '') throw new Error('the edit form shows the stored key')
    await page.keyboard.press('Escape')
    await page.locator('[data-test=credential-form]').waitFor({ state: 'detached' })
  })

  await step('the agents are searched by IP on the server, the filter in the URL', async () => {
    await page.click('[data-test=menu-hosts]')
    await page.waitForURL(/\/biz\/1\/hosts$/)
    await expectText('[data-test=agent-table]', `0:${targetIP}`)
    await shot('hosts-light')
    await page.keyboard.press('/')
    await page.keyboard.type('10.255.')
    await page.waitForURL(/keyword=10\.255\./)
    await expectText('[data-test=agent-table]', 'No agent matches 10.255.')
    await page.fill('[data-test=agent-search] input', targetIP)
    await page.waitForURL(new RegExp(`keyword=${targetIP.replaceAll('.', '\\.')}`))
    await expectText('[data-test=agent-table]', `0:${targetIP}`)
    await shot('hosts-search-light')
  })

  await step('register an agentless host: a closed port fails the login test with its reason', async () => {
    await page.locator('.n-tabs-tab', { hasText: 'Agentless (SSH)' }).click()
    await expectText('[data-test=agentless-table]', 'No agentless host yet')
    await page.click('[data-test=agentless-register]')
    await page.locator('[data-test=agentless-form]').waitFor()
    await page.fill('[data-test=agentless-ip] input', '10.0.0.300')
    await page.locator('[data-test=agentless-ip] input').blur()
    await expectText('[data-test=agentless-form]', 'Enter an IPv4 address')
    await page.fill('[data-test=agentless-ip] input', sshIP)
    await page.fill('[data-test=agentless-port] input', '1')
    await page.fill('[data-test=agentless-user] input', sshUser)
    // The only SSH-capable credential is chosen already.
    await expectText('[data-test=agentless-credential]', credName)
    await page.click('[data-test=agentless-test]')
    await page.locator('[data-test=agentless-check][data-ok=false]').waitFor()
    await expectText('[data-test=agentless-check]', 'does not answer on this port')
    await shot('hosts-agentless-failed-light')
  })

  await step('the login test succeeds on the sshd, and the host is registered', async () => {
    await page.fill('[data-test=agentless-port] input', sshPort)
    await page.click('[data-test=agentless-test]')
    await page.locator('[data-test=agentless-check][data-ok=true]').waitFor()
    await expectText('[data-test=agentless-check]', `Logged in as ${sshUser} at ${sshIP}:${sshPort}`)
    await shot('hosts-agentless-form-light')
    await page.click('[data-test=agentless-save]')
    await page.locator('[data-test=agentless-form]').waitFor({ state: 'detached' })
    await expectText('[data-test=agentless-table]', `0:${sshIP}`)
    await expectText('[data-test=agentless-table]', credName)
    await shot('hosts-agentless-light')
  })

  await step('a credential a host uses cannot be deleted, and the error says why', async () => {
    await page.click('[data-test=menu-ticketManage]')
    await expectText('[data-test=credential-table]', credName)
    await page.click('[data-test=credential-delete]')
    h.allowHTTPErrors = true
    await page.locator('.n-dialog__action button', { hasText: 'Delete' }).click()
    await expectText('[data-test=error]', `0:${sshIP}`)
    h.allowHTTPErrors = false
    await expectText('[data-test=credential-table]', credName)
  })

  await step('the service status page shows each role ready', async () => {
    await page.click('[data-test=menu-serviceState]')
    await page.waitForURL(/\/service_state$/)
    await page.locator('[data-test=service-ready][data-ready=true]').waitFor()
    for (const role of ['gateway', 'manage', 'execute', 'gse', 'logsvr', 'db']) {
      await page.locator(`[data-test=role-${role}][data-ready=true]`).waitFor()
    }
    await shot('service-state-light')
    // The menu still leads back into the business.
    await page.click('[data-test=menu-hosts]')
    await page.waitForURL(/\/biz\/1\/hosts$/)
  })

  await step('the dark theme', async () => {
    await page.click('[data-test=theme-switch]')
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
    await expectText('[data-test=agent-table]', `0:${targetIP}`)
    await shot('hosts-dark')
    await page.goto(`${base}/biz/1/hosts?keyword=${targetIP}`)
    await expectText('[data-test=agent-table]', `0:${targetIP}`)
    await shot('hosts-search-dark')
    await page.locator('.n-tabs-tab', { hasText: 'Agentless (SSH)' }).click()
    await expectText('[data-test=agentless-table]', `0:${sshIP}`)
    await shot('hosts-agentless-dark')
    await page.click('[data-test=agentless-register]')
    await page.fill('[data-test=agentless-ip] input', sshIP)
    await page.fill('[data-test=agentless-port] input', sshPort)
    await page.fill('[data-test=agentless-user] input', sshUser)
    await page.click('[data-test=agentless-test]')
    await page.locator('[data-test=agentless-check][data-ok=true]').waitFor()
    await shot('hosts-agentless-form-dark')
    await page.keyboard.press('Escape')
    await page.click('[data-test=menu-ticketManage]')
    await expectText('[data-test=credential-table]', credName)
    await shot('credentials-dark')
    await page.click('[data-test=credential-new]')
    await pick('credential-type', 'Secret key (SSH private key)')
    await shot('credentials-form-dark')
    await page.keyboard.press('Escape')
    await page.click('[data-test=menu-serviceState]')
    await page.locator('[data-test=service-ready][data-ready=true]').waitFor()
    await shot('service-state-dark')
  })
})
