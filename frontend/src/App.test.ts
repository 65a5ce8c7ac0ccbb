import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import App from './App.vue'

function stubFetch(status: number, body: unknown) {
  const fetchMock = vi.fn(async () => new Response(JSON.stringify(body), { status }))
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('App', () => {
  it('shows the title and the running version', async () => {
    const fetchMock = stubFetch(200, { version: 'v1.2.3', commit: 'abc1234', build_date: '2025-01-02' })
    const wrapper = mount(App)
    expect(wrapper.find('h1').text()).toBe('bkjob')
    await flushPromises()
    expect(fetchMock).toHaveBeenCalledWith('/api/web/version', expect.anything())
    const version = wrapper.find('[data-test="version"]')
    expect(version.text()).toBe('v1.2.3')
    expect(version.attributes('title')).toContain('abc1234')
  })

  it('shows an error when the server answers with a failure', async () => {
    stubFetch(503, { error: 'down' })
    const wrapper = mount(App)
    await flushPromises()
    expect(wrapper.find('[data-test="version"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="version-error"]').text()).toContain('HTTP 503')
  })

  it('shows an error when the response has no version', async () => {
    stubFetch(200, { commit: 'abc' })
    const wrapper = mount(App)
    await flushPromises()
    expect(wrapper.find('[data-test="version-error"]').text()).toContain('no version')
  })
})
