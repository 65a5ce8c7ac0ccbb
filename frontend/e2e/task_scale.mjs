// The task page at 10,000 hosts, driven by modules/e2e (TestUITaskPage10k)
// against a finished task of BKJOB_TASK_HOSTS simulated hosts: open the
// page, scroll the largest result group to its end, move with j/k, search
// by IP and by log keyword, copy a group's and a search's hosts, and take
// the page's pictures in both themes. It asserts behaviour (the opening
// requests; rows render; the server is asked for counts and pages, never
// for every host; no request per host; copying reads 500 a request with the
// page's filters) and prints the figures (docs/benchmarks.md); it asserts no
// times, and waits for conditions (rows drawn, every call answered), never
// for a length of time.
//
// Environment: harness.mjs's, BKJOB_TASK_ID and BKJOB_TASK_HOSTS.
import { env, openBrowser, timeout } from './harness.mjs'

const h = await openBrowser()
const { page, base, step, shot } = h
const taskId = env('BKJOB_TASK_ID')
const taskHosts = Number(env('BKJOB_TASK_HOSTS'))
const maxPage = 500 // execute.MaxStepHostPage

// Every web API call the page makes: its name, body and how many hosts the
// answer carried. inFlight counts the calls not yet read, so a step can
// wait for the page to be quiet (every call it made answered and counted)
// instead of for a length of time.
const calls = []
let inFlight = 0
const isApi = (req) => /\/api\/web\//.test(req.url())
page.on('request', (req) => {
  if (isApi(req)) inFlight++
})
page.on('requestfailed', (req) => {
  if (isApi(req)) inFlight--
})
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
  } finally {
    inFlight--
  }
})
const named = (name, from = 0) => calls.slice(from).filter((c) => c.name === name)
const hostsReceived = (from = 0) => calls.slice(from).reduce((n, c) => n + c.hosts, 0)
const figures = {}
const groupTop = [] // the IPs of the largest group's first two hosts
const assert = (ok, what) => {
  if (!ok) throw new Error(what)
}
// until waits for a condition checked here (not in the page), for at most
// the harness's timeout.
const until = async (cond, what) => {
  const end = Date.now() + timeout
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
// quiet waits until every API call the page made is answered and counted.
const quiet = () => until(() => inFlight === 0, 'the page\'s API calls to be answered')
// logLoaded waits until a host log asked for after call `from` is answered.
const logLoaded = (from) => until(() => named('get_job_instance_ip_log', from).length > 0, 'the selected host\'s log')
// settled waits until no row on screen is still waiting for its page.
const settled = () => page.waitForFunction(() => !document.querySelector('[data-test=host-table] [data-test=host-row-pending]'))
// painted waits until the page has drawn what a scroll or a key changed
// (two frames: the scroll event, then Vue's render).
const painted = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
const scroller = () => page.locator('[data-test=host-table] .v-vl').first()
const rowCount = () => page.locator('[data-test=host-table] [data-test=host-row]').count()
// The result groups' sizes, in the tabs' order (each tab's label carries
// its size: Naive's segment tabs add elements of their own beside the tabs).
const groupTabs = () => page.locator('[data-test=result-groups] [data-test=group-tab]')
const groupSizes = () => groupTabs().evaluateAll((tabs) => tabs.map((t) => Number(t.dataset.size)))

await h.run(async () => {
  await h.login()

  await step('open the task page of 10,000 hosts', async () => {
    // Leave the home page first: its calls end (answered or cancelled)
    // before counting the task page's.
    await page.goto('about:blank')
    await quiet()
    const from = calls.length
    const started = Date.now()
    await page.goto(`${base}/biz/1/execute/task/${taskId}`)
    await page.locator('[data-test=host-table] [data-test=host-row]').first().waitFor()
    figures.load_to_interactive_ms = Date.now() - started
    // The page is open once the first host's log and the operation
    // records have answered.
    await logLoaded(from)
    await until(() => named('get_job_instance_operation_log', from).length > 0, 'the operation records')
    await quiet()
    // The opening requests, each once (docs/benchmarks.md).
    const opening = calls.slice(from).map((c) => c.name).sort()
    const want = ['me', 'version', 'get_scope', 'list_authorized_scopes', 'get_global_settings', 'get_job_instance_status', 'get_step_instance_status',
      'list_step_instance_hosts', 'get_job_instance_ip_log', 'get_job_instance_operation_log'].sort()
    assert(JSON.stringify(opening) === JSON.stringify(want), `the page opened with ${opening.join(', ')}; want ${want.join(', ')}`)
    const counts = named('get_step_instance_status', from)
    assert(counts[0].body?.max_host_num_per_group === 1, 'the counts are asked with one host per group')
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
    const sizes = await groupSizes()
    assert(sizes.reduce((a, b) => a + b, 0) === taskHosts, `the groups count ${taskHosts} hosts: ${sizes.join(' | ')}`)
    await shot('task-10k-light')
  })

  await step('scroll the largest group to its end, a page at a time', async () => {
    const sizes = await groupSizes()
    const largest = sizes.indexOf(Math.max(...sizes))
    const clicked = calls.length
    await groupTabs().nth(largest).click()
    // The group's first page, then its first host's log.
    await logLoaded(clicked)
    await settled()
    await quiet()
    // The group's first two hosts (the table is at its top).
    const top = await page.locator('[data-test=host-table] [data-test=host-row]').evaluateAll((rows) => rows.slice(0, 2).map((r) => r.innerText.trim().split(/\s/)[0]))
    groupTop.push(...top)
    const from = calls.length
    const started = Date.now()
    let steps = 0
    for (;;) {
      const done = await scroller().evaluate((el) => {
        el.scrollTop += el.clientHeight * 10
        return el.scrollTop + el.clientHeight >= el.scrollHeight - 2
      })
      steps++
      await painted()
      await settled()
      if (done) break
    }
    figures.scroll_group_hosts = sizes[largest]
    figures.scroll_steps = steps
    figures.scroll_ms = Date.now() - started
    await quiet()
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
    const shownHost = () => page.locator('[data-test=host-log-title]').getAttribute('data-host')
    assert((await shownHost()) === groupTop[0], `the group opened on ${await shownHost()}, not its first host ${groupTop[0]}`)
    await page.keyboard.press('j')
    await page.keyboard.press('j')
    await page.keyboard.press('k')
    // The cursor ends on the group's second host, back at the top of the
    // table (the first was selected when the group opened).
    await until(async () => (await shownHost()) === groupTop[1], `the log of the second host ${groupTop[1]}`)
    await page.locator('[data-test=host-table] .selected-host').filter({ hasText: groupTop[1] }).waitFor()
    await logLoaded(from)
    await quiet()
    const logs = named('get_job_instance_ip_log', from).length
    assert(logs <= 3, `three moves asked for ${logs} logs`)
    assert(named('get_step_instance_status', from).length === 0, 'moving asks for no counts')
    figures.keys_requests = calls.length - from
  })

  await step('search by IP and by log keyword on the server', async () => {
    const ip = '10.60.0.43' // host 42 ran the script: its log says needle-42
    const oneRow = () => page.waitForFunction(() => document.querySelectorAll('[data-test=host-table] [data-test=host-row]').length === 1)
    const manyRows = () => page.waitForFunction(() => document.querySelectorAll('[data-test=host-table] [data-test=host-row]').length > 1)
    await page.locator('[data-test=search-ip] input').fill(ip)
    await oneRow()
    await page.locator('[data-test=host-table]').filter({ hasText: ip }).waitFor()
    // The search is applied once typing pauses; then the whole step is back.
    await page.locator('[data-test=search-ip] input').fill('')
    await manyRows()
    await page.locator('[data-test=search-log] input').fill('needle-42')
    await oneRow()
    await page.locator('[data-test=host-table]').filter({ hasText: ip }).waitFor()
    await page.locator('[data-test=search-log] input').fill('')
    await manyRows()
    await quiet()
    await settled()
  })

  await step('copy a group of 6,700 hosts, read again 500 at a time with the filters', async () => {
    await h.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base })
    const sizes = await groupSizes()
    const largest = sizes.indexOf(Math.max(...sizes))
    const lines = () => page.evaluate(async () => (await navigator.clipboard.readText()).split('\n').filter(Boolean).length)
    let from = calls.length
    await page.click('[data-test=copy-step-hosts]')
    // The menu: all hosts, then each group in the tabs' order.
    const choices = page.locator('[data-test^=copy-ip-]')
    await choices.first().waitFor()
    const keys = await choices.evaluateAll((els) => els.map((e) => e.dataset.test))
    assert(keys.length === sizes.length + 1, `the copy menu offers ${keys.join(', ')} for ${sizes.length} groups`)
    await choices.nth(largest + 1).click()
    await until(async () => (await lines()) === sizes[largest], `${sizes[largest]} lines on the clipboard`)
    await quiet()
    let pages = named('list_step_instance_hosts', from)
    assert(pages.length === Math.ceil(sizes[largest] / maxPage), `copying ${sizes[largest]} hosts took ${pages.length} requests`)
    assert(pages.every((c) => c.body?.length === maxPage && c.body?.status !== undefined), 'each request asks for 500 hosts of the group')
    assert(calls.length - from === pages.length, `copying asked only for pages: ${calls.slice(from).map((c) => c.name).join(',')}`)
    figures.copy_group_requests = pages.length
    await page.locator('[data-test^=copy-ip-]').first().waitFor({ state: 'detached' }) // the menu closed

    // With an IP search, "all hosts" copies the hosts the search finds
    // (10.60.1.*, 10.60.10-19.*: 2,750, six requests).
    await page.locator('[data-test=search-ip] input').fill('10.60.1')
    await page.waitForFunction((n) => {
      const tabs = [...document.querySelectorAll('[data-test=result-groups] [data-test=group-tab]')]
      const total = tabs.reduce((s, t) => s + Number(t.dataset.size), 0)
      return total > 0 && total < n
    }, taskHosts)
    await quiet()
    const found = (await groupSizes()).reduce((a, b) => a + b, 0)
    from = calls.length
    await page.click('[data-test=copy-step-hosts]')
    await page.locator('[data-test=copy-ip-all]').click()
    await until(async () => (await lines()) === found, `${found} lines on the clipboard`)
    await quiet()
    pages = named('list_step_instance_hosts', from)
    assert(pages.length === Math.ceil(found / maxPage), `copying ${found} hosts took ${pages.length} requests`)
    assert(pages.every((c) => c.body?.search_ip === '10.60.1' && c.body?.status === undefined), 'each request carries the search, no group')
    const text = await page.evaluate(() => navigator.clipboard.readText())
    assert(text.split('\n').every((l) => l.includes('10.60.1')), 'every host copied matches the search')
    await page.locator('[data-test=search-ip] input').fill('')
    await page.waitForFunction((n) => {
      const tabs = [...document.querySelectorAll('[data-test=result-groups] [data-test=group-tab]')]
      return tabs.reduce((s, t) => s + Number(t.dataset.size), 0) === n
    }, taskHosts)
    await quiet()
    await settled()
  })

  await step('the page in the dark theme', async () => {
    await page.click('[data-test=theme-switch]')
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
    await quiet()
    await shot('task-10k-dark')
    await page.click('[data-test=theme-switch]')
  })

  console.log(`figures ${JSON.stringify(figures)}`)
})
