import type { BizHost, CheckHostsRequest, HostCheck } from '../api/generated'
import { hostCount, parseHostToken, type ParsedHostList } from './host_list'

// The host selector edits the operator's text, never a hidden list: what
// is picked from the business's hosts is appended as `cloud:IP` lines, and
// removing hosts takes their tokens out of the text, keeping the rest as
// it was typed. Hosts are matched by key: `#<host id>` or `<cloud>:<ip>`.

// maxCheckHosts is check_hosts' limit (manage.MaxCheckHosts).
export const maxCheckHosts = 20000

const separatorsKept = /([\s,;|，；、]+)/

// tokenKey is the key of a pasted token, null when it names no host.
export function tokenKey(token: string): string | null {
  const host = parseHostToken(token)
  if (host === null) return null
  return typeof host === 'number' ? `#${host}` : `${host.bk_cloud_id}:${host.ip}`
}

// hostKeys are the two keys a host of the business can be named by.
export function hostKeys(h: Pick<BizHost, 'bk_host_id' | 'bk_cloud_id' | 'ip'>): [string, string] {
  return [`#${h.bk_host_id}`, `${h.bk_cloud_id}:${h.ip}`]
}

// namedKeys is every key a parsed list names.
export function namedKeys(list: ParsedHostList): Set<string> {
  const keys = new Set<string>()
  for (const id of list.hostIds) keys.add(`#${id}`)
  for (const ip of list.ips) keys.add(`${ip.bk_cloud_id}:${ip.ip}`)
  return keys
}

// isNamed says whether a list's keys name the host, by id or by address.
export function isNamed(keys: Set<string>, h: BizHost): boolean {
  return hostKeys(h).some((k) => keys.has(k))
}

// removeTokens drops the tokens whose key drop() accepts, each with the
// separator after it; everything else stays as typed.
export function removeTokens(text: string, drop: (key: string) => boolean): string {
  const parts = text.split(separatorsKept)
  let out = ''
  for (let i = 0; i < parts.length; i += 2) {
    const token = parts[i] ?? ''
    const sep = parts[i + 1] ?? ''
    const key = token ? tokenKey(token) : null
    if (key !== null && drop(key)) continue
    out += token + sep
  }
  return out
}

// addHosts appends the hosts the text does not name yet, one `cloud:IP`
// per line.
export function addHosts(text: string, named: Set<string>, hosts: BizHost[]): string {
  const lines: string[] = []
  const added = new Set<string>()
  for (const h of hosts) {
    const [idKey, ipKey] = hostKeys(h)
    if (named.has(idKey) || named.has(ipKey) || added.has(ipKey)) continue
    added.add(ipKey)
    lines.push(ipKey)
  }
  if (!lines.length) return text
  if (!text.trim()) return lines.join('\n')
  return text + (text.endsWith('\n') ? '' : '\n') + lines.join('\n')
}

// removeHosts takes every token naming one of the hosts out of the text.
export function removeHosts(text: string, hosts: BizHost[]): string {
  const drop = new Set(hosts.flatMap(hostKeys))
  return removeTokens(text, (k) => drop.has(k))
}

// checkRequest is a parsed list as check_hosts' lists; null when there is
// nothing to check or more than the server checks at once.
export function checkRequest(list: ParsedHostList): Pick<CheckHostsRequest, 'host_id_list' | 'ip_list'> | null {
  const n = hostCount(list)
  if (n === 0 || n > maxCheckHosts) return null
  return { host_id_list: list.hostIds, ip_list: list.ips }
}

// CheckFindings is what a check says of the list as it is now: its unknown
// entries (as the operator would write them) and its offline hosts. Hosts
// added after the check are not judged until the next one.
export interface CheckFindings {
  unknown: string[]
  unknownKeys: Set<string>
  offline: BizHost[]
  offlineKeys: Set<string>
}

export function checkFindings(check: HostCheck | null, list: ParsedHostList): CheckFindings {
  const found: CheckFindings = { unknown: [], unknownKeys: new Set(), offline: [], offlineKeys: new Set() }
  if (!check) return found
  const unknown = new Set<string>()
  for (const id of check.unknown_host_id_list ?? []) unknown.add(`#${id}`)
  for (const ip of check.unknown_ip_list ?? []) unknown.add(`${ip.bk_cloud_id}:${ip.ip}`)
  for (const id of list.hostIds) {
    if (unknown.has(`#${id}`)) {
      found.unknown.push(String(id))
      found.unknownKeys.add(`#${id}`)
    }
  }
  for (const ip of list.ips) {
    const key = `${ip.bk_cloud_id}:${ip.ip}`
    if (unknown.has(key)) {
      found.unknown.push(ip.bk_cloud_id === 0 ? ip.ip : key)
      found.unknownKeys.add(key)
    }
  }
  const named = namedKeys(list)
  for (const h of check.offline_host_list ?? []) {
    if (!isNamed(named, h)) continue
    found.offline.push(h)
    for (const k of hostKeys(h)) found.offlineKeys.add(k)
  }
  return found
}

// hostLabel is how a host reads in a list: cloud:IP, then its name.
export function hostLabel(h: BizHost): string {
  return h.hostname ? `${h.bk_cloud_id}:${h.ip} (${h.hostname})` : `${h.bk_cloud_id}:${h.ip}`
}
