// Terminal colours in logs: SGR escapes (ESC [ … m) become styled segments
// (the 16 basic colours, bright ones, 256-colour codes below 16, bold);
// every other escape sequence is dropped. The log view renders segments as
// text nodes, never as HTML, so a log cannot inject markup.

export interface AnsiStyle {
  fg?: number // 0..15
  bg?: number // 0..15
  bold?: boolean
}

export interface AnsiSegment extends AnsiStyle {
  text: string
}

// eslint-disable-next-line no-control-regex
const escapes = /\u001b\[([0-9;?]*)([ -/]*[@-~])|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g

export function stripAnsi(text: string): string {
  return text.replace(escapes, '')
}

// applySGR changes style by one SGR parameter list ("1;31").
export function applySGR(style: AnsiStyle, params: string): AnsiStyle {
  const codes = params === '' ? [0] : params.split(';').map((p) => Number(p) || 0)
  let s: AnsiStyle = { ...style }
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] as number
    if (c === 0) s = {}
    else if (c === 1) s.bold = true
    else if (c === 22) delete s.bold
    else if (c >= 30 && c <= 37) s.fg = c - 30
    else if (c >= 90 && c <= 97) s.fg = c - 90 + 8
    else if (c === 39) delete s.fg
    else if (c >= 40 && c <= 47) s.bg = c - 40
    else if (c >= 100 && c <= 107) s.bg = c - 100 + 8
    else if (c === 49) delete s.bg
    else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
      const n = codes[i + 2] ?? 0
      if (n < 16) s[c === 38 ? 'fg' : 'bg'] = n
      i += 2
    } else if ((c === 38 || c === 48) && codes[i + 1] === 2) {
      i += 4 // true colour: not rendered
    }
  }
  return s
}

// ansiLines splits a log into lines of styled segments; a style carries on
// across line ends, as in a terminal.
export function ansiLines(text: string): AnsiSegment[][] {
  const lines: AnsiSegment[][] = [[]]
  let style: AnsiStyle = {}
  let last = 0
  const push = (chunk: string) => {
    const parts = chunk.split('\n')
    parts.forEach((part, i) => {
      if (i > 0) lines.push([])
      if (part) (lines[lines.length - 1] as AnsiSegment[]).push({ ...style, text: part })
    })
  }
  for (const m of text.matchAll(escapes)) {
    push(text.slice(last, m.index))
    if (m[2] === 'm') style = applySGR(style, m[1] ?? '')
    last = (m.index ?? 0) + m[0].length
  }
  push(text.slice(last))
  return lines
}
