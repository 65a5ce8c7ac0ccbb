import { ref, watch } from 'vue'
import type { BatchGetHostLogsRequest, BatchHostLogs, ListStepInstanceHostsRequest, StepHostPage } from '../api/generated'
import { fileSummary, type FileSummary } from '../lib/file_logs'
import { maxHostPage } from '../lib/host_pages'
import { sequence } from '../lib/sequence'
import { groupQuery, type StepFilters } from '../lib/step_filters'

// FileSummaryQuery is what the task page shows of a file step: the step,
// its filters and the selected result group (null: every host).
export interface FileSummaryQuery {
  scope: { bk_scope_type: string; bk_scope_id: string }
  jobInstanceId: number
  stepInstanceId: number
  filters: StepFilters
  group: { result_type: number; tag: string; host_size: number } | null
}

export interface FileSummaryApi {
  listStepInstanceHosts(req: ListStepInstanceHostsRequest): Promise<StepHostPage>
  batchGetHostLogs(req: BatchGetHostLogsRequest): Promise<BatchHostLogs>
}

// useFileSummary counts a file step's transfers (done, failed, in progress,
// size) over the hosts the page shows: the selected group with the page's
// filters, its first 500 hosts (batch_get_job_instance_ip_log takes at most
// 500 hosts a call). It reads again whenever query() gives a new value (the
// page hands new groups on every refresh while the step runs); an answer to
// an older query is dropped, so a slow one cannot overwrite the current.
export function useFileSummary(query: () => FileSummaryQuery | null, api: FileSummaryApi, report: (e: unknown) => void) {
  const summary = ref<FileSummary | null>(null)
  const counted = ref(0) // hosts counted
  const partial = ref(false) // the group has more hosts than were counted
  const seq = sequence()

  async function load(q: FileSummaryQuery | null) {
    const current = seq.next()
    if (!q || (q.group && q.group.host_size === 0)) {
      summary.value = null
      return
    }
    try {
      const page = await api.listStepInstanceHosts({
        ...q.scope,
        job_instance_id: q.jobInstanceId,
        step_instance_id: q.stepInstanceId,
        ...q.filters,
        ...groupQuery(q.group),
        start: 0,
        length: maxHostPage,
      })
      if (!current()) return
      const ids = (page.data ?? []).map((h) => h.bk_host_id)
      if (ids.length === 0) {
        summary.value = null
        return
      }
      const got = await api.batchGetHostLogs({
        ...q.scope,
        job_instance_id: q.jobInstanceId,
        step_instance_id: q.stepInstanceId,
        ...(q.filters.execute_count !== undefined ? { execute_count: q.filters.execute_count } : {}),
        host_id_list: ids,
      })
      if (!current()) return
      summary.value = fileSummary(got.file_task_logs)
      counted.value = ids.length
      partial.value = page.total > ids.length
    } catch (e) {
      if (current()) report(e)
    }
  }

  watch(query, load, { immediate: true })
  return { summary, counted, partial }
}
