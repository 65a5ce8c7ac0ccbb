import type { HostResult, ResultGroup } from '../api/generated'

// groupKey names a result group (status + tag) across refreshes.
export function groupKey(g: Pick<ResultGroup, 'result_type' | 'tag'>): string {
  return `${g.result_type}/${g.tag}`
}

// pickGroup keeps the selected group while it still exists, else takes the
// first group with a failure in it, else the first.
export function pickGroup(groups: readonly ResultGroup[], current: string | null): ResultGroup | null {
  if (current) {
    const same = groups.find((g) => groupKey(g) === current)
    if (same) return same
  }
  return groups.find((g) => g.result_type !== 9 && g.result_type !== 5 && g.result_type !== 7 && g.result_type !== 3) ?? groups[0] ?? null
}

// pickHost keeps the selected host while it is in the group, else the first.
export function pickHost(hosts: readonly HostResult[], current: number | null): HostResult | null {
  return hosts.find((h) => h.bk_host_id === current) ?? hosts[0] ?? null
}
