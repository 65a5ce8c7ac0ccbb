// The task page at 10,000 hosts, driven by modules/e2e (TestUITaskPage10k)
// against a finished task of BKJOB_TASK_HOSTS simulated hosts: open the
// page, scroll the largest result group to its end, move with j/k, search
// by IP and by log keyword, and take the page's pictures in both themes.
// It asserts behaviour (rows render; the server is asked for counts and
// pages, never for every host; no request per host) and prints the
// figures (docs/benchmarks.md); it asserts no times.
//
// Environment: harness.mjs's, BKJOB_TASK_ID and BKJOB_TASK_HOSTS.
import { env, openBrowser } from './harness.mjs'

const h = await openBrowser()
const { page, base, step, shot } = h
const taskId = env('BKJOB_TASK_ID')
const taskHosts = Number(env('BKJOB_TASK_HOSTS'))
const maxPage = 500 // execute.MaxStepHostPage

// Every web API call the page makes: its name, body and how many hosts the
// answer carried.
const calls = []
page.on('requestfinished', async (req) => {
  const m = /\/api\/web\/([a-z_0-9/]+)/.exec(req.url())
  if (!m) return
  const call = { name: m[1], body: req.postDataJSON?.() ?? null, hosts: 0, bytes: 0 }
  calls.push(call)
  try {
    const res = await req.response()
    const text = (await res?.text()) ?? ''
    call.bytes = text.length
    call.hosts = (text.match(/"bk_host_id":/g) ?? []).length
  } catch {
    // a response already gone (navigation) counts no hosts
  }
})
const named = (name, from = 0) => calls.slice(from).filter((c) => c.name === name)
const hostsReceived = (from = 0) => calls.slice(from).reduce((n, c) => n + c.hosts, 0)
const figures = {}
const assert = (ok, what) => {
  if (!ok) throw new Error(what)
}
// settled waits until no row on screen is still waiting for its page.
const settled = () => page.waitForFunction(() => !document.querySelector('[data-test=host-table] [data-test=host-row-pending]'))
const scroller = () => page.locator('[data-test=host-table] .v-vl').first()

await h.run(async () => {
  await h.login()

  await step('open the task page of 10,000 hosts', async () => {
    const from = calls.length
    const started = Date.now()
    await page.goto(`${base}/biz/1/execute/task/${taskId}`)
    await page.locator('[data-test=host-table] [data-test=host-row]').first().waitFor()
    figures.load_to_interactive_ms = Date.now() - started
    await page.waitForLoadState('networkidle')
    const counts = named('get_step_instance_status', from)
    assert(counts.length === 1, `one request for the group counts, got ${counts.length}`)
    assert(counts[0].body?.max_host_num_per_group === 1, 'the counts are asked with one host per group')
    const pages = named('list_step_instance_hosts', from)
    assert(pages.length === 1, `one page of hosts on opening, got ${pages.length}`)
    assert(named('get_job_instance_ip_log', from).length <= 1, 'at most the first host log on opening')
    // Where the time went: the app's boot, then each API call (start and
    // duration in ms from navigation start).
    const timeline = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0]
      const api = performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/api/web/'))
        .map((e) => `${e.name.replace(/^.*\/api\/web\//, '')}@${Math.round(e.startTime)}+${Math.round(e.duration)}`)
      return { dom_content_loaded_ms: Math.round(nav?.domContentLoadedEventEnd ?? 0), api }
    })
    figures.load_dom_content_loaded_ms = timeline.dom_content_loaded_ms
    figures.load_api = timeline.api
    figures.load_requests = calls.length - from
    figures.load_hosts_received = hostsReceived(from)
    figures.load_kib = Math.round(calls.slice(from).reduce((n, c) => n + c.bytes, 0) / 1024)
    assert(figures.load_hosts_received < 200, `the page received ${figures.load_hosts_received} hosts on opening`)
    const tabs = await page.locator('[data-test=result-groups] .n-tabs-tab').allInnerTexts()
    const sizes = tabs.map((t) => Number(/\((\d+)\)\s*$/.exec(t.trim())?.[1] ?? 0))
    assert(sizes.reduce((a, b) => a + b, 0) === taskHosts, `the groups count ${taskHosts} hosts: ${tabs.join(' | ')}`)
    await shot('task-10k-light')
  })

  await step('scroll the largest group to its end, a page at a time', async () => {
    const tabs = page.locator('[data-test=result-groups] .n-tabs-tab')
    const texts = await tabs.allInnerTexts()
    const sizes = texts.map((t) => Number(/\((\d+)\)\s*$/.exec(t.trim())?.[1] ?? 0))
    const largest = sizes.indexOf(Math.max(...sizes))
    await tabs.nth(largest).click()
    await settled()
    await page.waitForLoadState('networkidle')
    const from = calls.length
    const started = Date.now()
    let steps = 0
    for (;;) {
      const done = await scroller().evaluate((el) => {
        el.scrollTop += el.clientHeight * 10
        return el.scrollTop + el.clientHeight >= el.scrollHeight - 2
      })
      steps++
      await page.waitForTimeout(30)
      await settled()
      if (done) break
    }
    figures.scroll_group_hosts = sizes[largest]
    figures.scroll_steps = steps
    figures.scroll_ms = Date.now() - started
    await page.waitForLoadState('networkidle')
    const pages = named('list_step_instance_hosts', from)
    figures.scroll_page_requests = pages.length
    figures.scroll_hosts_received = hostsReceived(from)
    assert(pages.every((c) => (c.body?.length ?? 0) <= maxPage), 'pages are at most 500 hosts')
    assert(pages.length >= 2 && pages.length <= Math.ceil(sizes[largest] / 100) + 2,
      `scrolling asked for ${pages.length} pages of ${sizes[largest]} hosts`)
    assert(named('get_job_instance_ip_log', from).length === 0, 'scrolling asks for no host log')
    assert(calls.length - from === pages.length, `scrolling asked only for pages: ${calls.slice(from).map((c) => c.name).join(',')}`)
    const last = await page.locator('[data-test=host-table] [data-test=host-row]').last().innerText()
    assert(last.trim().length > 0, 'the last rows render')
  })

  await step('j and k move through the hosts, one log at a time', async () => {
    const from = calls.length
    await page.locator('body').click({ position: { x: 5, y: 5 } })
    const before = await page.locator('[data-test=host-table] .selected-host').count()
    await page.keyboard.press('j')
    await page.keyboard.press('j')
    await page.keyboard.press('k')
    await page.locator('[data-test=host-table] .selected-host').first().waitFor()
    await page.waitForLoadState('networkidle')
    const logs = named('get_job_instance_ip_log', from).length
    assert(logs <= 3, `three moves asked for ${logs} logs`)
    assert(named('get_step_instance_status', from).length === 0, 'moving asks for no counts')
    figures.keys_requests = calls.length - from
    void before
  })

  await step('search by IP and by log keyword on the server', async () => {
    const ip = '10.60.0.43' // host 42 ran the script: its log says needle-42
    await page.locator('[data-test=search-ip] input').fill(ip)
    await page.waitForFunction(
      () => document.querySelectorAll('[data-test=host-table] [data-test=host-row]').length === 1,
    )
    await page.locator('[data-test=host-table]').filter({ hasText: ip }).waitFor()
    await page.locator('[data-test=search-ip] input').fill('')
    await settled()
    await page.locator('[data-test=search-log] input').fill('needle-42')
    await page.locator('[data-test=host-table]').filter({ hasText: ip }).waitFor()
    await page.waitForFunction(
      () => document.querySelectorAll('[data-test=host-table] [data-test=host-row]').length === 1,
    )
    await page.locator('[data-test=search-log] input').fill('')
    // The search waits 300 ms for typing to stop; then the whole step is back.
    await page.waitForFunction(() => document.querySelectorAll('[data-test=host-table] [data-test=host-row]').length > 1)
    await page.waitForLoadState('networkidle')
    await settled()
  })

  await step('the page in the dark theme', async () => {
    await page.click('[data-test=theme-switch]')
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
    await page.waitForLoadState('networkidle')
    await shot('task-10k-dark')
    await page.click('[data-test=theme-switch]')
  })

  console.log(`figures ${JSON.stringify(figures)}`)
})
