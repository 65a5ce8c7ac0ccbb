import { describe, expect, it } from 'vitest'
import { taskColumns, taskColumnsMinWidth } from './task_columns'

const t = (key: string) => key

describe('task columns', () => {
  it('fits the home card without scrolling at a laptop width, the history wider', () => {
    // The home card is about 700 px wide at 1366 px (two thirds of the page
    // beside the menu): the duration column must not be cut off.
    expect(taskColumnsMinWidth(false)).toBeLessThanOrEqual(690)
    expect(taskColumnsMinWidth(true)).toBeGreaterThan(taskColumnsMinWidth(false))
    const keys = (wide: boolean) => taskColumns(t, 'en', wide).map((c) => ('key' in c ? c.key : ''))
    expect(keys(false)).toEqual(['id', 'name', 'status', 'operator', 'create_time', 'total_time'])
    expect(keys(true)).toContain('actions')
  })
})
