// A line diff of two script versions for the version compare view. Scripts
// are small (a few thousand lines at most), so the longest common
// subsequence by dynamic programming is enough; common leading and
// trailing lines are cut off first, and a middle too large for the table
// (maxCells) is shown as all removed then all added rather than freezing
// the page. A library (jsdiff, 40 KB) would add nothing a reader needs here.

export interface DiffLine {
  op: 'same' | 'add' | 'del'
  text: string
  a?: number // line number in the old text (1-based)
  b?: number // line number in the new text
}

export const maxCells = 4_000_000

export function splitLines(s: string): string[] {
  if (s === '') return []
  const lines = s.split(/\r?\n/)
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}

export function diffLines(oldText: string, newText: string): DiffLine[] {
  const a = splitLines(oldText)
  const b = splitLines(newText)
  let pre = 0
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++
  let suf = 0
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++
  const out: DiffLine[] = []
  for (let i = 0; i < pre; i++) out.push({ op: 'same', text: a[i] as string, a: i + 1, b: i + 1 })
  const am = a.slice(pre, a.length - suf)
  const bm = b.slice(pre, b.length - suf)
  out.push(...middle(am, bm, pre))
  for (let k = suf; k > 0; k--) {
    const i = a.length - k
    const j = b.length - k
    out.push({ op: 'same', text: a[i] as string, a: i + 1, b: j + 1 })
  }
  return out
}

function middle(a: string[], b: string[], off: number): DiffLine[] {
  const n = a.length
  const m = b.length
  if ((n + 1) * (m + 1) > maxCells) {
    return [
      ...a.map((text, i): DiffLine => ({ op: 'del', text, a: off + i + 1 })),
      ...b.map((text, j): DiffLine => ({ op: 'add', text, b: off + j + 1 })),
    ]
  }
  // lcs[i][j] = length of the LCS of a[i:] and b[j:], row-major.
  const w = m + 1
  const lcs = new Uint32Array((n + 1) * w)
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i] === b[j] ? (lcs[(i + 1) * w + j + 1] as number) + 1 : Math.max(lcs[(i + 1) * w + j] as number, lcs[i * w + j + 1] as number)
    }
  }
  const out: DiffLine[] = []
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ op: 'same', text: a[i] as string, a: off + i + 1, b: off + j + 1 })
      i++
      j++
    } else if (i < n && (j >= m || (lcs[(i + 1) * w + j] as number) >= (lcs[i * w + j + 1] as number))) {
      // Removed lines before added ones, as unified diffs show them.
      out.push({ op: 'del', text: a[i] as string, a: off + i + 1 })
      i++
    } else {
      out.push({ op: 'add', text: b[j] as string, b: off + j + 1 })
      j++
    }
  }
  return out
}

// diffStats counts the added and removed lines.
export function diffStats(lines: DiffLine[]): { added: number; removed: number } {
  let added = 0
  let removed = 0
  for (const l of lines) {
    if (l.op === 'add') added++
    else if (l.op === 'del') removed++
  }
  return { added, removed }
}
