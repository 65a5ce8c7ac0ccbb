import { describe, expect, it } from 'vitest'
import { cursorIndex, moveCursor } from './host_cursor'

const row = (id: number) => ({ bk_host_id: id })

describe('host cursor', () => {
  it('moves a row at a time within the bounds', () => {
    const rows = [row(1), row(2), row(3)]
    expect(moveCursor(rows, 0, 1)).toEqual({ index: 1, load: false })
    expect(moveCursor(rows, 2, -1)).toEqual({ index: 1, load: false })
    expect(moveCursor(rows, 2, 1)).toBeNull() // the last row
    expect(moveCursor(rows, 0, -1)).toBeNull() // the first row
  })

  it('starts on the first row when there is no cursor', () => {
    const rows = [row(1), row(2)]
    expect(moveCursor(rows, -1, 1)).toEqual({ index: 0, load: false })
    expect(moveCursor(rows, -1, -1)).toEqual({ index: 0, load: false })
    expect(moveCursor(rows, 7, 1)).toEqual({ index: 0, load: false }) // the group shrank
  })

  it('goes nowhere in an empty table', () => {
    expect(moveCursor([], -1, 1)).toBeNull()
    expect(moveCursor([], 0, -1)).toBeNull()
  })

  it('lands on a row not loaded yet and says its page must load', () => {
    const rows = [row(1), null, null]
    expect(moveCursor(rows, 0, 1)).toEqual({ index: 1, load: true })
    expect(moveCursor([null, null], -1, 1)).toEqual({ index: 0, load: true })
  })

  it('stays on its row while the row is not loaded, else follows the selected host', () => {
    const rows = [row(1), null, row(3)]
    expect(cursorIndex(rows, 3, 2)).toBe(2)
    expect(cursorIndex(rows, 1, 1)).toBe(1) // moved to row 1, its page on the way
    expect(cursorIndex(rows, 3, 0)).toBe(2) // a refresh moved host 3
    expect(cursorIndex(rows, 9, 0)).toBe(0) // host 9 left the group: stay
    expect(cursorIndex(rows, 9, 5)).toBe(-1) // past the end now
    expect(cursorIndex(rows, null, -1)).toBe(-1)
    expect(cursorIndex([], 1, 0)).toBe(-1)
  })
})
