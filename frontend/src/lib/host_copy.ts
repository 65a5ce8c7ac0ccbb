import type { HostResult, ResultGroup } from '../api/generated'

// HostCopyFormat is how a host list is copied for other tools: one host a line.
export type HostCopyFormat = 'ip' | 'cloud_ip' | 'host_id'

export function hostLines(hosts: readonly HostResult[], format: HostCopyFormat): string {
  return hosts
    .map((h) => (format === 'ip' ? h.ip : format === 'cloud_ip' ? `${h.bk_cloud_id}:${h.ip}` : String(h.bk_host_id)))
    .join('\n')
}

// stepHostLines copies every host of a step, whatever its group, once each
// (a host is in one group per run; a repeated id would paste twice).
export function stepHostLines(groups: readonly ResultGroup[], format: HostCopyFormat): { text: string; count: number } {
  const seen = new Set<number>()
  const hosts: HostResult[] = []
  for (const g of groups) {
    for (const h of g.host_result_list ?? []) {
      if (seen.has(h.bk_host_id)) continue
      seen.add(h.bk_host_id)
      hosts.push(h)
    }
  }
  return { text: hostLines(hosts, format), count: hosts.length }
}
