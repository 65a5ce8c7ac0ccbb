import type { HostResult } from '../api/generated'

// HostCopyFormat is how a host list is copied for other tools: one host a line.
export type HostCopyFormat = 'ip' | 'cloud_ip' | 'host_id'

export function hostLines(hosts: readonly HostResult[], format: HostCopyFormat): string {
  return hosts
    .map((h) => (format === 'ip' ? h.ip : format === 'cloud_ip' ? `${h.bk_cloud_id}:${h.ip}` : String(h.bk_host_id)))
    .join('\n')
}
