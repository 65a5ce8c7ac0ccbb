import { describe, expect, it } from 'vitest'
import { groupQuery, hasLogSearch, stepFilters } from './step_filters'

const none = { searchIP: '', keyword: '', keywordSearch: true, attempt: null, batch: null }

describe('step filters', () => {
  it('leaves out what is not in force', () => {
    expect(stepFilters(none)).toEqual({})
    expect(stepFilters({ ...none, searchIP: '  ', keyword: ' ', batch: 0 })).toEqual({})
  })

  it('carries every filter in force, trimmed', () => {
    expect(stepFilters({ searchIP: ' 10.0.0.1 ', keyword: ' needle ', keywordSearch: true, attempt: 0, batch: 2 })).toEqual({
      search_ip: '10.0.0.1',
      keyword: 'needle',
      execute_count: 0,
      batch: 2,
    })
  })

  it('drops the log keyword on a step without logs to search', () => {
    expect(stepFilters({ ...none, keyword: 'needle', keywordSearch: false })).toEqual({})
    expect([1, 2, 3, 4, undefined].map(hasLogSearch)).toEqual([true, false, false, true, true])
  })

  it('names a group by status and tag, or every host', () => {
    expect(groupQuery({ result_type: 4, tag: '' })).toEqual({ status: 4, tag: '' })
    expect(groupQuery({ result_type: 9, tag: 'a' })).toEqual({ status: 9, tag: 'a' })
    expect(groupQuery(null)).toEqual({})
  })
})
