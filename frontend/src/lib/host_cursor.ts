// The task page's keyboard cursor over the virtual host table: j/k or the
// arrows move it a row. The table has a slot per host of the group, null
// until the page holding it is loaded, so the cursor can land on a row not
// loaded yet (its page is fetched first).

// cursorIndex is the row the cursor is on. remembered is the row it was
// last put on: it stays there while that row is not loaded (a move to a
// row whose page is on its way, or a page a refresh dropped). When the row
// holds another host now (a refresh moved hosts), the cursor follows the
// selected host to its row, or stays where it was when the host left the
// group. -1: no cursor.
export function cursorIndex(rows: ReadonlyArray<{ bk_host_id: number } | null>, hostId: number | null, remembered: number): number {
  const inRange = remembered >= 0 && remembered < rows.length
  if (inRange && (rows[remembered] === null || rows[remembered]?.bk_host_id === hostId)) return remembered
  const found = hostId === null ? -1 : rows.findIndex((h) => h?.bk_host_id === hostId)
  if (found >= 0) return found
  return inRange ? remembered : -1
}

export interface CursorMove {
  index: number
  load: boolean // the row's page is not loaded yet
}

// moveCursor says where a move of delta rows from row `from` lands: within
// the table's bounds; with no cursor yet, on the first row. null: nowhere
// to go (an empty table, or already at that end).
export function moveCursor(rows: ReadonlyArray<unknown>, from: number, delta: number): CursorMove | null {
  const n = rows.length
  if (n === 0) return null
  const index = from < 0 || from >= n ? 0 : Math.min(n - 1, Math.max(0, from + delta))
  if (index === from) return null
  return { index, load: rows[index] === null || rows[index] === undefined }
}
