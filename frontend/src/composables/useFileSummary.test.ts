import { describe, expect, it } from 'vitest'
import { nextTick, ref } from 'vue'
import type { BatchGetHostLogsRequest, BatchHostLogs, FileTaskLog, HostResult, ListStepInstanceHostsRequest, StepHostPage } from '../api/generated'
import type { StepFilters } from '../lib/step_filters'
import { useFileSummary, type FileSummaryQuery } from './useFileSummary'

// A server whose answers wait until the test releases them, in any order.
function slowServer() {
  const pages: Array<{ req: ListStepInstanceHostsRequest; answer: (p: StepHostPage) => void }> = []
  const logs: Array<{ req: BatchGetHostLogsRequest; answer: (l: BatchHostLogs) => void }> = []
  return {
    pages,
    logs,
    api: {
      listStepInstanceHosts: (req: ListStepInstanceHostsRequest) => new Promise<StepHostPage>((answer) => pages.push({ req, answer })),
      batchGetHostLogs: (req: BatchGetHostLogsRequest) => new Promise<BatchHostLogs>((answer) => logs.push({ req, answer })),
    },
  }
}
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}
const hostPage = (ids: number[], total = ids.length): StepHostPage => ({
  start: 0,
  length: ids.length,
  total,
  data: ids.map((id) => ({ bk_host_id: id }) as HostResult),
})
// logsOf: each host received `files` files, all done.
const logsOf = (ids: number[], files: number): BatchHostLogs => ({
  job_instance_id: 1,
  step_instance_id: 2,
  log_type: 2,
  file_task_logs: ids.map(
    (id): FileTaskLog => ({
      bk_host_id: id,
      file_logs: Array.from({ length: files }, () => ({ mode: 1, src_path: '/a', status: 4, log_content: '', size: '1 KB' })),
    }) as FileTaskLog,
  ),
})

function query(filters: StepFilters, group: FileSummaryQuery['group']): FileSummaryQuery {
  return { scope: { bk_scope_type: 'biz', bk_scope_id: '3' }, jobInstanceId: 1, stepInstanceId: 2, filters, group }
}

describe('useFileSummary', () => {
  it('counts the hosts of the selected group with the page filters', async () => {
    const s = slowServer()
    const q = ref(query({ search_ip: '10.0', execute_count: 1, batch: 2 }, { result_type: 4, tag: 'x', host_size: 900 }))
    const errors: unknown[] = []
    const got = useFileSummary(() => q.value, s.api, (e) => errors.push(e))
    await flush()
    expect(s.pages[0]?.req).toEqual({
      bk_scope_type: 'biz',
      bk_scope_id: '3',
      job_instance_id: 1,
      step_instance_id: 2,
      search_ip: '10.0',
      execute_count: 1,
      batch: 2,
      status: 4,
      tag: 'x',
      start: 0,
      length: 500,
    })
    s.pages[0]!.answer(hostPage([7, 8], 900))
    await flush()
    expect(s.logs[0]?.req).toMatchObject({ host_id_list: [7, 8], execute_count: 1, step_instance_id: 2 })
    s.logs[0]!.answer(logsOf([7, 8], 3))
    await flush()
    expect(got.summary.value).toMatchObject({ hosts: 2, files: 6, done: 6 })
    expect(got.partial.value).toBe(true)
    expect(got.counted.value).toBe(2)
    expect(errors).toEqual([])
  })

  it('drops the answer to a filter no longer shown', async () => {
    const s = slowServer()
    const q = ref(query({}, null))
    const got = useFileSummary(() => q.value, s.api, () => {})
    await flush()
    q.value = query({ search_ip: '10.0.0.9' }, null) // the user searched meanwhile
    await nextTick()
    await flush()
    expect(s.pages).toHaveLength(2)
    expect(s.pages[1]?.req.search_ip).toBe('10.0.0.9')
    s.pages[1]!.answer(hostPage([9]))
    await flush()
    s.logs[0]!.answer(logsOf([9], 1))
    await flush()
    s.pages[0]!.answer(hostPage([1, 2, 3])) // the old search answers last
    await flush()
    expect(s.logs).toHaveLength(1) // it asked nothing more
    expect(got.summary.value).toMatchObject({ hosts: 1, files: 1 })
  })

  it('shows nothing for an empty group and asks nothing', async () => {
    const s = slowServer()
    const got = useFileSummary(() => query({}, { result_type: 4, tag: '', host_size: 0 }), s.api, () => {})
    await flush()
    expect(s.pages).toHaveLength(0)
    expect(got.summary.value).toBeNull()
  })
})
