import type { GetJobInstanceListRequest } from '../api/generated'

// HistoryFilters are the execution history's filters, kept in the URL's
// query so a view can be shared.
export interface HistoryFilters {
  from: number // Unix ms
  to: number
  name: string
  operator: string
  status: number | null
  type: number | null
  launchMode: number | null
  ip: string
  taskId: number | null
  page: number // 1-based
  pageSize: number
}

type Query = Record<string, unknown>

const dayMs = 24 * 3600 * 1000
export const pageSizes = [20, 50, 100]

function text(q: Query, k: string): string {
  const v = q[k]
  return typeof v === 'string' ? v : ''
}
function int(q: Query, k: string): number | null {
  const v = text(q, k)
  return /^\d+$/.test(v) ? Number(v) : null
}

// filtersFromQuery reads the filters from a route query; a missing time
// range is the last 7 days up to now.
export function filtersFromQuery(q: Query, now: number): HistoryFilters {
  const size = int(q, 'size')
  return {
    from: int(q, 'from') ?? now - 7 * dayMs,
    to: int(q, 'to') ?? now,
    name: text(q, 'name'),
    operator: text(q, 'operator'),
    status: int(q, 'status'),
    type: int(q, 'type'),
    launchMode: int(q, 'launch_mode'),
    ip: text(q, 'ip'),
    taskId: int(q, 'id'),
    page: Math.max(1, int(q, 'page') ?? 1),
    pageSize: size !== null && pageSizes.includes(size) ? size : pageSizes[0]!,
  }
}

// filtersToQuery writes the filters as a route query, leaving defaults out
// (the time range is always written, so a shared link shows the same rows).
export function filtersToQuery(f: HistoryFilters): Record<string, string> {
  const q: Record<string, string> = { from: String(f.from), to: String(f.to) }
  if (f.name) q.name = f.name
  if (f.operator) q.operator = f.operator
  if (f.status !== null) q.status = String(f.status)
  if (f.type !== null) q.type = String(f.type)
  if (f.launchMode !== null) q.launch_mode = String(f.launchMode)
  if (f.ip) q.ip = f.ip
  if (f.taskId !== null) q.id = String(f.taskId)
  if (f.page > 1) q.page = String(f.page)
  if (f.pageSize !== pageSizes[0]) q.size = String(f.pageSize)
  return q
}

// listRequest is get_job_instance_list's request for the filters.
export function listRequest(f: HistoryFilters, scope: { bk_scope_type: string; bk_scope_id: string }): GetJobInstanceListRequest {
  const req: GetJobInstanceListRequest = {
    ...scope,
    create_time_start: f.from,
    create_time_end: f.to,
    start: (f.page - 1) * f.pageSize,
    length: f.pageSize,
  }
  if (f.name) req.name = f.name
  if (f.operator) req.operator = f.operator
  if (f.status !== null) req.status = f.status
  if (f.type !== null) req.type = f.type
  if (f.launchMode !== null) req.launch_mode = f.launchMode
  if (f.ip) req.ip = f.ip
  if (f.taskId !== null) req.job_instance_id = f.taskId
  return req
}
