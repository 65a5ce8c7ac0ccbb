import { describe, expect, it } from 'vitest'
import type { Agent, ResultGroup } from '../api/generated'
import { countAgents } from './agent_summary'
import { ansiLines, applySGR, stripAnsi } from './ansi'
import { activeItem, menuGroups, visibleGroups } from './menu'
import { groupKey, pickGroup, pickHost } from './result_groups'
import { hostStatusTone, runStatusTone } from './status'
import { hostCounts, stepOperations } from './step_operations'
import { hostLines } from './host_copy'

function group(result_type: number, tag = '', hosts: number[] = []): ResultGroup {
  return {
    result_type,
    result_type_desc: '',
    tag,
    host_size: hosts.length,
    host_result_list: hosts.map((id) => ({
      bk_host_id: id, ip: '', bk_cloud_id: 0, bk_cloud_name: '', status: result_type, status_desc: '', tag, exit_code: 0, error_code: 0, start_time: 0, end_time: 0, total_time: 0,
    })),
  }
}

function agent(a: Partial<Agent>): Agent {
  return { bk_agent_id: 'a', bk_host_id: 1, bk_biz_id: 1, bk_cloud_id: 0, ip: '', enrolled_at: 0, confirmed_at: 0, last_seen: 0, alive: false, revoked: false, ...a }
}

describe('left menu', () => {
  it('shows only groups with pages, never a dead link', () => {
    const shown = visibleGroups(menuGroups, false)
    expect(shown.map((g) => g.key)).toEqual(['overview', 'quick', 'orchestration', 'resources', 'platform'])
    expect(shown.find((g) => g.key === 'resources')?.items.map((i) => i.route)).toEqual(['scriptManage', 'accountManage', 'ticketManage'])
    // Public scripts are read-only for others, but readable.
    expect(shown.find((g) => g.key === 'platform')?.items.map((i) => i.route)).toEqual(['publicScriptManage'])
    expect(visibleGroups(menuGroups, true).map((g) => g.key)).toEqual(['overview', 'quick', 'orchestration', 'resources', 'platform'])
    expect(shown.every((g) => g.items.length > 0)).toBe(true)
  })
  it('hides admin items from others', () => {
    const groups = [{ key: 'platform', label: '', items: [{ route: 'status', label: '', admin: true }] }]
    expect(visibleGroups(groups, false)).toEqual([])
    expect(visibleGroups(groups, true)).toHaveLength(1)
  })
  it('marks the history while a task is open', () => {
    expect(activeItem('task')).toBe('history')
    expect(activeItem('home')).toBe('home')
    expect(activeItem('scriptDetail')).toBe('scriptManage')
  })
})

describe('result groups', () => {
  const groups = [group(9, '', [1, 2]), group(104, 'exit 1', [3]), group(5, '', [4])]
  it('opens on the first failed group, then keeps the chosen one', () => {
    expect(groupKey(pickGroup(groups, null)!)).toBe('104/exit 1')
    expect(groupKey(pickGroup(groups, '9/')!)).toBe('9/')
    expect(groupKey(pickGroup(groups, 'gone')!)).toBe('104/exit 1')
    expect(pickGroup([], null)).toBeNull()
    expect(groupKey(pickGroup([group(9), group(5)], null)!)).toBe('9/')
  })
  it('keeps the selected host while it is in the group', () => {
    const hosts = groups[0]!.host_result_list!
    expect(pickHost(hosts, 2)?.bk_host_id).toBe(2)
    expect(pickHost(hosts, 99)?.bk_host_id).toBe(1)
    expect(pickHost([], 1)).toBeNull()
  })
})

describe('agent summary', () => {
  it('counts online, offline, never seen and revoked apart', () => {
    expect(
      countAgents([agent({ alive: true }), agent({ last_seen: 5 }), agent({}), agent({ revoked: true, alive: true })]),
    ).toEqual({ online: 1, offline: 1, neverSeen: 1, revoked: 1 })
  })
})

describe('status look and logs', () => {
  it('gives bk-job statuses their colours', () => {
    expect(runStatusTone(3)).toBe('success')
    expect(runStatusTone(4)).toBe('error')
    expect(runStatusTone(2)).toBe('info')
    expect(runStatusTone(7)).toBe('warning')
    expect(runStatusTone(8)).toBe('dark')
    expect(hostStatusTone(9)).toBe('success')
    expect(hostStatusTone(104)).toBe('error')
  })
  it('strips terminal escapes from logs', () => {
    expect(stripAnsi('\u001b[31mred\u001b[0m and \u001b[1;32mbold\u001b[m\u001b]0;title\u0007\u001b[2K')).toBe('red and bold')
  })
  it('turns colour escapes into styled segments per line', () => {
    expect(ansiLines('a\u001b[1;31mred\nstill\u001b[0m b\n\u001b[38;5;12mx\u001b[39;44my\u001b[38;2;1;2;3mz')).toEqual([
      [{ text: 'a' }, { text: 'red', bold: true, fg: 1 }],
      [{ text: 'still', bold: true, fg: 1 }, { text: ' b' }],
      [{ text: 'x', fg: 12 }, { text: 'y', bg: 4 }, { text: 'z', bg: 4 }],
    ])
    expect(applySGR({ fg: 1 }, '')).toEqual({})
    expect(applySGR({}, '95;101')).toEqual({ fg: 13, bg: 9 })
  })
})

describe('step operations', () => {
  it('offers what the engine allows in each state, on the current step only', () => {
    const codes = (status: number, current = true, rolling = false) => stepOperations(status, current, rolling).map((o) => o.code)
    expect(codes(4)).toEqual([2, 8, 3])
    expect(codes(11)).toEqual([2, 8, 11])
    expect(codes(8)).toEqual([])
    expect(codes(10)).toEqual([12])
    expect(codes(7, true, true)).toEqual([13])
    expect(codes(7)).toEqual([])
    expect(codes(3)).toEqual([])
    expect(codes(4, false)).toEqual([])
  })
  it('counts all hosts and those that did not succeed', () => {
    expect(hostCounts([group(9, '', [1, 2]), group(104, '', [3]), group(11, '', [4, 5])])).toEqual({ all: 5, failed: 3 })
  })
})

describe('copying hosts', () => {
  it('writes one host a line as IP, cloud:IP or host id', () => {
    const hosts = [
      { ...group(9, '', [7]).host_result_list![0]!, ip: '10.0.0.1', bk_cloud_id: 2 },
      { ...group(9, '', [8]).host_result_list![0]!, ip: '10.0.0.2' },
    ]
    expect(hostLines(hosts, 'ip')).toBe('10.0.0.1\n10.0.0.2')
    expect(hostLines(hosts, 'cloud_ip')).toBe('2:10.0.0.1\n0:10.0.0.2')
    expect(hostLines(hosts, 'host_id')).toBe('7\n8')
  })
})
