import type { IP } from '../api/generated'

// ParsedHostList is what an operator pasted into a target box: addresses
// (`cloud:IP` or a plain IP in cloud 0), host ids (plain integers), and the
// tokens that are neither, so the form can say what to fix.
export interface ParsedHostList {
  ips: IP[]
  hostIds: number[]
  invalid: string[]
}

export const separators = /[\s,;|，；、]+/

// parseHostList reads one host per token; tokens are separated by
// whitespace, commas, semicolons or bars (as bk-job's manual input takes
// them). Repeats are kept once, in the order first seen.
export function parseHostList(text: string): ParsedHostList {
  const out: ParsedHostList = { ips: [], hostIds: [], invalid: [] }
  const seenIPs = new Set<string>()
  const seenIds = new Set<number>()
  const seenInvalid = new Set<string>()
  for (const token of text.split(separators)) {
    if (!token) continue
    const host = parseHostToken(token)
    if (host === null) {
      // A set, not out.invalid.includes: pasting thousands of bad lines
      // must not cost their square.
      if (!seenInvalid.has(token)) out.invalid.push(token)
      seenInvalid.add(token)
    } else if (typeof host === 'number') {
      if (!seenIds.has(host)) out.hostIds.push(host)
      seenIds.add(host)
    } else {
      const key = `${host.bk_cloud_id}:${host.ip}`
      if (!seenIPs.has(key)) out.ips.push(host)
      seenIPs.add(key)
    }
  }
  return out
}

// parseHostToken reads `cloud:IP`, `IP` or a host id; null when it is none.
export function parseHostToken(token: string): IP | number | null {
  const withCloud = /^(\d{1,9}):(.+)$/.exec(token)
  if (withCloud) {
    const ip = withCloud[2] as string
    return isIPv4(ip) ? { bk_cloud_id: Number(withCloud[1]), ip } : null
  }
  if (isIPv4(token)) return { bk_cloud_id: 0, ip: token }
  if (/^[1-9]\d{0,17}$/.test(token)) return Number(token)
  return null
}

export function isIPv4(s: string): boolean {
  const parts = s.split('.')
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)
}

// hostCount is how many distinct hosts a parsed list names.
export function hostCount(list: ParsedHostList): number {
  return list.ips.length + list.hostIds.length
}
