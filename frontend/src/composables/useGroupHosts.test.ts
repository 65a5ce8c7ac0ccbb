import { describe, expect, it } from 'vitest'
import type { HostResult } from '../api/generated'
import { useGroupHosts, type HostPage } from './useGroupHosts'

function host(i: number): HostResult {
  return { bk_host_id: i + 1, ip: `10.0.${Math.floor(i / 250)}.${i % 250}`, bk_cloud_id: 0, bk_cloud_name: '', status: 9 } as HostResult
}

// fakeServer pages through n hosts and records what was asked.
function fakeServer(n: number) {
  const calls: Array<[number, number]> = []
  const server = {
    n,
    calls,
    fetch: (start: number, length: number): Promise<HostPage> => {
      calls.push([start, length])
      const data = Array.from({ length: Math.max(0, Math.min(length, server.n - start)) }, (_, i) => host(start + i))
      return Promise.resolve({ total: server.n, data })
    },
  }
  return server
}

describe('useGroupHosts', () => {
  it('loads the first page only, with a slot for every host', async () => {
    const s = fakeServer(250)
    const g = useGroupHosts(s.fetch, 100)
    await g.reset()
    expect(s.calls).toEqual([[0, 100]])
    expect(g.total.value).toBe(250)
    expect(g.rows.value).toHaveLength(250)
    expect(g.rows.value[99]?.bk_host_id).toBe(100)
    expect(g.rows.value[100]).toBeNull()
  })

  it('loads the pages scrolled to, each once', async () => {
    const s = fakeServer(250)
    const g = useGroupHosts(s.fetch, 100)
    await g.reset()
    await Promise.all([g.show(180, 210), g.show(190, 220)])
    expect(s.calls).toEqual([
      [0, 100],
      [100, 100],
      [200, 100],
    ])
    expect(g.rows.value.every((h) => h !== null)).toBe(true)
    await g.show(0, 30)
    expect(s.calls).toHaveLength(3)
  })

  it('refreshes the pages on screen only', async () => {
    const s = fakeServer(250)
    const g = useGroupHosts(s.fetch, 100)
    await g.reset()
    await g.show(150, 170)
    s.calls.length = 0
    await g.refresh()
    expect(s.calls).toEqual([[100, 100]])
    expect(g.rows.value[0]).toBeNull()
    expect(g.rows.value[150]?.bk_host_id).toBe(151)
  })

  it('follows a changed total and drops pages that no longer line up', async () => {
    const s = fakeServer(250)
    const g = useGroupHosts(s.fetch, 100)
    await g.reset()
    s.n = 120
    await g.show(110, 115)
    expect(g.total.value).toBe(120)
    expect(g.rows.value).toHaveLength(120)
    expect(g.rows.value[0]).toBeNull()
    expect(g.rows.value[110]?.bk_host_id).toBe(111)
  })

  it('ignores an answer for a group no longer shown', async () => {
    let release: (p: HostPage) => void = () => {}
    let first = true
    const g = useGroupHosts((start) => {
      if (first) {
        first = false
        return new Promise<HostPage>((r) => (release = r))
      }
      return Promise.resolve({ total: 1, data: [host(start + 7)] })
    }, 100)
    const old = g.reset()
    await g.reset()
    release({ total: 5, data: [host(0)] })
    await old
    expect(g.total.value).toBe(1)
    expect(g.rows.value[0]?.bk_host_id).toBe(8)
  })

  it('finds a host, loading its page', async () => {
    const s = fakeServer(1200)
    const g = useGroupHosts(s.fetch, 100)
    await g.reset()
    expect((await g.at(650))?.bk_host_id).toBe(651)
    expect(g.indexOf(651)).toBe(650)
    expect(await g.at(1200)).toBeNull()
  })
})
