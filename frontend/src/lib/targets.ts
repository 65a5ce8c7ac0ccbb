import type { Server } from '../api/generated'
import type { ParsedHostList } from './host_list'

// targetServer is the request's target_server for pasted hosts: addresses
// as ip_list, host ids as host_id_list, each only when present.
export function targetServer(hosts: ParsedHostList): Server {
  return {
    ...(hosts.ips.length ? { ip_list: hosts.ips } : {}),
    ...(hosts.hostIds.length ? { host_id_list: hosts.hostIds } : {}),
  }
}
