import { describe, expect, it } from 'vitest'
import type { BizHost, HostCheck } from '../api/generated'
import { hostAgentTone } from './agent_state'
import { parseHostList } from './host_list'
import {
  addHosts,
  checkFindings,
  checkRequest,
  hostLabel,
  isNamed,
  maxCheckHosts,
  namedKeys,
  removeHosts,
  removeTokens,
  tokenKey,
} from './host_selection'

function host(id: number, ip: string, more: Partial<BizHost> = {}): BizHost {
  return { bk_host_id: id, bk_cloud_id: 0, ip, hostname: '', os: '', transport: 'agent', agent_status: 'online', last_seen: 0, ...more }
}

describe('host selection', () => {
  it('keys tokens the way the server names hosts', () => {
    expect(tokenKey('10.0.0.1')).toBe('0:10.0.0.1')
    expect(tokenKey('0:10.0.0.1')).toBe('0:10.0.0.1')
    expect(tokenKey('2:10.0.0.1')).toBe('2:10.0.0.1')
    expect(tokenKey('42')).toBe('#42')
    expect(tokenKey('web-01')).toBeNull()
  })

  it('knows a host named by id or by address', () => {
    const keys = namedKeys(parseHostList('7\n1:10.0.0.2'))
    expect(isNamed(keys, host(7, '10.9.9.9'))).toBe(true)
    expect(isNamed(keys, host(8, '10.0.0.2', { bk_cloud_id: 1 }))).toBe(true)
    expect(isNamed(keys, host(8, '10.0.0.2'))).toBe(false)
  })

  it('appends picked hosts as cloud:IP lines, skipping those already named', () => {
    const text = '10.0.0.1, 7'
    const named = namedKeys(parseHostList(text))
    const got = addHosts(text, named, [host(1, '10.0.0.1'), host(7, '10.0.0.7'), host(3, '10.0.0.3', { bk_cloud_id: 2 }), host(3, '10.0.0.3', { bk_cloud_id: 2 })])
    expect(got).toBe('10.0.0.1, 7\n2:10.0.0.3')
    expect(addHosts('', new Set(), [host(1, '10.0.0.1')])).toBe('0:10.0.0.1')
    expect(addHosts('a\n', new Set(), [host(1, '10.0.0.1')])).toBe('a\n0:10.0.0.1')
    expect(addHosts(text, named, [])).toBe(text)
  })

  it('removes hosts by any of their names and keeps the rest as typed', () => {
    const text = '10.0.0.1, 0:10.0.0.2; 7\nnot-a-host\n10.0.0.3'
    expect(removeHosts(text, [host(7, '10.0.0.7'), host(2, '10.0.0.2')])).toBe('10.0.0.1, not-a-host\n10.0.0.3')
    expect(removeHosts(text, [host(3, '10.0.0.3')])).toBe('10.0.0.1, 0:10.0.0.2; 7\nnot-a-host\n')
    expect(removeTokens('\n10.0.0.1\n\n10.0.0.2', (k) => k === '0:10.0.0.1')).toBe('\n10.0.0.2')
    expect(removeTokens(text, () => false)).toBe(text)
  })

  it('checks up to the server limit in one request', () => {
    expect(checkRequest(parseHostList(''))).toBeNull()
    expect(checkRequest(parseHostList('7 10.0.0.1 junk'))).toEqual({ host_id_list: [7], ip_list: [{ bk_cloud_id: 0, ip: '10.0.0.1' }] })
    const many = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1)).join('\n')
    expect(checkRequest(parseHostList(many(maxCheckHosts)))?.host_id_list).toHaveLength(maxCheckHosts)
    expect(checkRequest(parseHostList(many(maxCheckHosts + 1)))).toBeNull()
  })

  it('reads a check against the list as it is now', () => {
    const check: HostCheck = {
      checked: 5,
      known: 2,
      unknown_host_id_list: [99],
      unknown_ip_list: [{ bk_cloud_id: 0, ip: '10.9.9.9' }, { bk_cloud_id: 3, ip: '10.0.0.5' }],
      offline_host_list: [host(4, '10.0.0.4', { agent_status: 'offline' }), host(6, '10.0.0.6', { agent_status: 'never_seen' })],
    }
    // 10.0.0.6 was taken out after the check; 10.0.0.8 came after it.
    const list = parseHostList('99\n10.9.9.9\n3:10.0.0.5\n4\n10.0.0.8')
    const found = checkFindings(check, list)
    expect(found.unknown).toEqual(['99', '10.9.9.9', '3:10.0.0.5'])
    expect(found.offline.map((h) => h.bk_host_id)).toEqual([4])
    expect(removeTokens('99\n10.9.9.9\n3:10.0.0.5\n4\n10.0.0.8', (k) => found.unknownKeys.has(k) || found.offlineKeys.has(k))).toBe('10.0.0.8')
    expect(checkFindings(null, list).unknown).toEqual([])
  })

  it('labels hosts and colours agent states (beside their word)', () => {
    expect(hostLabel(host(1, '10.0.0.1', { hostname: 'web-01' }))).toBe('0:10.0.0.1 (web-01)')
    expect(hostLabel(host(1, '10.0.0.1'))).toBe('0:10.0.0.1')
    expect(['online', 'offline', 'never_seen', 'agentless', 'unknown'].map(hostAgentTone)).toEqual(['success', 'error', 'default', 'info', 'default'])
  })
})
