import { StringStream } from '@codemirror/language'
import { describe, expect, it } from 'vitest'
import { bat } from './bat'

// tokens runs the bat stream parser over lines: [text, style] pairs.
function tokens(...lines: string[]): [string, string | null][] {
  const state = bat.startState!(2)
  const out: [string, string | null][] = []
  for (const line of lines) {
    const s = new StringStream(line, 4, 2)
    while (!s.eol()) {
      const style = bat.token(s, state)
      if (s.current().trim()) out.push([s.current(), style])
      s.start = s.pos
    }
  }
  return out
}

describe('bat highlighting', () => {
  it('reads comments, labels, variables, strings and keywords', () => {
    expect(tokens('@echo off', 'REM a note', ':: also a note', ':loop', 'set X=%PATH% & echo "hi" %%i !Y!', 'goto loop')).toEqual([
      ['@', 'meta'],
      ['echo', 'keyword'],
      ['off', null],
      ['REM a note', 'comment'],
      [':: also a note', 'comment'],
      [':loop', 'labelName'],
      ['set', 'keyword'],
      ['X', null],
      ['=', null],
      ['%PATH%', 'variableName'],
      ['&', 'operator'],
      ['echo', 'keyword'],
      ['"hi"', 'string'],
      ['%%i', 'variableName'],
      ['!Y!', 'variableName'],
      ['goto', 'keyword'],
      ['loop', null],
    ])
  })
})
