import type { ResultGroup } from '../api/generated'
import { batchQuery } from './rolling_batches'

// StepFilters are the task page's filters as the step endpoints take them
// (get_step_instance_status, list_step_instance_hosts): every request the
// page makes about the step's hosts (the counts, the table's pages, the
// file summary, copying hosts) carries the same ones.
export interface StepFilters {
  search_ip?: string
  keyword?: string
  execute_count?: number
  batch?: number
}

export interface StepFilterInput {
  searchIP: string // as applied (after the typing pause)
  keyword: string
  keywordSearch: boolean // log keyword search: script and SQL steps only
  attempt: number | null // the execute count shown; null: the latest
  batch: number | null // the rolling batch shown; null or 0: all
}

// stepFilters keeps only the filters in force: blank text, the latest
// attempt and "all batches" are left out, as the server's defaults.
export function stepFilters(f: StepFilterInput): StepFilters {
  const ip = f.searchIP.trim()
  const keyword = f.keyword.trim()
  return {
    ...(ip ? { search_ip: ip } : {}),
    ...(keyword && f.keywordSearch ? { keyword } : {}),
    ...(f.attempt !== null ? { execute_count: f.attempt } : {}),
    ...batchQuery(f.batch),
  }
}

// groupQuery names one result group (status + tag; "" is the group
// without a tag); none means every host of the step.
export function groupQuery(g: Pick<ResultGroup, 'result_type' | 'tag'> | null): { status?: number; tag?: string } {
  return g ? { status: g.result_type, tag: g.tag } : {}
}

// Script and SQL steps (step types 1 and 4) have logs to search by keyword.
export function hasLogSearch(stepType: number | undefined): boolean {
  return stepType === undefined || stepType === 1 || stepType === 4
}
