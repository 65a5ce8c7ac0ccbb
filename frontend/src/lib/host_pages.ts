import type { HostResult } from '../api/generated'

// A page of a step's hosts as list_step_instance_hosts answers it.
export interface HostPage {
  total: number
  data: HostResult[] | null
}

// The largest page the server gives (execute.MaxStepHostPage).
export const maxHostPage = 500

// HostPageFetcher asks for one page: the query as given, with start and
// length added.
export type HostPageFetcher<Q> = (req: Q & { start: number; length: number }) => Promise<HostPage>

// readAllHosts reads every host the query matches (copying a step's or a
// group's hosts), pageSize a request, each request carrying the query's
// filters. It stops at the total the server gives, or at an empty page (the
// hosts changed under it; what was read is returned).
export async function readAllHosts<Q extends object>(fetch: HostPageFetcher<Q>, query: Q, pageSize = maxHostPage): Promise<HostResult[]> {
  const out: HostResult[] = []
  for (let start = 0; ; start += pageSize) {
    const got = await fetch({ ...query, start, length: pageSize })
    const data = got.data ?? []
    out.push(...data)
    if (data.length === 0 || start + pageSize >= got.total) return out
  }
}
