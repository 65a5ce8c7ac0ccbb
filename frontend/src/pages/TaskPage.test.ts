import { flushPromises, mount } from '@vue/test-utils'
import { NDialogProvider } from 'naive-ui'
import { createPinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import type { GetStepInstanceStatusRequest, ListStepInstanceHostsRequest, StepInstanceStatus } from '../api/generated'
import { createAppI18n } from '../i18n'
import TaskPage from './TaskPage.vue'

// The server as the task page sees it: the job has two steps; the step
// counts wait until the test answers them; pages and logs answer at once.
const statusCalls: Array<{ req: GetStepInstanceStatusRequest; answer: () => void }> = []
const pageCalls: ListStepInstanceHostsRequest[] = []
const host = (step: number) => ({ bk_host_id: step * 100, ip: `10.0.0.${step}`, bk_cloud_id: 0, status: 9, tag: '', exit_code: 0, total_time: 1 })
function stepStatus(step: number): StepInstanceStatus {
  return {
    step_instance_id: step,
    execute_count: 0,
    name: `step ${step}`,
    type: 1,
    status: 3,
    create_time: 1,
    step_result_group_list: [{ result_type: 9, result_type_desc: 'Succeeded', tag: '', host_size: 1, host_result_list: [host(step)] }],
  } as unknown as StepInstanceStatus
}
vi.mock('../api/generated', () => ({
  webApi: {
    getJobInstanceStatus: () =>
      Promise.resolve({
        finished: true,
        job_instance: { job_instance_id: 7, name: 'two steps', status: 3, create_time: 1, start_time: 1, total_time: 5 },
        step_instance_list: [1, 2].map((id) => ({ step_instance_id: id, name: `step ${id}`, type: 1, status: 3, create_time: 1, start_time: 1, execute_count: 0 })),
      }),
    getStepInstanceStatus: (req: GetStepInstanceStatusRequest) =>
      new Promise((resolve) => statusCalls.push({ req, answer: () => resolve(stepStatus(req.step_instance_id)) })),
    listStepInstanceHosts: (req: ListStepInstanceHostsRequest) => {
      pageCalls.push(req)
      return Promise.resolve({ start: 0, length: 1, total: 1, data: [host(req.step_instance_id)] })
    },
    getHostLog: () => Promise.resolve({ log_content: 'ok' }),
  },
}))
vi.mock('vue-router', () => ({ useRoute: () => ({ params: { scopeType: 'biz', scopeId: '1', taskId: '7' } }) }))

// Only the page's own logic is under test: its panels are stubbed.
const stubs = Object.fromEntries(
  ['RouterLink', 'HostLog', 'HostTable', 'HostToolbar', 'StepOperations', 'CopyStepHosts', 'FileLogTable', 'FileStepSummary', 'LogDownload', 'RollingBatches', 'TaskRecords'].map(
    (n) => [n, true],
  ),
)
const StepList = defineComponent({ name: 'StepList', props: ['steps', 'selected'], emits: ['select'], setup: () => () => h('div') })

function mountPage() {
  return mount(defineComponent({ setup: () => () => h(NDialogProvider, () => h(TaskPage)) }), {
    global: { plugins: [createPinia(), createAppI18n('en')], stubs: { ...stubs, StepList } },
  })
}

describe('TaskPage', () => {
  beforeEach(() => {
    statusCalls.length = 0
    pageCalls.length = 0
    vi.stubGlobal(
      'ResizeObserver',
      class {
        observe() {}
        unobserve() {}
        disconnect() {}
      },
    )
  })
  afterEach(() => vi.unstubAllGlobals())

  it('drops the answer for a step no longer selected, and never asks twice at once', async () => {
    const wrapper = mountPage()
    await flushPromises()
    expect(statusCalls.map((c) => c.req.step_instance_id)).toEqual([1])
    wrapper.findComponent(StepList).vm.$emit('select', 2) // the user moves on while step 1 loads
    await flushPromises()
    expect(statusCalls).toHaveLength(1) // the refresh in flight is not overlapped
    statusCalls[0]!.answer() // step 1's answer, late
    await flushPromises()
    expect(pageCalls.filter((r) => r.step_instance_id === 1)).toEqual([]) // nothing more for step 1
    expect(statusCalls.map((c) => c.req.step_instance_id)).toEqual([1, 2])
    statusCalls[1]!.answer()
    await flushPromises()
    expect(pageCalls.map((r) => [r.step_instance_id, r.status, r.tag, r.start])).toEqual([[2, 9, '', 0]])
    expect(wrapper.findComponent({ name: 'CopyStepHosts' }).props('stepInstanceId')).toBe(2)
    expect(wrapper.findComponent({ name: 'HostLog' }).props('host')).toBe('10.0.0.2')
    wrapper.unmount()
  })

  it('asks with the page filters once typing pauses, for every request about the hosts', async () => {
    vi.useFakeTimers()
    try {
      const wrapper = mountPage()
      await flushPromises()
      statusCalls[0]!.answer()
      await flushPromises()
      const toolbar = wrapper.findComponent({ name: 'HostToolbar' })
      toolbar.vm.$emit('update:searchIp', '10.0')
      toolbar.vm.$emit('update:keyword', 'needle')
      await flushPromises()
      expect(statusCalls).toHaveLength(1) // not while typing
      await vi.advanceTimersByTimeAsync(300)
      await flushPromises()
      expect(statusCalls[1]?.req).toMatchObject({ step_instance_id: 1, search_ip: '10.0', keyword: 'needle', max_host_num_per_group: 1 })
      statusCalls[1]!.answer()
      await flushPromises()
      expect(pageCalls[pageCalls.length - 1]).toMatchObject({ search_ip: '10.0', keyword: 'needle', status: 9, tag: '', start: 0 })
      expect(wrapper.findComponent({ name: 'CopyStepHosts' }).props('filters')).toEqual({ search_ip: '10.0', keyword: 'needle' })
      wrapper.unmount()
    } finally {
      vi.useRealTimers()
    }
  })
})
