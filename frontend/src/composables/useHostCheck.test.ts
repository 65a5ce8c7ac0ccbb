import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { computed, defineComponent, h, ref } from 'vue'
import type { CheckHostsRequest, HostCheck } from '../api/generated'
import { parseHostList } from '../lib/host_list'
import { useErrors } from '../stores/errors'
import { useHostCheck } from './useHostCheck'

// The server, as far as useHostCheck sees it: each call waits until the
// test answers it.
const calls: Array<{ req: CheckHostsRequest; answer: (c: HostCheck) => void; fail: (e: Error) => void }> = []
vi.mock('../api/generated', () => ({
  webApi: {
    checkHosts: (req: CheckHostsRequest) =>
      new Promise<HostCheck>((answer, fail) => {
        calls.push({ req, answer, fail })
      }),
  },
}))
vi.mock('vue-router', () => ({ useRoute: () => ({ params: { scopeType: 'biz', scopeId: '3' } }) }))

function unknownIP(ip: string): HostCheck {
  return { checked: 1, known: 0, unknown_host_id_list: [], unknown_ip_list: [{ bk_cloud_id: 0, ip }], offline_host_list: [] }
}

// harness mounts a component using useHostCheck over text.
function harness(initial: string) {
  const text = ref(initial)
  let state!: ReturnType<typeof useHostCheck>
  const Comp = defineComponent({
    setup() {
      state = useHostCheck(computed(() => parseHostList(text.value)))
      return () => h('div')
    },
  })
  const wrapper = mount(Comp)
  return { text, state: () => state, wrapper }
}

describe('useHostCheck', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.useFakeTimers()
    calls.length = 0
  })
  afterEach(() => vi.useRealTimers())

  it('checks once typing pauses, in one request for the whole list, in the route business', async () => {
    const { text, state } = harness('10.0.0.1')
    text.value = '10.0.0.1\n10.0.0.2'
    await vi.advanceTimersByTimeAsync(100)
    text.value = '10.0.0.1\n10.0.0.2\n7'
    await vi.advanceTimersByTimeAsync(100)
    expect(calls).toHaveLength(0)
    expect(state().checking.value).toBe(true)
    await vi.advanceTimersByTimeAsync(400)
    expect(calls).toHaveLength(1)
    expect(calls[0]?.req).toEqual({
      bk_scope_type: 'biz',
      bk_scope_id: '3',
      host_id_list: [7],
      ip_list: [
        { bk_cloud_id: 0, ip: '10.0.0.1' },
        { bk_cloud_id: 0, ip: '10.0.0.2' },
      ],
    })
    calls[0]?.answer(unknownIP('10.0.0.2'))
    await vi.advanceTimersByTimeAsync(0)
    expect(state().checking.value).toBe(false)
    expect(state().findings.value.unknown).toEqual(['10.0.0.2'])
  })

  it('drops an answer to an older list', async () => {
    const { text, state } = harness('10.0.0.1')
    await vi.advanceTimersByTimeAsync(400)
    text.value = '10.0.0.2'
    await vi.advanceTimersByTimeAsync(400)
    expect(calls).toHaveLength(2)
    calls[1]?.answer(unknownIP('10.0.0.2'))
    calls[0]?.answer(unknownIP('10.0.0.1')) // late
    await vi.advanceTimersByTimeAsync(0)
    expect(state().answer.value?.unknown_ip_list).toEqual([{ bk_cloud_id: 0, ip: '10.0.0.2' }])
  })

  it('does not ask about an empty list or one over the limit, and reports a failed check once', async () => {
    const { text, state } = harness('')
    await vi.advanceTimersByTimeAsync(400)
    text.value = Array.from({ length: 20001 }, (_, i) => String(i + 1)).join('\n')
    await vi.advanceTimersByTimeAsync(400)
    expect(calls).toHaveLength(0)
    expect(state().tooMany.value).toBe(true)
    expect(state().checking.value).toBe(false)
    text.value = '10.0.0.1'
    await vi.advanceTimersByTimeAsync(400)
    calls[0]?.fail(new Error('server down'))
    await vi.advanceTimersByTimeAsync(0)
    expect(useErrors().shown.map((e) => e.message)).toEqual(['server down'])
    expect(state().checking.value).toBe(false)
  })

  it('asks nothing once its component is gone', async () => {
    const { text, wrapper } = harness('10.0.0.1')
    text.value = '10.0.0.2'
    wrapper.unmount()
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls).toHaveLength(0)
  })
})
