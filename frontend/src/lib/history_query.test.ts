import { describe, expect, it } from 'vitest'
import { filtersFromQuery, filtersToQuery, listRequest } from './history_query'

const now = 1_700_000_000_000
const scope = { bk_scope_type: 'biz', bk_scope_id: '1' }

describe('execution history filters in the URL', () => {
  it('defaults to the last 7 days, page 1 of 20', () => {
    const f = filtersFromQuery({}, now)
    expect(f.to - f.from).toBe(7 * 24 * 3600 * 1000)
    expect(f.page).toBe(1)
    expect(f.pageSize).toBe(20)
    expect(f.status).toBeNull()
  })

  it('round-trips every filter through the query', () => {
    const q = { from: '1', to: '2', name: 'deploy', operator: 'alice', status: '4', type: '1', launch_mode: '2', ip: '10.0.0.1', id: '9', page: '3', size: '50' }
    const f = filtersFromQuery(q, now)
    expect(filtersToQuery(f)).toEqual(q)
  })

  it('ignores values that are not numbers and page sizes it does not offer', () => {
    const f = filtersFromQuery({ status: 'x', page: '-2', size: '7', name: ['a'] }, now)
    expect(f.status).toBeNull()
    expect(f.page).toBe(1)
    expect(f.pageSize).toBe(20)
    expect(f.name).toBe('')
  })

  it('asks the server for one page with the filters set', () => {
    const f = filtersFromQuery({ from: '10', to: '20', status: '3', page: '2', size: '50', ip: '1.2.3.4' }, now)
    expect(listRequest(f, scope)).toEqual({ ...scope, create_time_start: 10, create_time_end: 20, start: 50, length: 50, status: 3, ip: '1.2.3.4' })
  })
})
