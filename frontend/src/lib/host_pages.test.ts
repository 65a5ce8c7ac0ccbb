import { describe, expect, it } from 'vitest'
import type { HostResult } from '../api/generated'
import { readAllHosts, type HostPage } from './host_pages'

const host = (i: number) => ({ bk_host_id: i + 1, ip: `10.0.0.${i}`, bk_cloud_id: 0 }) as HostResult

interface Query {
  search_ip?: string
  status?: number
  batch?: number
}

// fakeFetcher pages through n hosts and records every request.
function fakeFetcher(n: number, empty = false) {
  const asked: Array<Query & { start: number; length: number }> = []
  const fetch = (req: Query & { start: number; length: number }): Promise<HostPage> => {
    asked.push(req)
    const data = empty ? [] : Array.from({ length: Math.max(0, Math.min(req.length, n - req.start)) }, (_, i) => host(req.start + i))
    return Promise.resolve({ total: n, data })
  }
  return { asked, fetch }
}

describe('readAllHosts', () => {
  it('reads 500 at a time and stops at the total', async () => {
    const f = fakeFetcher(1200)
    const hosts = await readAllHosts(f.fetch, {})
    expect(hosts).toHaveLength(1200)
    expect(hosts[1199]?.bk_host_id).toBe(1200)
    expect(f.asked.map((r) => [r.start, r.length])).toEqual([
      [0, 500],
      [500, 500],
      [1000, 500],
    ])
  })

  it('asks once when the total fits in a page, even exactly', async () => {
    const f = fakeFetcher(500)
    expect(await readAllHosts(f.fetch, {})).toHaveLength(500)
    expect(f.asked).toHaveLength(1)
    const none = fakeFetcher(0)
    expect(await readAllHosts(none.fetch, {})).toEqual([])
    expect(none.asked).toHaveLength(1)
  })

  it('stops at an empty page although the total promised more', async () => {
    const f = fakeFetcher(1200, true)
    expect(await readAllHosts(f.fetch, {})).toEqual([])
    expect(f.asked).toHaveLength(1)
  })

  it('carries the filters in every request', async () => {
    const f = fakeFetcher(700)
    await readAllHosts(f.fetch, { search_ip: '10.0', status: 4, batch: 2 }, 300)
    expect(f.asked).toEqual([
      { search_ip: '10.0', status: 4, batch: 2, start: 0, length: 300 },
      { search_ip: '10.0', status: 4, batch: 2, start: 300, length: 300 },
      { search_ip: '10.0', status: 4, batch: 2, start: 600, length: 300 },
    ])
  })
})
